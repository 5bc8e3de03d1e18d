"""Sample record, label words and the reader registry."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from fakeguard.datasets import BONAFIDE, Reader, Sample, create_reader, label_from_str, list_readers
from fakeguard.datasets.base import register_reader


@pytest.mark.parametrize("word", ["real", "bonafide", "bona-fide", "Bona fide", " genuine ", "BONAFIDE", "bona_fide"])
def test_real_words_are_label_0(word):
    assert label_from_str(word) == 0


@pytest.mark.parametrize("word", ["fake", "spoof", "Synthetic", "SPOOF\n"])
def test_fake_words_are_label_1(word):
    assert label_from_str(word) == 1


@pytest.mark.parametrize("word", ["", "maybe", "1", "deepfake"])
def test_unknown_label_word_names_the_value(word):
    with pytest.raises(ValueError, match=re.escape(repr(word))):
        label_from_str(word)


def test_sample_is_frozen_hashable_and_extra_is_read_only():
    s = Sample(path="a/b.wav", label=1, source="x", generator="g", group="spk", extra={"k": 1})
    assert isinstance(s.path, Path)
    assert s.is_fake
    assert s.attack_family is None
    assert hash(s) == hash(Sample(Path("a/b.wav"), 1, "x", "g", "spk", extra={"k": 2}))
    with pytest.raises(TypeError):
        s.extra["k"] = 2  # type: ignore[index]
    with pytest.raises(AttributeError):
        s.label = 0  # type: ignore[misc]


@pytest.mark.parametrize("label", [2, -1])
def test_sample_rejects_labels_other_than_0_and_1(label):
    with pytest.raises(ValueError, match="label must be 0"):
        Sample(Path("x.wav"), label, "s", "g", "grp")


def test_every_builtin_reader_is_registered():
    assert {
        "asvspoof2019_la",
        "asvspoof2021_la",
        "asvspoof2021_df",
        "wavefake",
        "in_the_wild",
        "folder",
        "shared",
    } <= set(list_readers())
    assert list_readers() == sorted(list_readers())


def test_unknown_reader_lists_the_known_ones():
    with pytest.raises(KeyError, match="asvspoof2019_la"):
        create_reader("nope", "/tmp")


def test_create_reader_drops_none_options_and_builds_without_reading(tmp_path):
    reader = create_reader("asvspoof2019_la", tmp_path / "missing", partition=None)
    assert isinstance(reader, Reader)
    assert reader.partition == "train"  # the reader's default, not None


def test_register_reader_refuses_a_taken_name():
    with pytest.raises(ValueError, match="already registered"):

        @register_reader("folder")
        class Other:
            def samples(self) -> list[Sample]:
                return []


def test_bonafide_constant():
    assert BONAFIDE == "bonafide"
