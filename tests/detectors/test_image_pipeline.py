"""Image files to reports through the face-forgery detector (an untrained model: mechanics, not quality)."""

from __future__ import annotations

import base64
import json

import cv2
import numpy as np
import pytest
import torch
from click.testing import CliRunner
from model_factory import random_face_weights

from fakeguard.detectors.api import Detector
from fakeguard.detectors.calibration import Calibration
from fakeguard.detectors.errors import CorruptMedia
from fakeguard.detectors.pipelines.face import FaceForgeryDetector
from fakeguard.detectors.report import Verdict
from fakeguard.service.cli import cli

pytest.importorskip("dlib")


@pytest.fixture(scope="module")
def weights(tmp_path_factory):
    """A randomly initialised face model saved as a weight folder (a small input size keeps it fast)."""
    return random_face_weights(tmp_path_factory.mktemp("w") / "face")


@pytest.fixture(scope="module")
def detector(weights):
    return Detector.load(face_model=str(weights))


@pytest.fixture
def two_faces(tmp_path, factory):
    image = np.concatenate([factory.cartoon_face(300, seed=1), factory.cartoon_face(300, skin=(160, 120, 100))], 1)
    path = tmp_path / "pair.jpg"
    cv2.imwrite(str(path), image[..., ::-1])
    return path


def test_every_face_is_scored_and_the_image_takes_the_highest(detector, two_faces):
    report = detector.score(two_faces)
    assert report.kind.value == "image" and len(report.faces) == 2
    assert report.score == pytest.approx(max(f.score for f in report.faces))
    assert all(0 <= f.score <= 1 for f in report.faces)
    left, right = sorted(report.faces, key=lambda f: f.box.x0)
    assert left.box.x1 < 300 < right.box.x0  # one face in each half
    assert report.models[0].name == "face_effnet_lite0.test" and report.models[0].task == "face"
    stages = {t.stage for t in report.timings}
    assert {"decode", "detect_faces", "classify_faces"} <= stages
    assert report.reasons


def test_no_face_is_a_result_with_a_warning(detector, tmp_path):
    path = tmp_path / "wall.png"
    cv2.imwrite(str(path), np.full((200, 300, 3), 90, np.uint8))
    report = detector.score(path)
    assert report.faces == [] and report.score is None and report.verdict is Verdict.UNCERTAIN
    assert [w.code for w in report.warnings] == ["no_face"]


def test_heatmaps_are_png_overlays_of_each_face(detector, two_faces):
    report = detector.score(two_faces, heatmaps=True)
    for face in report.faces:
        png = base64.b64decode(face.heatmap_png)
        decoded = cv2.imdecode(np.frombuffer(png, np.uint8), cv2.IMREAD_COLOR)
        assert decoded.shape == (128, 128, 3)
    assert "heatmaps" in {t.stage for t in report.timings}


def test_boxes_are_in_stored_pixels_when_a_large_jpeg_is_decoded_small(detector, tmp_path, factory):
    canvas = np.full((2400, 3200, 3), 120, np.uint8)
    canvas[800:1600, 1200:2000] = cv2.resize(factory.cartoon_face(300), (800, 800))
    path = tmp_path / "big.jpg"
    cv2.imwrite(str(path), canvas[..., ::-1])
    (face,) = detector.score(path).faces
    assert 1200 <= face.box.x0 < face.box.x1 <= 2000 and 800 <= face.box.y0 < face.box.y1 <= 1700


def test_small_faces_get_a_low_resolution_warning(detector, tmp_path, factory):
    path = tmp_path / "small.png"
    cv2.imwrite(str(path), factory.cartoon_face(150)[..., ::-1])
    report = detector.score(path)
    assert len(report.faces) == 1 and "low_resolution" in {w.code for w in report.warnings}


def test_a_broken_image_is_a_typed_error_naming_the_file(detector, tmp_path, two_faces):
    broken = tmp_path / "broken.jpg"
    broken.write_bytes(two_faces.read_bytes()[:400])
    with pytest.raises(CorruptMedia, match="broken.jpg"):
        detector.score(broken)


def test_calibration_of_the_weights_is_applied(weights, factory):
    base = FaceForgeryDetector.load(str(weights))
    shifted = FaceForgeryDetector(base.model, base.info, calibration=Calibration("platt", 1.0, 5.0))
    image = factory.cartoon_face(300)
    a, b = base.score_pixels(image), shifted.score_pixels(image)
    assert a.image_logit == pytest.approx(b.image_logit)
    assert b.image_score > a.image_score


def test_cli_scores_images_and_writes_heatmaps(weights, two_faces, tmp_path):
    out = tmp_path / "maps"
    args = ["score", str(two_faces), "--face-model", str(weights), "--json", "--heatmaps", str(out)]
    result = CliRunner().invoke(cli, args, catch_exceptions=False)
    assert result.exit_code == 0, result.output
    report = json.loads(result.output.strip().splitlines()[-1])
    assert len(report["faces"]) == 2
    assert sorted(p.name for p in out.iterdir()) == ["pair.face1.png", "pair.face2.png"]


def test_default_face_weights_are_shipped_with_a_model_card():
    from fakeguard.detectors.weights import DEFAULT_MODELS, WEIGHTS_DIR

    folder = WEIGHTS_DIR / DEFAULT_MODELS["face"]
    assert (folder / "model.safetensors").is_file() and (folder / "config.json").is_file()
    config = json.loads((folder / "config.json").read_text())
    assert config["task"] == "face" and config["model_args"]["init"] is None
    card = (folder / "MODEL_CARD.md").read_text()
    for section in ("## Training data and splits", "## Command", "## Metrics", "## Known failure cases", "## Licences"):
        assert section in card


def test_shipped_face_model_scores_the_example_portrait(tmp_path):
    from pathlib import Path

    portrait = Path(__file__).resolve().parents[2] / "examples" / "portrait.jpg"
    result = CliRunner().invoke(cli, ["score", "--json", str(portrait)], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    report = json.loads(result.output.strip().splitlines()[-1])
    assert len(report["faces"]) == 1 and 0 <= report["score"] <= 1
    assert report["models"][0]["name"].startswith("face_effnet_lite0.")


def test_heatmaps_are_dimmed_by_the_face_score(weights, factory):
    detector = FaceForgeryDetector.load(str(weights))
    torch.manual_seed(1)
    torch.nn.init.normal_(detector.model.backbone.get_classifier().weight)  # the saved head is zero: no gradient
    crop = detector.extract(factory.cartoon_face(300))[0].crop.image

    def overlay(score):
        png = base64.b64decode(detector.heatmaps([crop], [score])[0])
        return cv2.imdecode(np.frombuffer(png, np.uint8), cv2.IMREAD_COLOR).astype(int)

    plain = crop[..., ::-1].astype(int)
    # At score 0 the overlay is the crop under the darkest colour-map tint; at 1 the map shows.
    assert np.abs(overlay(1.0) - plain).sum() > np.abs(overlay(0.0) - plain).sum()
