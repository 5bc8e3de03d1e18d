"""Training from Python: configs as paths, mappings or dataclasses with overrides; evaluations and their plots."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import numpy as np
import pytest
import yaml

from fakeguard.detectors.calibration import Calibration
from fakeguard.detectors.metrics import calibration_curve, expected_calibration_error
from fakeguard.detectors.plots import plot_calibration, plot_det, plot_roc, plot_scores
from fakeguard.detectors.training import Evaluation, FaceTrainConfig, VoiceTrainConfig
from fakeguard.detectors.training.config import load_config, resolve_config
from fakeguard.detectors.training.face import face_config
from fakeguard.detectors.training.tables import metrics_table
from fakeguard.detectors.training.voice import default_config_path, voice_config


def test_a_config_is_a_path_a_mapping_or_a_config_and_overrides_apply_alike(tmp_path):
    cli = load_config(VoiceTrainConfig, default_config_path(), ["epochs=2", "data.sources=[pwg_demo]"])
    from_path = voice_config(default_config_path(), epochs=2, data={"sources": ["pwg_demo"]})
    from_dotted = voice_config(None, **{"epochs": 2, "data.sources": ["pwg_demo"]})
    from_mapping = voice_config(
        yaml.safe_load(default_config_path().read_text()), ["epochs=2"], **{"data.sources": ["pwg_demo"]}
    )
    assert cli == from_path == from_dotted == from_mapping
    assert from_path.data.split_seed == 0 and from_path.data.pseudo_fakes == ["mel_griffinlim"]  # the rest kept
    again = voice_config(from_path, batch_size=4)
    assert again.batch_size == 4 and again.epochs == 2 and again.data == from_path.data
    assert resolve_config(FaceTrainConfig).epochs == FaceTrainConfig().epochs  # no config: the dataclass defaults
    assert face_config(None).out_dir == "runs/face_effnet_lite0"  # None: the shipped config


@pytest.mark.parametrize("values", [{"epoch": 3}, {"data": {"holdout": "x"}}, {"epochs": "many"}])
def test_python_overrides_are_checked_as_the_cli_checks_them(values):
    with pytest.raises(ValueError):
        voice_config(None, **values)


def _rows(rng: np.random.Generator) -> list[dict]:
    rows = []
    for i in range(60):
        label = int(i % 3 != 0)
        generator = "human" if label == 0 else ("gan" if i % 3 == 1 else "tts")
        logit = rng.normal(1.5 if label else -1.5) + (1.0 if generator == "tts" else 0.0)
        rows.append(
            {"path": f"{i}.wav", "label": label, "source": "s", "generator": generator, "family": generator,
             "group": str(i), "logit": logit}
        )  # fmt: skip
    rows.append({**rows[0], "path": "silent.wav", "logit": float("nan")})
    return rows


def test_evaluation_rows_tables_curves_and_plots():
    rows = _rows(np.random.default_rng(0))
    calibration = Calibration("platt", 0.8, 0.1)
    ev = Evaluation.from_rows("test", metrics_table(rows, calibration), rows, calibration)
    assert ev.overall["n_real"] == 20 and ev.metrics["unscored"] == 1
    assert ev.rows[0]["probability"] == pytest.approx(calibration.apply([rows[0]["logit"]])[0])
    assert np.isnan(ev.rows[-1]["probability"])
    table = ev.table("generator")
    assert list(table.index) == ["gan", "tts"] and table.loc["tts", "auc"] >= table.loc["gan", "auc"]
    with pytest.raises(ValueError, match="generator"):
        ev.table("speaker")
    curves = ev.curves("generator")
    assert set(curves) == {"gan", "tts"} and len(curves["gan"][0]) == 20 + 20
    assert len(ev.curves()["test"][0]) == 60
    assert len(ev.frame()) == 61
    assert ev.plot_det(by="generator").get_legend_handles_labels()[1] == ["gan", "tts"]
    assert "ECE" in ev.plot_calibration().get_title()
    assert "EER" in str(ev) and "<table>" in ev._repr_html_() and "tts" in ev._repr_html_()


def test_calibration_curve_is_the_ece_bins():
    rng = np.random.default_rng(1)
    p = rng.uniform(size=500)
    y = (rng.uniform(size=500) < p).astype(int)
    mean_p, frac, count = calibration_curve(y, p, n_bins=15)
    seen = count > 0
    assert count.sum() == 500
    ece = float(np.sum(count[seen] / 500 * np.abs(mean_p[seen] - frac[seen])))
    assert ece == pytest.approx(expected_calibration_error(y, p))
    assert np.all(np.isnan(calibration_curve([1], [0.95], n_bins=4)[0][:3]))


def test_plots_draw_on_given_axes():
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, 4)
    curves = {"a": ([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8]), "one class": ([1, 1], [0.2, 0.3])}
    assert plot_det(curves, ax=axes[0]) is axes[0] and len(axes[0].lines) == 1
    assert plot_roc(curves, ax=axes[1]) is axes[1]
    assert plot_calibration([0, 1, 1], [0.2, 0.7, 0.9], ax=axes[2]) is axes[2]
    assert plot_scores([0.1, None, float("nan"), 0.9], ax=axes[3]) is axes[3]
    plt.close(fig)
