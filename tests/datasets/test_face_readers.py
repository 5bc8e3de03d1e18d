"""Face-forgery readers (FaceForensics++, Celeb-DF v2, DFDC) on tiny trees of empty files, and face families."""

from __future__ import annotations

import json
import logging
import re
from pathlib import Path

import pytest
from dataset_trees import touch, write

from fakeguard.datasets import create_reader, list_readers, split_by_group
from fakeguard.datasets._io import iter_csv
from fakeguard.datasets.celebdf import CelebDF
from fakeguard.datasets.dfdc import DFDC
from fakeguard.datasets.families import FACE_FAMILIES, FACE_FAMILY_KEYWORDS, face_family, normalize_generator
from fakeguard.datasets.ffpp import FaceForensicsPP
from fakeguard.datasets.shared import SharedData, default_data_root, find_manifests


def _by_relpath(samples):
    return {s.extra["relpath"]: s for s in samples}


def _sides(split):
    return {s.extra["relpath"]: name for name, part in split.parts.items() for s in part}


def test_face_readers_are_registered():
    assert {"ffpp", "celebdf", "dfdc"} <= set(list_readers())


# --- FaceForensics++ -------------------------------------------------------------------------------

FFPP_FILES = [
    *(f"original_sequences/youtube/c23/videos/{i:03d}.mp4" for i in range(6)),
    "original_sequences/youtube/c23/videos/notes.txt",
    "original_sequences/youtube/c40/videos/000.mp4",
    "original_sequences/youtube/c0/videos/000.mp4",
    "original_sequences/actors/c23/videos/01__kitchen_pan.mp4",
    "original_sequences/actors/c23/videos/02__talking_angry_couch.mp4",
    "manipulated_sequences/Deepfakes/c23/videos/000_003.mp4",
    "manipulated_sequences/Deepfakes/c23/videos/003_000.mp4",
    "manipulated_sequences/Face2Face/c23/videos/001_002.mp4",
    # 002 is in val and 004 in test: this fake straddles two official splits.
    "manipulated_sequences/Face2Face/c23/videos/002_004.mp4",
    "manipulated_sequences/NeuralTextures/c23/videos/000_003.mp4",
    "manipulated_sequences/FaceShifter/c23/videos/004_005.mp4",
    "manipulated_sequences/DeepFakeDetection/c23/videos/01_02__meeting_serious__YVGY8LOK.mp4",
    # FaceSwap downloaded at c40 only.
    "manipulated_sequences/FaceSwap/c40/videos/000_003.mp4",
]
FFPP_SPLITS = {"train": [["000", "003"]], "val": [["001", "002"]], "test": [["004", "005"]]}


@pytest.fixture
def ffpp_root(tmp_path: Path) -> Path:
    """FaceForensics++ as downloaded, with the official-style split JSONs in ``splits/``."""
    root = tmp_path / "FaceForensics++"
    touch(root, FFPP_FILES)
    for name, pairs in FFPP_SPLITS.items():
        write(root / "splits" / f"{name}.json", json.dumps(pairs))
    return root


def test_ffpp_labels_generators_and_families(ffpp_root):
    samples = create_reader("ffpp", ffpp_root).samples()
    by = _by_relpath(samples)
    reals = [s for s in samples if s.label == 0]
    assert len(reals) == 8  # six youtube clips and two actor recordings at c23
    assert {s.generator for s in reals} == {s.attack_family for s in reals} == {"bonafide"}
    fakes = {(s.generator, s.extra["video"]): s for s in samples if s.label == 1}
    assert set(fakes) == {
        ("Deepfakes", "000_003"),
        ("Deepfakes", "003_000"),
        ("Face2Face", "001_002"),
        ("Face2Face", "002_004"),
        ("NeuralTextures", "000_003"),
        ("FaceShifter", "004_005"),
        ("DeepFakeDetection", "01_02__meeting_serious__YVGY8LOK"),
    }
    families = {generator: s.attack_family for (generator, _), s in fakes.items()}
    assert families == {
        "Deepfakes": "face_swap",
        "Face2Face": "reenactment",
        "NeuralTextures": "reenactment",
        "FaceShifter": "face_swap",
        "DeepFakeDetection": "face_swap",
    }
    clip = by["manipulated_sequences/Deepfakes/c23/videos/000_003.mp4"]
    assert clip.path == ffpp_root / clip.extra["relpath"]
    assert clip.extra["compression"] == "c23" and clip.extra["method"] == "Deepfakes"
    assert (clip.extra["target"], clip.extra["source_video"]) == ("000", "003")
    assert all(s.source == "ffpp" for s in samples)
    assert not any(s.extra["relpath"].endswith(".txt") for s in samples)


