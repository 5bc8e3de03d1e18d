"""``fakeguard train image`` / ``eval image`` end to end on drawn faces in a folder dataset.

Checks the mechanics, not the quality: a run folder with every artefact, a
weight folder the image scorer loads, exact resumption, and evaluation.
"""

from __future__ import annotations

import json

import cv2
import pytest
import yaml
from click.testing import CliRunner

from fakeguard.service.cli import cli

pytest.importorskip("dlib")


@pytest.fixture
def tiny_faces(tmp_path, monkeypatch, factory):
    """8 drawn 'people' (skin tone and background differ), one photo each, under real/<person>/."""
    monkeypatch.setenv("FAKEGUARD_CACHE", str(tmp_path / "cache"))
    root = tmp_path / "data"
    for person in range(8):
        skin = (150 + 8 * person, 120 + 5 * person, 100 + 4 * person)
        folder = root / "real" / f"person{person}"
        folder.mkdir(parents=True)
        image = factory.cartoon_face(300, skin=skin, seed=person)
        cv2.imwrite(str(folder / "photo.jpg"), image[..., ::-1])
    config = {
        "model": "face_effnet_lite0",
        "model_args": {"init": None, "input_size": 128},
        "data": {
            "reader": "folder",
            "root": str(root),
            "eval_sources": [],
            "fractions": {"train": 0.5, "val": 0.25, "test": 0.25},
            "max_val_faces": 2,
            "max_test_faces": 2,
        },
        "epochs": 1,
        "epoch_size": 8,
        "batch_size": 4,
        "threads": 1,
        "workers": 0,
        "out_dir": str(tmp_path / "run"),
    }
    path = tmp_path / "tiny.yaml"
    path.write_text(yaml.safe_dump(config))
    return path, tmp_path / "run"


def test_train_resume_and_eval_image(tiny_faces, tmp_path):
    config, run = tiny_faces
    result = CliRunner().invoke(cli, ["train", "image", "--config", str(config)], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    for name in (
        "config.yaml",
        "split.json",
        "last.safetensors",
        "best.safetensors",
        "metrics.json",
        "test_scores.csv",
        "det_roc.png",
        "weights/config.json",
        "weights/model.safetensors",
    ):
        assert (run / name).is_file(), name
    metrics = json.loads((run / "metrics.json").read_text())
    assert len(metrics["history"]) == 1
    # Each test face comes with one pseudo-fake of each kind.
    assert metrics["test"]["overall"]["n_fake"] == 2 * metrics["test"]["overall"]["n_real"] > 0
    assert set(metrics["test"]["per_generator"]) == {"self_blend", "landmark_swap"}
    saved = json.loads((run / "weights" / "config.json").read_text())
    assert saved["model_args"]["init"] is None  # serving never needs the ImageNet package

    result = CliRunner().invoke(
        cli, ["train", "image", "--config", str(config), "--set", "epochs=2"], catch_exceptions=False
    )
    assert result.exit_code == 0, result.output
    resumed = json.loads((run / "metrics.json").read_text())
    assert len(resumed["history"]) == 2 and resumed["history"][0] == metrics["history"][0]

    from fakeguard.detectors.api import Detector

    photo = next((tmp_path / "data" / "real").rglob("*.jpg"))
    report = Detector.load(face_model=str(run / "weights")).score(photo)
    assert report.models[0].name == "face_effnet_lite0.run"
    assert len(report.faces) == 1 and report.score is not None

    out = tmp_path / "eval"
    args = ["eval", "image", str(run / "weights"), "--config", str(config), "--out", str(out)]
    result = CliRunner().invoke(cli, args, catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert json.loads((out / "metrics.json").read_text())["overall"]["n_real"] > 0
