"""In-the-Wild reader: meta.csv with bona-fide / spoof labels."""

from __future__ import annotations

import re

import pytest
from dataset_trees import write

from fakeguard.datasets import create_reader


def test_labels_groups_and_paths(in_the_wild_root):
    samples = create_reader("in_the_wild", in_the_wild_root, check_files=True).samples()
    assert [s.label for s in samples] == [1, 0, 0]
    assert [s.group for s in samples] == ["Alec Guinness", "Alec Guinness", "Barack Obama"]
    assert [s.generator for s in samples] == ["unknown", "bonafide", "bonafide"]
    assert [s.attack_family for s in samples] == [None, "bonafide", "bonafide"]
    assert samples[0].path == in_the_wild_root / "0.wav"
    assert samples[0].extra["relpath"] == "0.wav"


def test_missing_meta_names_the_path(tmp_path):
    with pytest.raises(FileNotFoundError, match=re.escape(str(tmp_path / "meta.csv"))):
        create_reader("in_the_wild", tmp_path).samples()


def test_unknown_label_names_file_and_line(tmp_path):
    meta = write(tmp_path / "meta.csv", "file,speaker,label\n0.wav,A,spoof\n1.wav,A,human\n")
    with pytest.raises(ValueError, match=re.escape(f"{meta}:3:") + ".*'human'"):
        create_reader("in_the_wild", tmp_path).samples()


def test_missing_column_and_ragged_row(tmp_path):
    meta = write(tmp_path / "meta.csv", "file,label\n0.wav,spoof\n")
    with pytest.raises(ValueError, match=re.escape(f"{meta}:1:") + ".*speaker"):
        create_reader("in_the_wild", tmp_path).samples()
    write(meta, "file,speaker,label\n0.wav,spoof\n")
    with pytest.raises(ValueError, match=re.escape(f"{meta}:2:")):
        create_reader("in_the_wild", tmp_path).samples()


def test_check_files_reports_a_missing_wav(in_the_wild_root):
    (in_the_wild_root / "2.wav").unlink()
    with pytest.raises(FileNotFoundError, match="2.wav"):
        create_reader("in_the_wild", in_the_wild_root, check_files=True).samples()
