"""Group splits, leave-one-family-out and split files."""

from __future__ import annotations

import json
import random
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from fakeguard.datasets import Sample, leave_out, read_split, split_by_group, write_split
from fakeguard.datasets.splits import units

FAMILIES = ("gan_vocoder", "e2e_tts", "formant")


def make(rel: str, label: int, group: str, pair: str | tuple[str, ...] | None = None, family=None, source="s"):
    extra = {"relpath": rel}
    if pair is not None:
        extra["pair_key"] = pair
    family = family if family is not None else ("bonafide" if label == 0 else "gan_vocoder")
    return Sample(Path("/data") / source / rel, label, source, "g", group, family, extra)


def corpus(n_groups: int = 200, seed: int = 1) -> list[Sample]:
    """Speakers with 1-9 files each, half fake, fakes spread over three families."""
    rng = random.Random(seed)
    out = []
    for g in range(n_groups):
        for i in range(rng.randint(1, 9)):
            label = i % 2
            out.append(make(f"spk{g}/{i}.wav", label, f"spk{g}", family=FAMILIES[g % 3] if label else None))
    return out


def side_of(split) -> dict[Sample, str]:
    return {s: name for name, part in split.parts.items() for s in part}


def test_every_sample_lands_once_and_no_group_crosses_sides():
    samples = corpus()
    split = split_by_group(samples)
    assert split.names == ("train", "val", "test")
    sides = side_of(split)
    assert len(sides) == len(samples) == sum(len(p) for p in split.parts.values())
    by_group: dict[str, set[str]] = {}
    for s, name in sides.items():
        by_group.setdefault(s.group, set()).add(name)
    assert all(len(names) == 1 for names in by_group.values())


def test_fractions_are_roughly_respected():
    samples = corpus(400)
    split = split_by_group(samples, {"train": 0.7, "val": 0.1, "test": 0.2}, seed=5)
    for name, share in {"train": 0.7, "val": 0.1, "test": 0.2}.items():
        assert abs(len(split[name]) / len(samples) - share) < 0.02, split.counts()


def test_pairs_stay_together_across_groups():
    samples = [
        make("real/u1.wav", 0, "real_dir", "utt1"),
        make("fake/a/u1.wav", 1, "a_dir", "utt1"),
        make("fake/b/u1.wav", 1, "b_dir", "utt1"),
        # A pair key equal to a group joins that group (voice conversion target).
        make("vc/x_to_y.wav", 1, "spk_x", ("spk_y",)),
        make("real/y.wav", 0, "spk_y"),
        make("real/x.wav", 0, "spk_x"),
    ] + corpus(50)
    assert len({frozenset(m) for m in units(samples).values()}) == len(units(samples))
    for seed in range(10):
        sides = side_of(split_by_group(samples, seed=seed))
        assert len({sides[s] for s in samples[:3]}) == 1
        assert len({sides[s] for s in samples[3:6]}) == 1


def test_pair_key_none_splits_by_group_only():
    samples = [make("r.wav", 0, "g1", "u"), make("f.wav", 1, "g2", "u")]
    assert len(units(samples, pair_key=None)) == 2
    assert len(units(samples)) == 1


def test_deterministic_whatever_the_input_order():
    samples = corpus()
    shuffled = samples[:]
    random.Random(9).shuffle(shuffled)
    a, b = split_by_group(samples, seed=3), split_by_group(shuffled, seed=3)
    assert a.parts == b.parts
    assert split_by_group(samples, seed=4).parts != a.parts


def test_group_can_come_from_extra_or_a_function():
    samples = [make(f"{i}.wav", i % 2, "one_speaker", None) for i in range(40)]
    by_file = split_by_group(samples, {"train": 0.5, "test": 0.5}, group="relpath")
    assert abs(len(by_file["train"]) - 20) <= 1
    by_fn = split_by_group(samples, {"train": 0.5, "test": 0.5}, group=lambda s: s.extra["relpath"][0])
    assert by_fn.meta["group"] == "<lambda>"
    assert {len(by_fn["train"]), len(by_fn["test"])} != {0}


@pytest.mark.parametrize("fractions", [{}, {"train": 0.8, "test": 0.1}, {"train": 1.2, "test": -0.2}])
def test_bad_fractions_are_refused(fractions):
    with pytest.raises(ValueError, match="fractions"):
        split_by_group(corpus(5), fractions)


