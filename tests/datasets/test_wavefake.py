"""WaveFake reader: vocoder folders, optional LJSpeech / JSUT reals, pair keys."""

from __future__ import annotations

import re

import pytest

from fakeguard.datasets import create_reader, split_by_group
from fakeguard.datasets.wavefake import WaveFake


def _by_relpath(samples):
    return {s.extra["relpath"]: s for s in samples}


def test_fakes_only_by_default(wavefake_roots):
    samples = create_reader("wavefake", wavefake_roots["root"]).samples()
    assert all(s.label == 1 for s in samples)
    by = _by_relpath(samples)
    assert "ljspeech_waveglow/README.txt" not in by
    melgan = by["ljspeech_melgan/LJ001-0001_gen.wav"]
    assert (melgan.generator, melgan.group, melgan.attack_family) == ("melgan", "LJ", "gan_vocoder")
    assert melgan.extra["utterance"] == "LJ001-0001"
    assert melgan.extra["pair_key"] == "LJ:LJ001-0001"
    assert by["ljspeech_hifiGAN/LJ001-0001_gen.wav"].generator == "hifigan"
    assert by["ljspeech_waveglow/LJ001-0002_gen.wav"].attack_family == "flow_vocoder"
    jsut = by["jsut_parallel_wavegan/BASIC5000_0001_gen.wav"]
    assert (jsut.generator, jsut.group, jsut.attack_family) == ("parallel_wavegan", "JSUT", "gan_vocoder")
    tts = by["common_voices_prompts_from_conformer_fastspeech2_pwg_ljspeech/gen_0.wav"]
    assert (tts.group, tts.attack_family) == ("LJ", "gan_vocoder")


def test_root_may_be_generated_audio_itself(wavefake_roots):
    direct = WaveFake(wavefake_roots["root"] / "generated_audio").samples()
    assert len(direct) == len(WaveFake(wavefake_roots["root"]).samples()) == 6


def test_real_corpora_are_added_with_matching_pair_keys(wavefake_roots):
    samples = WaveFake(**wavefake_roots).samples()
    reals = [s for s in samples if s.label == 0]
    assert sorted(s.extra["relpath"] for s in reals) == [
        "jsut/BASIC5000_0001.wav",
        "ljspeech/LJ001-0001.wav",
        "ljspeech/LJ001-0002.wav",
    ]
    assert {s.generator for s in reals} == {"bonafide"}
    assert {s.group for s in reals} == {"LJ", "JSUT"}
    lj1 = [s for s in samples if s.extra.get("pair_key") == "LJ:LJ001-0001"]
    assert sorted(s.label for s in lj1) == [0, 1, 1]


def test_corpus_root_or_its_folder_both_work(wavefake_roots):
    via_parent = WaveFake(wavefake_roots["root"], ljspeech_root=wavefake_roots["ljspeech_root"]).samples()
    via_folder = WaveFake(
        wavefake_roots["root"], ljspeech_root=wavefake_roots["ljspeech_root"] / "LJSpeech-1.1"
    ).samples()
    assert [s.extra["relpath"] for s in via_parent] == [s.extra["relpath"] for s in via_folder]


def test_generator_filter(wavefake_roots):
    samples = WaveFake(wavefake_roots["root"], generators=["melgan", "jsut_parallel_wavegan"]).samples()
    assert {s.extra["folder"] for s in samples} == {"ljspeech_melgan", "jsut_parallel_wavegan"}


def test_missing_root_and_missing_corpus_name_the_path(tmp_path, wavefake_roots):
    with pytest.raises(FileNotFoundError, match=re.escape(str(tmp_path / "nowhere"))):
        WaveFake(tmp_path / "nowhere").samples()
    with pytest.raises(FileNotFoundError, match="LJSpeech"):
        WaveFake(wavefake_roots["root"], ljspeech_root=tmp_path / "no_lj").samples()


def test_split_by_utterance_keeps_real_and_vocoded_copies_together(wavefake_roots):
    samples = WaveFake(**wavefake_roots).samples()
    split = split_by_group(samples, {"train": 0.5, "test": 0.5}, group="utterance")
    side = {}
    for name, part in split.parts.items():
        for s in part:
            assert side.setdefault(s.extra["pair_key"], name) == name
