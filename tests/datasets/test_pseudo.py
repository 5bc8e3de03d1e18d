"""Vocoder pseudo-fakes: the methods' contract, generation on a tiny tree, and pairing through splits."""

from __future__ import annotations

import csv
import logging
import sys
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf
from dataset_trees import write

from fakeguard.datasets.base import Sample
from fakeguard.datasets.pseudo import METHODS, check_methods, generate_pseudo_fakes, list_methods, read_pseudo_fakes
from fakeguard.datasets.pseudo.vocode import MANIFEST_COLUMNS
from fakeguard.datasets.shared import read_manifest
from fakeguard.datasets.splits import split_by_group
from fakeguard.detectors.errors import CorruptMedia

SR = 16000
FAST = ["lpc", "griffinlim"]  # the two quickest methods, for the file-writing tests


def speech_like(seconds: float = 1.0, f0: float = 120.0, seed: int = 0) -> np.ndarray:
    """Harmonics of a gliding f0 under a syllable-rate envelope, plus a little noise."""
    t = np.arange(int(seconds * SR)) / SR
    phase = 2 * np.pi * np.cumsum(f0 + 20 * np.sin(2 * np.pi * 0.7 * t)) / SR
    voice = sum(np.sin(k * phase) / k for k in range(1, 16))
    envelope = np.clip(np.sin(2 * np.pi * 2.0 * t), 0, None) ** 0.5
    noise = 0.01 * np.random.default_rng(seed).standard_normal(t.size)
    return (0.25 * voice * envelope + noise).astype(np.float32)


def _need(method: str) -> None:
    try:
        check_methods(method)
    except ImportError as exc:
        pytest.skip(f"{method} needs an optional package: {exc}")


@pytest.fixture(scope="module")
def wave() -> np.ndarray:
    return speech_like()


@pytest.mark.parametrize("method", list_methods())
def test_method_keeps_length_is_finite_and_changes_the_wave(method, wave):
    _need(method)
    out = METHODS[method](wave, SR, np.random.default_rng(0))
    assert out.dtype == np.float32 and out.shape == wave.shape
    assert np.isfinite(out).all()
    assert np.max(np.abs(out - wave)) > 0.05  # resynthesised, not passed through
    assert 0.2 < out.std() / wave.std() < 5  # and still about as loud


@pytest.mark.parametrize("method", list_methods())
def test_method_is_deterministic_for_a_seed(method, wave):
    _need(method)
    first = METHODS[method](wave, SR, np.random.default_rng(7))
    again = METHODS[method](wave, SR, np.random.default_rng(7))
    np.testing.assert_array_equal(first, again)