def test_a_sample_without_group_is_an_error():
    with pytest.raises(ValueError, match="no group"):
        split_by_group([make("a.wav", 0, "")])


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.tuples(st.integers(0, 12), st.one_of(st.none(), st.integers(0, 8)), st.integers(0, 1)), max_size=60),
    st.integers(0, 3),
)
def test_property_no_unit_is_cut(rows, seed):
    samples = [
        make(f"f{i}.wav", label, f"g{g}", None if p is None else f"p{p}") for i, (g, p, label) in enumerate(rows)
    ]
    sides = side_of(split_by_group(samples, seed=seed))
    assert len(sides) == len(samples)
    for key in ("group", "pair_key"):
        seen: dict[str, str] = {}
        for s in samples:
            value = s.group if key == "group" else s.extra.get("pair_key")
            if value is not None:
                assert seen.setdefault(value, sides[s]) == sides[s]


def test_leave_out_holds_out_one_family_and_keeps_reals():
    samples = corpus(30)
    split = leave_out(samples, value="e2e_tts")
    assert split.names == ("kept", "held_out")
    assert {s.attack_family for s in split["held_out"]} == {"e2e_tts"}
    assert all(s.is_fake for s in split["held_out"])
    assert "e2e_tts" not in {s.attack_family for s in split["kept"]}
    assert any(not s.is_fake for s in split["kept"])
    assert len(split["kept"]) + len(split["held_out"]) == len(samples)
    two = leave_out(samples, value=["e2e_tts", "formant"])
    assert {s.attack_family for s in two["held_out"]} == {"e2e_tts", "formant"}


def test_leave_out_by_other_fields_and_typos():
    samples = corpus(30)
    assert leave_out(samples, field="group", value="spk0")["held_out"]
    with pytest.raises(ValueError, match="values present.*gan_vocoder"):
        leave_out(samples, value="gan_vocodr")


def test_write_and_read_round_trip(tmp_path):
    samples = corpus(40)
    split = split_by_group(samples, seed=2)
    path = tmp_path / "splits" / "speech_seed2.json"
    write_split(path, split)
    doc = json.loads(path.read_text())
    assert doc["format"] == "fakeguard.split" and doc["meta"]["seed"] == 2
    assert set(doc["samples"][0]) == {"split", "source", "relpath", "label", "group"}
    assert "/data" not in path.read_text()  # relpaths only, no absolute paths
    loaded = read_split(path)
    assert loaded.names == ("train", "val", "test")
    again = loaded.assign(reversed(samples))
    assert again.parts == split.parts
    assert again.meta["seed"] == 2


def test_assign_detects_changed_data(tmp_path):
    samples = corpus(10)
    path = tmp_path / "s.json"
    write_split(path, {"train": samples[:-1], "test": samples[-1:]})
    loaded = read_split(path)
    with pytest.raises(ValueError, match="not found"):
        loaded.assign(samples[1:])
    with pytest.raises(ValueError, match="not in the split file"):
        loaded.assign([*samples, make("new.wav", 0, "new")])
    assert sum(len(p) for p in loaded.assign(samples[1:], strict=False).parts.values()) == len(samples) - 1
    flipped = [Sample(s.path, 1 - s.label, s.source, s.generator, s.group, None, s.extra) for s in samples]
    with pytest.raises(ValueError, match="label"):
        loaded.assign(flipped)


def test_write_refuses_duplicate_keys(tmp_path):
    s = make("a.wav", 0, "g")
    with pytest.raises(ValueError, match="appears twice"):
        write_split(tmp_path / "x.json", {"train": [s], "test": [s]})


def test_read_rejects_foreign_or_malformed_files(tmp_path):
    with pytest.raises(FileNotFoundError, match="nope.json"):
        read_split(tmp_path / "nope.json")
    bad = tmp_path / "bad.json"
    bad.write_text('{"format": "other"}')
    with pytest.raises(ValueError, match="not a fakeguard.split"):
        read_split(bad)
    bad.write_text('{"format": "fakeguard.split", "version": 1, "samples": [{"split": "train"}]}')
    with pytest.raises(ValueError, match=r"samples\[0\]"):
        read_split(bad)
