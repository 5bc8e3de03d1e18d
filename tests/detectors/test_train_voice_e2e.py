"""``fakeguard train voice`` / ``eval voice`` end to end on a tiny generated folder dataset.

Checks the mechanics, not the quality: a run folder with every artefact, a
weight folder the detector can load, exact resumption, and evaluation.
"""

from __future__ import annotations

import json

import numpy as np
import pytest
import soundfile as sf
import yaml
from click.testing import CliRunner

from fakeguard.service.cli import cli

SR = 16000


def _voice(rng: np.random.Generator, f0: float, seconds: float = 1.5) -> np.ndarray:
    t = np.arange(int(seconds * SR)) / SR
    wave = sum(np.sin(2 * np.pi * k * f0 * t) / k for k in range(1, 10)) * (0.5 - 0.5 * np.cos(2 * np.pi * 3 * t))
    return (0.1 * wave + 0.005 * rng.standard_normal(t.size)).astype(np.float32)


@pytest.fixture
def tiny_dataset(tmp_path, monkeypatch):
    """6 speakers, each with 2 real clips and 2 'fake' (crudely degraded) clips, as real/ and fake/<gen>/."""
    monkeypatch.setenv("FAKEGUARD_CACHE", str(tmp_path / "cache"))
    rng = np.random.default_rng(0)
    root = tmp_path / "data"
    for speaker in range(6):
        for i in range(2):
            wave = _voice(rng, 100 + 20 * speaker + 5 * i)
            (root / "real" / f"spk{speaker}").mkdir(parents=True, exist_ok=True)
            sf.write(root / "real" / f"spk{speaker}" / f"{i}.wav", wave, SR)
            fake = np.sign(wave) * np.abs(wave) ** 0.5 * 0.3  # a harsh, vocoder-like distortion
            (root / "fake" / "buzz" / f"spk{speaker}").mkdir(parents=True, exist_ok=True)
            sf.write(root / "fake" / "buzz" / f"spk{speaker}" / f"{i}.wav", fake.astype(np.float32), SR)
    config = {
        "model": "voice_lcnn_small",
        "model_args": {"width": 0.125, "window_s": 1.0, "hop_s": 0.5},
        "data": {"reader": "folder", "root": str(root), "fractions": {"train": 0.5, "val": 0.25, "test": 0.25}},
        "epochs": 2,
        "epoch_size": 16,
        "batch_size": 8,
        "workers": 0,
        "out_dir": str(tmp_path / "run"),
    }
    path = tmp_path / "tiny.yaml"
    path.write_text(yaml.safe_dump(config))
    return path, tmp_path / "run"


def test_train_resume_and_eval_voice(tiny_dataset, tmp_path):
    config, run = tiny_dataset
    result = CliRunner().invoke(cli, ["train", "voice", "--config", str(config)], catch_exceptions=False)
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
    assert len(metrics["history"]) == 2
    assert metrics["test"]["overall"]["n_real"] > 0 and metrics["test"]["overall"]["n_fake"] > 0
    assert set(metrics["calibration"]) == {"method", "scale", "bias"}

    # Resume: asking for one more epoch trains only that epoch and keeps the first two as they were.
    result = CliRunner().invoke(
        cli, ["train", "voice", "--config", str(config), "--set", "epochs=3"], catch_exceptions=False
    )
    assert result.exit_code == 0, result.output
    resumed = json.loads((run / "metrics.json").read_text())
    assert len(resumed["history"]) == 3
    assert resumed["history"][:2] == metrics["history"][:2]

    # The weight folder loads into the serving detector and scores a file.
    from fakeguard.detectors.api import Detector

    clip = next((tmp_path / "data" / "real").rglob("*.wav"))
    report = Detector.load(voice_model=str(run / "weights")).score(clip)
    assert report.models[0].name == "voice_lcnn_small.run" and report.score is not None

    out = tmp_path / "eval"
    args = ["eval", "voice", str(run / "weights"), "--config", str(config), "--out", str(out)]
    result = CliRunner().invoke(cli, args, catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert json.loads((out / "metrics.json").read_text())["overall"]["n_real"] > 0
    assert (out / "det_roc.png").is_file()


def test_unknown_config_key_is_a_clear_error(tiny_dataset):
    config, _ = tiny_dataset
    result = CliRunner().invoke(cli, ["train", "voice", "--config", str(config), "--set", "epoch=3"])
    assert result.exit_code == 2  # a usage error, not a traceback
    assert "unknown config key 'epoch'" in result.output
