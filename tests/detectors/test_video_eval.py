"""Video-level evaluation on a tiny FaceForensics++ tree of generated clips (mechanics, untrained model)."""

from __future__ import annotations

import csv
import json

import pytest
from click.testing import CliRunner
from model_factory import random_face_weights

from fakeguard.datasets import create_reader
from fakeguard.detectors.pipelines.face import FaceForgeryDetector
from fakeguard.detectors.training.video_eval import evaluate_videos
from fakeguard.service.cli import cli

pytest.importorskip("dlib")


@pytest.fixture(scope="module")
def weights(tmp_path_factory):
    return random_face_weights(tmp_path_factory.mktemp("w") / "face", seed=1)


@pytest.fixture(scope="module")
def ffpp_root(tmp_path_factory):
    """Three real and two fake 2 s clips in FF++'s layout, and one fake that is not a video at all."""
    import media_factory as factory

    root = tmp_path_factory.mktemp("ffpp") / "FaceForensics++"
    real_dir = root / "original_sequences/youtube/c23/videos"
    fake_dir = root / "manipulated_sequences/Deepfakes/c23/videos"
    real_dir.mkdir(parents=True)
    fake_dir.mkdir(parents=True)
    for i, (folder, name) in enumerate(
        [(real_dir, "000.mp4"), (real_dir, "001.mp4"), (real_dir, "002.mp4"), (fake_dir, "000_001.mp4"),
         (fake_dir, "001_000.mp4")]
    ):  # fmt: skip
        frames = [factory.face_scene(480, 360, [(60 + 3 * k + 10 * i, 60, 200)]) for k in range(20)]
        factory.write_video(folder, "mp4", name=name, frames=frames, fps=10, width=480, height=360)
    (fake_dir / "002_000.mp4").write_bytes(b"not a video at all")
    return root


def test_frame_and_video_metrics_for_each_frame_count(ffpp_root, weights, tmp_path):
    samples = create_reader("ffpp", ffpp_root).samples()
    assert len(samples) == 6
    detector = FaceForgeryDetector.load(str(weights))
    results = evaluate_videos(samples, detector, frame_counts=(2, 4), out_dir=tmp_path)
    assert results["videos"] == 6
    assert [e["file"].endswith("002_000.mp4") for e in results["errors"]] == [True], "listed once, not per count"
    for count in (2, 4):
        entry = results["frames"][str(count)]
        assert entry["scored_videos"] == 5 and entry["no_face"] == 0
        assert entry["video"]["overall"]["n_real"] == 3 and entry["video"]["overall"]["n_fake"] == 2
        assert entry["frame"]["overall"]["n_real"] == 3 * count and entry["frame"]["overall"]["n_fake"] == 2 * count
        with open(tmp_path / f"frame_scores_{count}f.csv", newline="") as fh:
            rows = list(csv.DictReader(fh))
        assert len(rows) == 5 * count
        times = sorted(float(r["time_s"]) for r in rows if r["path"].endswith("000.mp4") and "original" in r["path"])
        # Evenly spread: the middle of each of `count` equal parts of the 2 s clip.
        assert times == pytest.approx([(k + 0.5) * 2.0 / count for k in range(count)], abs=0.06)
        assert (tmp_path / f"video_det_roc_{count}f.png").stat().st_size > 0
    assert json.loads((tmp_path / "metrics.json").read_text())["frames"]["4"]["scored_videos"] == 5


def test_cli_eval_video(ffpp_root, weights, tmp_path):
    result = CliRunner().invoke(
        cli,
        ["eval", "video", "--reader", "ffpp", "--root", str(ffpp_root), "--reader-arg", "compression=c23",
         "--face-model", str(weights), "--frames", "2", "--out", str(tmp_path / "out")],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    summary = json.loads(result.output[result.output.index("{") :])
    assert summary["videos"] == 6 and summary["errors"] == 1
    assert 0.0 <= summary["frames"]["2"]["video"]["auc"] <= 1.0
    bad = CliRunner().invoke(cli, ["eval", "video", "--reader", "ffpp", "--root", str(ffpp_root), "--reader-arg", "x"])
    assert bad.exit_code == 2 and "KEY=VALUE" in bad.output