def test_ffpp_groups_link_target_and_source(ffpp_root):
    by = _by_relpath(FaceForensicsPP(ffpp_root).samples())
    fake = by["manipulated_sequences/Deepfakes/c23/videos/000_003.mp4"]
    assert (fake.group, fake.extra["pair_key"]) == ("ffpp/youtube/000", ("ffpp/youtube/003",))
    assert by["original_sequences/youtube/c23/videos/003.mp4"].group == "ffpp/youtube/003"
    dfd = by["manipulated_sequences/DeepFakeDetection/c23/videos/01_02__meeting_serious__YVGY8LOK.mp4"]
    assert (dfd.group, dfd.extra["pair_key"], dfd.extra["scene"]) == (
        "ffpp/actors/01",
        ("ffpp/actors/02",),
        "meeting_serious__YVGY8LOK",
    )
    assert by["original_sequences/actors/c23/videos/01__kitchen_pan.mp4"].group == "ffpp/actors/01"
    for seed in range(5):
        side = _sides(split_by_group(list(by.values()), {"a": 0.5, "b": 0.5}, seed=seed))
        linked = [
            "original_sequences/youtube/c23/videos/000.mp4",
            "original_sequences/youtube/c23/videos/003.mp4",
            "manipulated_sequences/Deepfakes/c23/videos/000_003.mp4",
            "manipulated_sequences/Deepfakes/c23/videos/003_000.mp4",
            "manipulated_sequences/NeuralTextures/c23/videos/000_003.mp4",
        ]
        assert len({side[rel] for rel in linked}) == 1


def test_ffpp_official_splits(ffpp_root, caplog):
    train = _by_relpath(FaceForensicsPP(ffpp_root, split="train").samples())
    assert sorted(train) == [
        "manipulated_sequences/Deepfakes/c23/videos/000_003.mp4",
        "manipulated_sequences/Deepfakes/c23/videos/003_000.mp4",
        "manipulated_sequences/NeuralTextures/c23/videos/000_003.mp4",
        "original_sequences/youtube/c23/videos/000.mp4",
        "original_sequences/youtube/c23/videos/003.mp4",
    ]
    assert {s.extra["split"] for s in train.values()} == {"train"}
    test = _by_relpath(FaceForensicsPP(ffpp_root, split="test").samples())
    assert sorted(s.extra["video"] for s in test.values()) == ["004", "004_005", "005"]
    val = FaceForensicsPP(ffpp_root, split="val").samples()
    # The straddling fake 002_004 is in neither val nor test; actors and DeepFakeDetection are in no split.
    assert sorted(s.extra["video"] for s in val) == ["001", "001_002", "002"]
    with caplog.at_level(logging.WARNING, logger="fakeguard.datasets.ffpp"):
        everything = _by_relpath(FaceForensicsPP(ffpp_root).samples())
    assert everything["original_sequences/youtube/c23/videos/001.mp4"].extra["split"] == "val"
    assert everything["manipulated_sequences/Face2Face/c23/videos/002_004.mp4"].extra["split"] is None
    assert everything["original_sequences/actors/c23/videos/01__kitchen_pan.mp4"].extra["split"] is None
    assert "not in the same official split" in caplog.text and "002_004.mp4" in caplog.text


def test_ffpp_split_needs_its_file_and_names_it(ffpp_root):
    (ffpp_root / "splits" / "val.json").unlink()
    with pytest.raises(FileNotFoundError, match=re.escape(str(ffpp_root / "splits" / "val.json"))):
        FaceForensicsPP(ffpp_root, split="val").samples()
    # Without a split the files only annotate: a missing one leaves its clips unassigned.
    by = _by_relpath(FaceForensicsPP(ffpp_root).samples())
    assert by["original_sequences/youtube/c23/videos/001.mp4"].extra["split"] is None
    assert by["original_sequences/youtube/c23/videos/000.mp4"].extra["split"] == "train"


def test_ffpp_split_files_beside_the_root_or_elsewhere(ffpp_root, tmp_path):
    for name in FFPP_SPLITS:
        (ffpp_root / "splits" / f"{name}.json").rename(ffpp_root / f"{name}.json")
    assert len(FaceForensicsPP(ffpp_root, split="test").samples()) == 3
    elsewhere = tmp_path / "FaceForensics" / "dataset" / "splits"
    write(elsewhere / "test.json", json.dumps([["000", "003"]]))
    assert len(FaceForensicsPP(ffpp_root, split="test", splits_dir=elsewhere).samples()) == 5


