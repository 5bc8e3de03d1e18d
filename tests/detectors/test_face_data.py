"""The face recipe's split rules, on a tiny shared-data tree of empty files."""

from __future__ import annotations

import pytest

from fakeguard.detectors.training.face import FaceDataConfig
from fakeguard.detectors.training.face_data import build_face_splits


@pytest.fixture
def shared_tree(tmp_path):
    faces = tmp_path / "faces"
    rows = {
        "people": ["relpath,label,generator,identity,width,height"]
        + [f"real/p{i}_{k}.jpg,real,human,p{i},100,100" for i in range(20) for k in range(2)],
        "crowd": ["relpath,label,generator,identity,width,height"]
        + [f"real/{i}.jpg,real,human,,100,100" for i in range(30)],
        "swaps": ["relpath,label,generator,identity,width,height"]
        + [f"real/{i}.jpg,real,human,a{i},100,100" for i in range(4)]
        + [f"fake/{i}.jpg,fake,simswap,src=a{i};tgt=a{i + 1},100,100" for i in range(3)],
    }
    for source, lines in rows.items():
        (faces / source).mkdir(parents=True)
        (faces / source / "manifest.csv").write_text("\n".join(lines) + "\n")
    return tmp_path


def test_sources_with_fakes_are_evaluation_only_and_people_never_cross(shared_tree, tmp_path):
    cfg = FaceDataConfig(root=str(shared_tree), file_groups=["crowd"])
    parts = build_face_splits(cfg, tmp_path / "split.json")
    assert {s.source for s in parts["real_fakes"]} == {"swaps"} and len(parts["real_fakes"]) == 7
    for name in ("train", "val", "test"):
        assert all(s.label == 0 and s.source != "swaps" for s in parts[name])
    groups = {name: {s.group for s in parts[name]} for name in ("train", "val", "test")}
    assert not groups["train"] & groups["val"] and not groups["train"] & groups["test"]
    # Unlabelled photos of distinct people are split photo by photo, not kept as one block.
    crowd = {name: sum(s.source == "crowd" for s in parts[name]) for name in ("train", "val", "test")}
    assert crowd["train"] > 0 and crowd["test"] > 0
    assert (tmp_path / "split.json").is_file()


def test_a_held_out_source_leaves_training_and_is_tested_alone(shared_tree):
    parts = build_face_splits(FaceDataConfig(root=str(shared_tree), holdout_sources=["crowd"]))
    assert {s.source for s in parts["holdout"]} == {"crowd"} and len(parts["holdout"]) == 30
    assert all(s.source != "crowd" for name in ("train", "val", "test") for s in parts[name])


def test_unknown_holdout_source_is_a_clear_error(shared_tree):
    with pytest.raises(ValueError, match="holdout_sources not in the data"):
        build_face_splits(FaceDataConfig(root=str(shared_tree), holdout_sources=["nope"]))


def test_fakes_in_a_training_source_are_left_out(shared_tree):
    parts = build_face_splits(FaceDataConfig(root=str(shared_tree), eval_sources=[]))
    assert "real_fakes" in parts and parts["real_fakes"] == []
    assert all(s.label == 0 for name in ("train", "val", "test") for s in parts[name])
