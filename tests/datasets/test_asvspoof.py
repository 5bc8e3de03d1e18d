"""ASVspoof 2019 LA and 2021 LA/DF readers on tiny trees in their published layout."""

from __future__ import annotations

import re

import pytest
from dataset_trees import write

from fakeguard.datasets import create_reader
from fakeguard.datasets.asvspoof import ASVSPOOF_ATTACKS, ASVspoof2019LA
from fakeguard.datasets.families import SPEECH_FAMILIES


def test_2019_train_labels_generators_groups(asvspoof2019_root):
    samples = create_reader("asvspoof2019_la", asvspoof2019_root, partition="train").samples()
    assert [s.extra["utt"] for s in samples] == ["LA_T_1138215", "LA_T_1271820", "LA_T_2000001", "LA_T_2000002"]
    assert [s.label for s in samples] == [0, 1, 1, 0]
    assert [s.generator for s in samples] == ["bonafide", "A01", "A04", "bonafide"]
    assert [s.group for s in samples] == ["LA_0079", "LA_0079", "LA_0080", "LA_0080"]
    assert [s.attack_family for s in samples] == [
        "bonafide",
        "autoregressive_vocoder",
        "concatenative_or_hts",
        "bonafide",
    ]
    assert samples[1].extra["attack_kind"] == "TTS"
    assert samples[1].path == asvspoof2019_root / "ASVspoof2019_LA_train" / "flac" / "LA_T_1271820.flac"
    assert samples[1].extra["relpath"] == "ASVspoof2019_LA_train/flac/LA_T_1271820.flac"
    assert {s.source for s in samples} == {"asvspoof2019_la"}


@pytest.mark.parametrize(
    ("partition", "utts"),
    [("dev", ["LA_D_1047731", "LA_D_1105538"]), ("eval", ["LA_E_2834763", "LA_E_8877452", "LA_E_3000000"])],
)
def test_2019_partition_selects_its_protocol_and_audio_folder(asvspoof2019_root, partition, utts):
    samples = ASVspoof2019LA(asvspoof2019_root, partition=partition, check_files=True).samples()
    assert [s.extra["utt"] for s in samples] == utts
    assert all(s.path.parent == asvspoof2019_root / f"ASVspoof2019_LA_{partition}" / "flac" for s in samples)
    assert {s.extra["partition"] for s in samples} == {partition}


def test_2019_eval_attacks_map_through_the_table(asvspoof2019_root):
    a11, bona, a19 = ASVspoof2019LA(asvspoof2019_root, partition="eval").samples()
    assert (a11.generator, a11.attack_family) == ("A11", "griffin_lim")
    assert (a19.generator, a19.attack_family, a19.extra["attack_kind"]) == ("A19", "waveform_filtering", "VC")
    assert bona.label == 0


def test_2019_unknown_partition_is_refused(tmp_path):
    with pytest.raises(ValueError, match="partition"):
        ASVspoof2019LA(tmp_path, partition="test")


def test_2019_missing_protocol_names_the_path(tmp_path):
    reader = ASVspoof2019LA(tmp_path, partition="dev")
    with pytest.raises(FileNotFoundError, match=re.escape(str(reader.protocol_path))):
        reader.samples()


@pytest.mark.parametrize(
    "bad_line",
    [
        "LA_0079 LA_T_1 - A01",
        "LA_0079 LA_T_1 - A01 spoof extra",
        "LA_0079 LA_T_1 - A01 maybe",
        "LA_0079 LA_T_1 - - spoof",
    ],
)
def test_2019_malformed_line_names_file_and_line(tmp_path, bad_line):
    protocol = write(
        tmp_path / "ASVspoof2019_LA_cm_protocols" / "ASVspoof2019.LA.cm.train.trn.txt",
        f"LA_0079 LA_T_0 - - bonafide\n\n{bad_line}\n",
    )
    with pytest.raises(ValueError, match=re.escape(f"{protocol}:3:")):
        ASVspoof2019LA(tmp_path).samples()