def test_ffpp_bad_split_json_names_file_and_line_or_entry(ffpp_root):
    path = write(ffpp_root / "splits" / "test.json", '[["004", "005"],\n ["001"\n')
    with pytest.raises(ValueError, match=re.escape(f"{path}:3:") + ".*not valid JSON"):
        FaceForensicsPP(ffpp_root, split="test").samples()
    write(path, '[["004", "005"], ["001"]]')
    with pytest.raises(ValueError, match=re.escape(f"{path}: entry [1]")):
        FaceForensicsPP(ffpp_root, split="test").samples()
    write(path, '{"004": "005"}')
    with pytest.raises(ValueError, match=re.escape(str(path)) + ".*list of"):
        FaceForensicsPP(ffpp_root, split="test").samples()
    # A bad file fails even when it would only annotate.
    with pytest.raises(ValueError, match=re.escape(str(path))):
        FaceForensicsPP(ffpp_root).samples()


def test_ffpp_id_in_two_split_files_is_an_error(ffpp_root):
    write(ffpp_root / "splits" / "val.json", json.dumps([["001", "002"], ["003", "009"]]))
    with pytest.raises(ValueError, match="video 003 is in two splits"):
        FaceForensicsPP(ffpp_root).samples()


def test_ffpp_compression_methods_and_actors(ffpp_root):
    c40 = FaceForensicsPP(ffpp_root, compression="c40").samples()
    assert sorted((s.generator, s.extra["video"]) for s in c40) == [("FaceSwap", "000_003"), ("bonafide", "000")]
    assert {s.extra["compression"] for s in c40} == {"c40"}
    raw = FaceForensicsPP(ffpp_root, compression="raw").samples()  # the folder is called c0 here
    assert [s.extra["relpath"] for s in raw] == ["original_sequences/youtube/c0/videos/000.mp4"]
    only = FaceForensicsPP(ffpp_root, methods=["Deepfakes"], include_actors=False).samples()
    assert {s.generator for s in only} == {"bonafide", "Deepfakes"}
    assert not any(s.extra["subset"] == "actors" for s in only)
    with pytest.raises(FileNotFoundError, match=re.escape(str(ffpp_root / "manipulated_sequences" / "FaceSwap"))):
        FaceForensicsPP(ffpp_root, methods=["FaceSwap"]).samples()
    with pytest.raises(ValueError, match="compression"):
        FaceForensicsPP(ffpp_root, compression="c33")
    with pytest.raises(ValueError, match="split"):
        FaceForensicsPP(ffpp_root, split="dev")


def test_ffpp_missing_originals_and_odd_names(ffpp_root, tmp_path, caplog):
    with pytest.raises(FileNotFoundError, match=re.escape(str(tmp_path / "none"))):
        FaceForensicsPP(tmp_path / "none").samples()
    empty = tmp_path / "empty"
    touch(empty, ["manipulated_sequences/Deepfakes/c23/videos/000_001.mp4"])
    with pytest.raises(FileNotFoundError, match=re.escape(str(empty / "original_sequences" / "youtube" / "c23"))):
        FaceForensicsPP(empty).samples()
    touch(ffpp_root, ["manipulated_sequences/Deepfakes/c23/videos/000_003 (copy).mp4"])
    with caplog.at_level(logging.WARNING, logger="fakeguard.datasets.ffpp"):
        samples = FaceForensicsPP(ffpp_root).samples()
    assert "(copy)" in caplog.text
    assert not any("(copy)" in s.extra["relpath"] for s in samples)


# --- Celeb-DF v2 -----------------------------------------------------------------------------------

CELEBDF_LIST = "1 YouTube-real/00170.mp4\n1 Celeb-real/id1_0000.mp4\n\n0 Celeb-synthesis/id1_id0_0000.mp4\n"


