"""Plain real/ + fake/ folder reader."""

from __future__ import annotations

import re

import pytest

from fakeguard.datasets import create_reader
from fakeguard.datasets.families import speech_family
from fakeguard.datasets.folder import FolderReader


def test_labels_generators_groups(folder_root):
    samples = create_reader("folder", folder_root).samples()
    by = {s.extra["relpath"]: s for s in samples}
    assert set(by) == {
        "real/alice/a1.wav",
        "real/bob/b1.FLAC",
        "real/c.jpg",
        "fake/hifigan/alice/a1.wav",
        "fake/yourtts/clip.mp4",
        "fake/loose.png",
    }
    assert [by[k].label for k in ("real/alice/a1.wav", "real/c.jpg", "fake/loose.png")] == [0, 0, 1]
    assert by["fake/hifigan/alice/a1.wav"].generator == "hifigan"
    assert by["fake/yourtts/clip.mp4"].generator == "yourtts"
    assert by["fake/loose.png"].generator == "unknown"
    assert by["real/alice/a1.wav"].generator == "human"
    assert by["real/alice/a1.wav"].group == by["fake/hifigan/alice/a1.wav"].group == "alice"
    assert by["real/c.jpg"].group == "real"
    assert {s.source for s in samples} == {"my_set"}
    assert by["fake/hifigan/alice/a1.wav"].attack_family is None
    assert by["real/c.jpg"].attack_family == "bonafide"


def test_family_function_and_source_name(folder_root):
    samples = FolderReader(folder_root, source="mine", family=speech_family).samples()
    families = {s.generator: s.attack_family for s in samples if s.label == 1}
    assert families == {"hifigan": "gan_vocoder", "yourtts": "e2e_tts", "unknown": None}
    assert {s.source for s in samples} == {"mine"}


def test_only_one_class_folder_is_fine(tmp_path):
    (tmp_path / "fake").mkdir()
    (tmp_path / "fake" / "x.wav").write_bytes(b"")
    assert [s.label for s in FolderReader(tmp_path).samples()] == [1]


def test_missing_root_or_class_folders_names_the_path(tmp_path):
    with pytest.raises(FileNotFoundError, match=re.escape(str(tmp_path / "nope"))):
        FolderReader(tmp_path / "nope").samples()
    with pytest.raises(FileNotFoundError, match="neither real/ nor fake/"):
        FolderReader(tmp_path).samples()