def test_2019_check_files_reports_missing_audio(asvspoof2019_root):
    (asvspoof2019_root / "ASVspoof2019_LA_dev" / "flac" / "LA_D_1105538.flac").unlink()
    with pytest.raises(FileNotFoundError, match="LA_D_1105538"):
        ASVspoof2019LA(asvspoof2019_root, partition="dev", check_files=True).samples()
    assert len(ASVspoof2019LA(asvspoof2019_root, partition="dev").samples()) == 2


def test_attack_table_covers_a01_to_a19_with_known_families():
    assert sorted(ASVSPOOF_ATTACKS) == [f"A{i:02d}" for i in range(1, 20)]
    assert {info.family for info in ASVSPOOF_ATTACKS.values()} <= set(SPEECH_FAMILIES)
    assert {info.kind for info in ASVSPOOF_ATTACKS.values()} == {"TTS", "VC", "TTS_VC"}
    # The repeats share their originals' families.
    assert ASVSPOOF_ATTACKS["A16"].family == ASVSPOOF_ATTACKS["A04"].family
    assert ASVSPOOF_ATTACKS["A19"].family == ASVSPOOF_ATTACKS["A06"].family


def test_2021_la_keeps_codec_and_transmission(asvspoof2021_root):
    samples = create_reader("asvspoof2021_la", asvspoof2021_root).samples()
    assert [s.label for s in samples] == [1, 0, 1]
    a07 = samples[0]
    assert (a07.generator, a07.group, a07.attack_family) == ("A07", "LA_0009", "classic_vocoder")
    assert (a07.extra["codec"], a07.extra["transmission"], a07.extra["subset"]) == ("alaw", "ita_tx", "eval")
    assert a07.path == asvspoof2021_root / "ASVspoof2021_LA_eval" / "flac" / "LA_E_9332881.flac"
    assert a07.source == "asvspoof2021_la"
    assert samples[1].attack_family == "bonafide"


def test_2021_subset_filter(asvspoof2021_root):
    samples = create_reader("asvspoof2021_la", asvspoof2021_root, subset="progress").samples()
    assert [s.extra["utt"] for s in samples] == ["LA_E_1000002"]


def test_2021_df_families_and_extra_columns(asvspoof2021_root):
    a09, bona, vcc, a12 = create_reader("asvspoof2021_df", asvspoof2021_root, check_files=True).samples()
    assert (a09.generator, a09.attack_family) == ("A09", "classic_vocoder")
    assert (a09.extra["compression"], a09.extra["source_corpus"]) == ("mp3m4a", "asvspoof")
    assert a09.extra["more"] == ("-", "-", "-", "-")
    assert (bona.label, bona.attack_family) == (0, "bonafide")
    # A VCC system missing from the 2019 table gets the track's own vocoder label.
    assert (vcc.generator, vcc.attack_family) == ("Task1-team20", "autoregressive_vocoder")
    # "unknown" falls back to the attack table.
    assert a12.attack_family == "autoregressive_vocoder"
    assert {s.source for s in (a09, bona, vcc, a12)} == {"asvspoof2021_df"}


def test_2021_df_without_vocoder_column_uses_the_attack_table(tmp_path):
    write(
        tmp_path / "keys" / "DF" / "CM" / "trial_metadata.txt",
        "LA_0043 DF_E_1 low_mp3 asvspoof A08 spoof notrim eval\n",
    )
    (sample,) = create_reader("asvspoof2021_df", tmp_path).samples()
    assert sample.attack_family == "neural_source_filter"


def test_2021_missing_metadata_names_the_path(tmp_path):
    with pytest.raises(FileNotFoundError, match=re.escape(str(tmp_path / "keys" / "LA" / "CM" / "trial_metadata.txt"))):
        create_reader("asvspoof2021_la", tmp_path).samples()


def test_2021_short_line_names_file_and_line(tmp_path):
    path = write(
        tmp_path / "keys" / "LA" / "CM" / "trial_metadata.txt",
        "LA_0009 LA_E_1 alaw ita_tx A07 spoof notrim eval\nLA_0009 LA_E_2 alaw A07 spoof\n",
    )
    with pytest.raises(ValueError, match=re.escape(f"{path}:2:") + ".*at least 8"):
        create_reader("asvspoof2021_la", tmp_path).samples()