@pytest.fixture
def celebdf_root(tmp_path: Path) -> Path:
    """Celeb-DF v2 with its test list (which writes 1 for real)."""
    root = tmp_path / "Celeb-DF-v2"
    touch(
        root,
        [
            "Celeb-real/id0_0000.mp4",
            "Celeb-real/id0_0001.mp4",
            "Celeb-real/id1_0000.mp4",
            "Celeb-real/id16_0000.mp4",
            "Celeb-synthesis/id0_id16_0000.mp4",
            "Celeb-synthesis/id1_id0_0000.mp4",
            "YouTube-real/00170.mp4",
            "YouTube-real/00171.mp4",
        ],
    )
    write(root / "List_of_testing_videos.txt", CELEBDF_LIST)
    return root


def test_celebdf_test_list_labels_are_flipped(celebdf_root):
    test = _by_relpath(create_reader("celebdf", celebdf_root, split="test").samples())
    # The list says 1 for the two real videos and 0 for the fake: the project says 0 and 1.
    assert {rel: s.label for rel, s in test.items()} == {
        "YouTube-real/00170.mp4": 0,
        "Celeb-real/id1_0000.mp4": 0,
        "Celeb-synthesis/id1_id0_0000.mp4": 1,
    }
    assert {s.extra["split"] for s in test.values()} == {"test"}


def test_celebdf_train_is_everything_not_listed(celebdf_root):
    train = CelebDF(celebdf_root, split="train").samples()
    assert len(train) == 5 and {s.extra["split"] for s in train} == {"train"}
    everything = CelebDF(celebdf_root).samples()
    assert len(everything) == len(CelebDF(celebdf_root, split="all").samples()) == 8
    assert [s.extra["folder"] for s in everything][:4] == ["Celeb-real"] * 4  # Celeb-real, YouTube-real, synthesis


def test_celebdf_groups_generators_and_pair_links(celebdf_root):
    by = _by_relpath(CelebDF(celebdf_root).samples())
    fake = by["Celeb-synthesis/id0_id16_0000.mp4"]
    assert (fake.label, fake.generator, fake.attack_family) == (1, "celebdf_v2", "face_swap")
    assert (fake.group, fake.extra["pair_key"], fake.extra["source_identity"]) == ("id0", ("id16",), "id16")
    real = by["Celeb-real/id0_0001.mp4"]
    assert (real.label, real.group, real.generator, real.attack_family) == (0, "id0", "bonafide", "bonafide")
    assert by["YouTube-real/00171.mp4"].group == "youtube/00171"
    for seed in range(5):
        side = _sides(split_by_group(list(by.values()), {"a": 0.5, "b": 0.5}, seed=seed))
        assert (
            side["Celeb-synthesis/id0_id16_0000.mp4"]
            == side["Celeb-real/id16_0000.mp4"]
            == side["Celeb-real/id0_0000.mp4"]
        )


def test_celebdf_list_errors_name_file_and_line(celebdf_root):
    listing = celebdf_root / "List_of_testing_videos.txt"
    write(listing, "1 YouTube-real/00170.mp4\n0 Celeb-real/id0_0000.mp4\n")
    with pytest.raises(ValueError, match=re.escape(f"{listing}:2:") + ".*listed as fake but Celeb-real"):
        CelebDF(celebdf_root).samples()
    write(listing, "1 YouTube-real/00170.mp4\nreal Celeb-real/id0_0000.mp4\n")
    with pytest.raises(ValueError, match=re.escape(f"{listing}:2:") + ".*'real'"):
        CelebDF(celebdf_root, split="test").samples()
    write(listing, "1 YouTube-real/00170.mp4 extra\n")
    with pytest.raises(ValueError, match=re.escape(f"{listing}:1:")):
        CelebDF(celebdf_root, split="test").samples()
    write(listing, "1 Other/00170.mp4\n")
    with pytest.raises(ValueError, match=re.escape(f"{listing}:1:") + ".*not under"):
        CelebDF(celebdf_root, split="test").samples()


def test_celebdf_missing_list_and_folders(celebdf_root, tmp_path, caplog):
    listing = celebdf_root / "List_of_testing_videos.txt"
    write(listing, CELEBDF_LIST + "0 Celeb-synthesis/id9_id1_0003.mp4\n")
    with caplog.at_level(logging.WARNING, logger="fakeguard.datasets.celebdf"):
        assert len(CelebDF(celebdf_root, split="test").samples()) == 3
    assert "id9_id1_0003.mp4" in caplog.text
    listing.unlink()
    with pytest.raises(FileNotFoundError, match=re.escape(str(listing))):
        CelebDF(celebdf_root, split="train").samples()
    assert {s.extra["split"] for s in CelebDF(celebdf_root).samples()} == {None}
    with pytest.raises(FileNotFoundError, match="Celeb-DF folders"):
        CelebDF(tmp_path).samples()
    with pytest.raises(ValueError, match="split"):
        CelebDF(celebdf_root, split="val")


