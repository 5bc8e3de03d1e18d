"""Shared-data reader on a miniature ``<modality>/<source>/manifest.csv`` tree."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from dataset_trees import write

from fakeguard.datasets import create_reader, split_by_group
from fakeguard.datasets.shared import ENV_VAR, SharedData, default_data_root, read_manifest


def _by_relpath(samples, source):
    return {s.extra["relpath"]: s for s in samples if s.source == source}


def test_reads_every_source_with_a_manifest(shared_root):
    samples = SharedData(shared_root).samples()
    assert {(s.extra["modality"], s.source) for s in samples} == {
        ("speech", "pairs"),
        ("speech", "demo"),
        ("faces", "swaps"),
    }
    assert len(samples) == 12


def test_a_new_source_folder_needs_no_code(shared_root):
    write(
        shared_root / "speech" / "brand_new" / "manifest.csv",
        "relpath,label,generator,speaker,sr\nfake/a.flac,fake,espeak-ng,v1,22050\n",
    )
    (new,) = SharedData(shared_root, sources=["brand_new"]).samples()
    assert (new.source, new.group, new.label, new.attack_family) == ("brand_new", "brand_new/v1", 1, "formant")
    assert new.path == shared_root / "speech" / "brand_new" / "fake" / "a.flac"


def test_speech_labels_groups_families_and_extra(shared_root):
    by = _by_relpath(SharedData(shared_root, modality="speech").samples(), "pairs")
    real = by["real/p225/p225_001.flac"]
    assert (real.label, real.group, real.attack_family) == (0, "pairs/p225", "bonafide")
    assert real.generator == "human (VCTK)"
    assert real.extra["sr"] == 16000 and real.extra["duration_s"] == 2.5 and real.extra["speaker"] == "p225"
    tts = by["fake/tts/p300_001.flac"]
    assert (tts.label, tts.attack_family) == (1, "gan_vocoder")
    assert tts.extra["bits"] == "24 (from 32-bit wav)"  # annotated numbers stay text
    vc = by["fake/vc/F-F_p225_to_p294_sample_p294_005.flac"]
    assert vc.attack_family == "e2e_tts"
    # A voice conversion names its target speaker in the file name: it is linked to that group.
    assert vc.extra["pair_key"] == ("pairs/p294",)


def test_empty_speaker_falls_back_to_folder_and_pairs_by_utterance_number(shared_root):
    by = _by_relpath(SharedData(shared_root, modality="speech").samples(), "demo")
    assert by["real/ss/ss_gt_1.flac"].group == "demo/real/ss"
    assert by["fake/ss/WN/ss_wn_1.flac"].group == "demo/fake/ss/WN"
    assert by["real/ss/ss_gt_1.flac"].extra["pair_key"] == by["fake/ss/WN/ss_wn_1.flac"].extra["pair_key"]
    assert by["real/ss/ss_gt_1.flac"].extra["speaker"] is None
    files = _by_relpath(SharedData(shared_root, modality="speech", ungrouped="file").samples(), "demo")
    assert files["real/ss/ss_gt_1.flac"].group == "demo/real/ss/ss_gt_1.flac"


def test_faces_identity_links_a_swap_to_both_people(shared_root):
    by = _by_relpath(SharedData(shared_root, modality="faces").samples(), "swaps")
    swap = by["fake/swap.jpg"]
    assert (swap.label, swap.group, swap.attack_family) == (1, "swaps/src=person_a;tgt=person_b", None)
    assert swap.extra["pair_key"] == ("swaps/person_a", "swaps/person_b")
    assert by["real/src.jpg"].extra["identity"] == "person_a"
    assert by["real/anon.jpg"].group == "swaps/real"
    assert by["real/src.jpg"].extra["width"] == 256
    split = split_by_group(list(by.values()), {"a": 0.5, "b": 0.5}, seed=3)
    (side,) = [name for name, part in split.parts.items() if swap in part]
    assert {by["real/src.jpg"], by["real/tgt.jpg"]} <= set(split[side])


def test_default_root_is_resolved_at_call_time(shared_root, monkeypatch):
    monkeypatch.delenv(ENV_VAR, raising=False)
    reader = create_reader("shared")
    monkeypatch.setenv(ENV_VAR, str(shared_root))
    assert default_data_root() == shared_root
    assert len(reader.samples()) == 12


def test_default_root_without_env_is_beside_the_repository(monkeypatch):
    monkeypatch.delenv(ENV_VAR, raising=False)
    root = default_data_root()
    repo = Path(__file__).resolve().parents[2]
    assert root == repo.parent / "shared" / "data"


def test_missing_root_names_it_and_the_variable(tmp_path):
    with pytest.raises(FileNotFoundError, match=re.escape(str(tmp_path / "none")) + f"|{ENV_VAR}"):
        SharedData(tmp_path / "none").samples()


def test_manifest_errors_name_file_and_line(tmp_path):
    manifest = write(tmp_path / "speech" / "bad" / "manifest.csv", "relpath,label,speaker\na.flac,real,x\n")
    with pytest.raises(ValueError, match=re.escape(f"{manifest}:1:") + ".*generator"):
        read_manifest(manifest)
    write(manifest, "relpath,label,generator,speaker\na.flac,real,human,x\nb.flac,fakeish,g,x\n")
    with pytest.raises(ValueError, match=re.escape(f"{manifest}:3:") + ".*'fakeish'"):
        read_manifest(manifest)
    write(manifest, "relpath,label,generator,sr\na.flac,real,human,1\n")
    with pytest.raises(ValueError, match=re.escape(f"{manifest}:1:") + ".*speaker"):
        read_manifest(manifest)
    write(manifest, "relpath,label,generator,speaker\n,real,human,x\n")
    with pytest.raises(ValueError, match=re.escape(f"{manifest}:2:") + ".*relpath"):
        read_manifest(manifest)