@pytest.mark.parametrize("method", list_methods())
def test_method_survives_silence(method):
    _need(method)
    out = METHODS[method](np.zeros(SR // 4, np.float32), SR, np.random.default_rng(0))
    assert out.shape == (SR // 4,) and np.isfinite(out).all()


def test_unknown_method_lists_the_known_ones():
    with pytest.raises(KeyError, match="griffinlim"):
        check_methods(["lpc", "hifigan"])


def test_world_without_pyworld_names_the_extra(monkeypatch):
    monkeypatch.setitem(sys.modules, "pyworld", None)  # makes `import pyworld` raise ImportError
    with pytest.raises(ImportError, match=r"fakeguard\[train\]"):
        check_methods("world")
    with pytest.raises(ImportError, match=r"fakeguard\[train\]"):
        METHODS["world"](np.zeros(SR, np.float32), SR, np.random.default_rng(0))


# ----------------------------------------------------------------------------- generation

SPEAKERS = ("s1", "s2", "s3", "s4")


@pytest.fixture
def corpus(tmp_path: Path) -> list:
    """A shared-data source with one real 0.5 s file per speaker, one fake, and one corrupt real file."""
    folder = tmp_path / "data" / "speech" / "corpus"
    lines = ["relpath,label,generator,speaker"]
    for i, speaker in enumerate(SPEAKERS):
        rel = f"real/{speaker}/utt_{i}.wav"
        (folder / rel).parent.mkdir(parents=True, exist_ok=True)
        sf.write(folder / rel, speech_like(0.5, f0=100 + 20 * i, seed=i), SR)
        lines.append(f"{rel},real,human,{speaker}")
    write(folder / "real/s4/broken.wav", "RIFF\x00\x00\x00\x00WAVEnot audio at all")
    lines.append("real/s4/broken.wav,real,human,s4")
    write(folder / "fake/s1/tts_0.wav", "")  # a fake: never decoded or vocoded
    lines.append("fake/s1/tts_0.wav,fake,some tts,s1")
    write(folder / "manifest.csv", "\n".join(lines) + "\n")
    return read_manifest(folder / "manifest.csv")


def _outputs(out_root: Path) -> dict[Path, int]:
    return {p: p.stat().st_mtime_ns for p in sorted(out_root.rglob("*.flac"))}


def test_generate_writes_flac_and_manifest_and_skips_the_corrupt_file(corpus, tmp_path, caplog):
    out_root = tmp_path / "pseudo"
    calls = []
    with caplog.at_level(logging.WARNING, logger="fakeguard.datasets.pseudo.vocode"):
        fakes = generate_pseudo_fakes(corpus, FAST, out_root, progress=lambda done, total: calls.append((done, total)))
    assert "broken.wav" in caplog.text
    assert calls[-1] == (5, 5)  # every real sample, the broken one included; the fake is not counted
    assert len(fakes) == len(SPEAKERS) * len(FAST)
    for method in FAST:
        manifest = out_root / "speech" / f"pseudo_{method}" / "manifest.csv"
        with manifest.open(newline="") as handle:
            rows = list(csv.DictReader(handle))
        assert tuple(rows[0]) == MANIFEST_COLUMNS
        assert [r["relpath"] for r in rows] == [f"corpus/real/{s}/utt_{i}.flac" for i, s in enumerate(SPEAKERS)]
        assert {r["label"] for r in rows} == {"fake"}
        for row in rows:
            audio, rate = sf.read(manifest.parent / row["relpath"], dtype="float32")
            assert rate == SR and audio.shape == (SR // 2,) and np.abs(audio).max() > 0.01
    originals = {s.extra["relpath"]: s for s in corpus}
    for fake in fakes:
        method = fake.source.removeprefix("pseudo_")
        assert fake.label == 1 and fake.is_fake
        assert (fake.generator, fake.attack_family) == (f"pseudo:{method}", f"pseudo_{method}")
        assert fake.path.is_file()
        orig = originals[fake.extra["orig_path"].removeprefix("corpus/")]
        assert fake.group == orig.group
        assert fake.extra["pair_key"] == orig.extra["pair_key"]


def test_rerun_skips_existing_outputs_and_resumes_missing_ones(corpus, tmp_path):
    out_root = tmp_path / "pseudo"
    first = generate_pseudo_fakes(corpus, FAST, out_root)
    before = _outputs(out_root)
    calls = []

    def load(path: Path, sample_rate: int) -> np.ndarray:
        calls.append(path.name)
        if path.name == "broken.wav":
            raise CorruptMedia(path.name, "still broken")
        return speech_like(0.5)

    again = generate_pseudo_fakes(corpus, FAST, out_root, load=load)
    assert _outputs(out_root) == before  # nothing rewritten
    assert calls == ["broken.wav"]  # only the input with no outputs was decoded again
    assert [s.path for s in again] == [s.path for s in first]

    removed = out_root / "speech" / "pseudo_lpc" / "corpus" / "real" / "s2" / "utt_1.flac"
    removed.unlink()
    generate_pseudo_fakes(corpus, FAST, out_root)
    after = _outputs(out_root)
    assert removed in after
    assert {p: t for p, t in after.items() if p != removed} == {p: t for p, t in before.items() if p != removed}


def test_manifest_keeps_earlier_batches(corpus, tmp_path):
    out_root = tmp_path / "pseudo"
    reals = [s for s in corpus if s.label == 0 and "broken" not in s.extra["relpath"]]
    generate_pseudo_fakes(reals[:2], ["lpc"], out_root)
    generate_pseudo_fakes(reals[2:], ["lpc"], out_root)
    assert len(read_pseudo_fakes(out_root)) == len(reals)


def test_read_pseudo_fakes_round_trips_group_and_pair_key(tmp_path):
    def load(path: Path, sample_rate: int) -> np.ndarray:
        return speech_like(0.25)

    reals = [
        Sample(Path("/x/a.wav"), 0, "src", "bonafide", "src/spk1", "bonafide", {"relpath": "a.wav", "pair_key": ()}),
        Sample(
            Path("/x/b.mp3"),
            0,
            "src",
            "bonafide",
            "src/spk2",
            "bonafide",
            {"relpath": "sub/b.mp3", "pair_key": ("src#utt:3", "other/spk;9")},
        ),
        Sample(Path("/x/a.flac"), 0, "src", "bonafide", "src/spk3", "bonafide", {"relpath": "a.flac"}),
    ]
    made = generate_pseudo_fakes(reals, ["lpc"], tmp_path, load=load)
    read = read_pseudo_fakes(tmp_path, "lpc")
    assert sorted(s.extra["relpath"] for s in made) == [s.extra["relpath"] for s in read]
    assert [s.extra["relpath"] for s in made] == ["src/a.flac", "src/sub/b.flac", "src/a.flac.flac"]
    by_rel = {s.extra["relpath"]: s for s in read}
    for real, fake in zip(reals, made, strict=True):
        back = by_rel[fake.extra["relpath"]]
        assert back == fake
        assert back.group == real.group
        assert back.extra["pair_key"] == tuple(real.extra.get("pair_key", ()))
        assert (back.label, back.source, back.generator) == (1, "pseudo_lpc", "pseudo:lpc")
        assert back.attack_family == "pseudo_lpc"


def test_split_keeps_each_pseudo_fake_with_its_original(corpus, tmp_path):
    fakes = generate_pseudo_fakes(corpus, ["lpc"], tmp_path / "pseudo")
    split = split_by_group(list(corpus) + fakes, {"train": 0.5, "test": 0.5}, seed=3)
    assert all(split[name] for name in split.names)  # a real split, not everything on one side
    side = {(s.source, s.extra["relpath"]): name for name in split.names for s in split[name]}
    for fake in fakes:
        orig_rel = fake.extra["orig_path"].removeprefix("corpus/")
        assert side[(fake.source, fake.extra["relpath"])] == side[("corpus", orig_rel)]


def test_refuses_to_write_into_the_shared_data_root(corpus, tmp_path):
    with pytest.raises(ValueError, match="folder of their own"):
        generate_pseudo_fakes(corpus, ["lpc"], tmp_path / "data")