# --- DFDC ------------------------------------------------------------------------------------------


def _metadata(entries: dict[str, tuple[str, str | None]]) -> str:
    return json.dumps(
        {name: {"label": label, "split": "train", "original": orig} for name, (label, orig) in entries.items()}
    )


@pytest.fixture
def dfdc_root(tmp_path: Path) -> Path:
    """Three training parts (one listing a video that was not downloaded) and a test folder."""
    root = tmp_path / "dfdc"
    part0 = {"aaa.mp4": ("REAL", None), "bbb.mp4": ("FAKE", "aaa.mp4"), "ccc.mp4": ("FAKE", "aaa.mp4")}
    write(root / "dfdc_train_part_0" / "metadata.json", _metadata(part0))
    touch(root, ["dfdc_train_part_0/aaa.mp4", "dfdc_train_part_0/bbb.mp4"])  # ccc.mp4 is missing
    write(
        root / "dfdc_train_part_10" / "metadata.json",
        _metadata({"ddd.mp4": ("REAL", None), "eee.mp4": ("FAKE", "ddd.mp4")}),
    )
    touch(root, ["dfdc_train_part_10/ddd.mp4", "dfdc_train_part_10/eee.mp4"])
    write(root / "dfdc_train_part_2" / "metadata.json", _metadata({"fff.mp4": ("REAL", None)}))
    touch(root, ["dfdc_train_part_2/fff.mp4"])
    write(root / "test" / "labels.csv", "filename,label\nttt.mp4,1\nuuu.mp4,0\n")
    touch(root, ["test/ttt.mp4", "test/uuu.mp4"])
    return root


def test_dfdc_parts_labels_groups_and_missing_files(dfdc_root, caplog):
    reader = create_reader("dfdc", dfdc_root)
    with caplog.at_level(logging.WARNING, logger="fakeguard.datasets.dfdc"):
        samples = reader.samples()
    assert [s.path.name for s in samples] == [
        "aaa.mp4",
        "bbb.mp4",
        "fff.mp4",
        "ddd.mp4",
        "eee.mp4",
        "ttt.mp4",
        "uuu.mp4",
    ]
    assert reader.skipped_missing == 1 and "ccc.mp4" in caplog.text and "1 of 3" in caplog.text
    by = _by_relpath(samples)
    real, fake = by["dfdc_train_part_0/aaa.mp4"], by["dfdc_train_part_0/bbb.mp4"]
    assert (real.label, real.generator, real.attack_family, real.group) == (0, "bonafide", "bonafide", "aaa")
    assert (fake.label, fake.generator, fake.attack_family, fake.group) == (1, "dfdc", "face_swap", "aaa")
    assert fake.extra["original"] == "aaa.mp4" and fake.extra["part"] == "dfdc_train_part_0"
    assert fake.extra["dfdc_split"] == "train"
    side = _sides(split_by_group(samples, {"a": 0.5, "b": 0.5}, seed=1))
    assert side["dfdc_train_part_10/ddd.mp4"] == side["dfdc_train_part_10/eee.mp4"]


def test_dfdc_check_files_off_trusts_the_listing(dfdc_root):
    reader = DFDC(dfdc_root, check_files=False)
    samples = reader.samples()
    assert "dfdc_train_part_0/ccc.mp4" in _by_relpath(samples) and reader.skipped_missing == 0
    assert len(samples) == 8


def test_dfdc_test_labels_csv_uses_one_for_fake(dfdc_root):
    by = _by_relpath(DFDC(dfdc_root).samples())
    assert (by["test/ttt.mp4"].label, by["test/uuu.mp4"].label) == (1, 0)
    assert (by["test/ttt.mp4"].group, by["test/ttt.mp4"].extra["part"]) == ("ttt", "test")


def test_dfdc_root_may_be_one_part(dfdc_root):
    part = DFDC(dfdc_root / "dfdc_train_part_10").samples()
    assert [(s.extra["relpath"], s.extra["part"]) for s in part] == [
        ("ddd.mp4", "dfdc_train_part_10"),
        ("eee.mp4", "dfdc_train_part_10"),
    ]


def test_dfdc_errors_name_file_and_line_or_entry(dfdc_root, tmp_path):
    metadata = dfdc_root / "dfdc_train_part_2" / "metadata.json"
    write(metadata, '{"fff.mp4": {"label": "REAL",\n "original": null\n')
    with pytest.raises(ValueError, match=re.escape(f"{metadata}:3:") + ".*not valid JSON"):
        DFDC(dfdc_root).samples()
    write(metadata, json.dumps({"fff.mp4": {"label": "MAYBE"}}))
    with pytest.raises(ValueError, match=re.escape(f"{metadata}: entry 'fff.mp4'") + ".*'MAYBE'"):
        DFDC(dfdc_root).samples()
    write(metadata, json.dumps({"fff.mp4": "REAL"}))
    with pytest.raises(ValueError, match=re.escape(f"{metadata}: entry 'fff.mp4'")):
        DFDC(dfdc_root).samples()
    write(metadata, json.dumps({"fff.mp4": {"label": "REAL"}}))
    labels = write(dfdc_root / "test" / "labels.csv", "filename,label\nttt.mp4,1\nuuu.mp4,FAKE\n")
    with pytest.raises(ValueError, match=re.escape(f"{labels}:3:") + ".*'FAKE'"):
        DFDC(dfdc_root).samples()
    with pytest.raises(FileNotFoundError, match=re.escape(str(tmp_path / "nothing"))):
        DFDC(tmp_path / "nothing").samples()
    (tmp_path / "bare").mkdir()
    with pytest.raises(FileNotFoundError, match="metadata.json or labels.csv"):
        DFDC(tmp_path / "bare").samples()


# --- face families ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("generator", "family"),
    [
        ("GHOST (SberSwap)", "face_swap"),
        ("SimSwap", "face_swap"),
        ("roop (inswapper_128)", "face_swap"),
        ("DeepFaceLab", "face_swap"),
        ("BlendFace (BlendSwap)", "face_swap"),
        ("face swap (BlendFace README illustration)", "face_swap"),
        ("InfoSwap", "face_swap"),
        ("HifiFace (unofficial xuehy; eye-mouth loss)", "face_swap"),
        ("StyleGAN (FFHQ)", "gan_face"),
        ("StyleGAN2 (FFHQ; SeFa edit)", "gan_face"),
        ("Deepfakes", "face_swap"),
        ("FaceSwap", "face_swap"),
        ("FaceShifter", "face_swap"),
        ("DeepFakeDetection", "face_swap"),
        ("Face2Face", "reenactment"),
        ("NeuralTextures", "reenactment"),
        ("celebdf_v2", "face_swap"),
        ("dfdc", "face_swap"),
        ("self_blend", "pseudo_blend"),
        ("pseudo:self_blend", "pseudo_blend"),
        ("landmark_swap", "face_swap"),
    ],
)
def test_face_generators_map_to_their_family(generator, family):
    assert face_family(generator, 1) == family


def test_face_family_real_unknown_and_contradictory():
    assert face_family("human photo (aligned crop)", 0) == "bonafide"
    assert face_family("SimSwap", 0) == "bonafide"
    assert face_family("human photo") == "bonafide"
    assert face_family("SomeSwap", 1) is None  # no guessing from a bare "swap"
    assert face_family("human-like avatar", 1) is None


def test_face_table_uses_only_declared_families_and_normalized_keywords():
    assert {family for _, family in FACE_FAMILY_KEYWORDS} <= set(FACE_FAMILIES)
    assert all(normalize_generator(keyword) == keyword for keyword, _ in FACE_FAMILY_KEYWORDS)


@pytest.mark.shared_data
def test_shared_faces_reads_every_manifest_and_every_fake_has_a_family():
    root = default_data_root()
    manifests = find_manifests(root, ["faces"]) if root.is_dir() else []
    if not manifests:
        pytest.skip(f"no faces manifests under {root} (set FAKEGUARD_DATA to read the shared data)")
    samples = SharedData(root, modality="faces").samples()
    counts: dict[str, int] = {}
    for s in samples:
        counts[s.source] = counts.get(s.source, 0) + 1
    expected = {m.parent.name: sum(1 for _ in iter_csv(m, "manifest", ("relpath",))) for m in manifests}
    assert counts == {name: n for name, n in expected.items() if n}
    unmapped = sorted({s.generator for s in samples if s.is_fake and not s.attack_family})
    assert not unmapped, f"add keywords to FACE_FAMILY_KEYWORDS in fakeguard.datasets.families for: {unmapped}"
    assert {s.attack_family for s in samples if s.is_fake} <= set(FACE_FAMILIES) - {"bonafide"}
