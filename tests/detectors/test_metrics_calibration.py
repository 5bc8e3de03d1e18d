"""EER, AUC, ECE and calibration on inputs whose answers are known."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.stats import norm

from fakeguard.detectors.calibration import Calibration, fit_calibration
from fakeguard.detectors.metrics import binary_metrics, equal_error_rate, expected_calibration_error, plot_det_roc


def test_eer_of_perfectly_separated_scores_is_zero():
    eer, threshold = equal_error_rate([0, 0, 1, 1], [0.1, 0.2, 0.8, 0.9])
    assert eer == 0.0
    assert 0.2 <= threshold <= 0.8


def test_eer_of_reversed_scores_is_one():
    eer, _ = equal_error_rate([0, 0, 1, 1], [0.9, 0.8, 0.2, 0.1])
    assert eer == pytest.approx(1.0)


def test_eer_matches_theory_for_two_gaussians():
    rng = np.random.default_rng(0)
    n = 20000
    labels = np.r_[np.zeros(n), np.ones(n)]
    scores = np.r_[rng.normal(-1, 1, n), rng.normal(1, 1, n)]
    eer, threshold = equal_error_rate(labels, scores)
    assert eer == pytest.approx(norm.cdf(-1), abs=0.01)  # 0.1587
    assert threshold == pytest.approx(0.0, abs=0.05)


def test_eer_needs_both_classes_and_finite_scores():
    with pytest.raises(ValueError):
        equal_error_rate([1, 1], [0.2, 0.3])
    with pytest.raises(ValueError):
        equal_error_rate([0, 1], [0.2, float("nan")])


def test_ece_is_zero_for_calibrated_and_large_for_overconfident():
    rng = np.random.default_rng(1)
    p = rng.uniform(0, 1, 50000)
    y = (rng.uniform(0, 1, p.size) < p).astype(int)
    assert expected_calibration_error(y, p) < 0.01
    overconfident = np.where(p > 0.5, 0.99, 0.01)
    assert expected_calibration_error(y, overconfident) > 0.2


def test_binary_metrics_reports_none_for_one_class():
    m = binary_metrics([1, 1, 1], [0.9, 0.8, 0.7])
    assert m.eer is None and m.auc is None and m.n_fake == 3 and m.n_real == 0


def test_platt_and_temperature_recover_the_true_posterior():
    rng = np.random.default_rng(2)
    y = rng.integers(0, 2, 40000)
    z = np.where(y == 1, 1.0, -1.0) + rng.normal(0, 1, y.size)  # true posterior logit = 2 z
    raw = 10 * z  # an over-confident model
    for method in ("platt", "temperature"):
        cal = fit_calibration(raw, y, method)
        assert cal.scale == pytest.approx(0.2, rel=0.1), method
        assert expected_calibration_error(y, cal.apply(raw)) < 0.02
    assert fit_calibration(raw, y, "temperature").bias == 0.0


def test_calibration_round_trips_and_rejects_bad_input():
    cal = Calibration("platt", 0.5, -0.1)
    assert Calibration.from_dict(cal.to_dict()) == cal
    assert Calibration.from_dict(None) == Calibration()
    with pytest.raises(ValueError):
        fit_calibration([0.1, 0.2], [1, 1])
    with pytest.raises(ValueError):
        fit_calibration([0.1, 0.2], [0, 1], "isotonic")


def test_det_roc_plot_writes_a_png(tmp_path):
    rng = np.random.default_rng(3)
    y = rng.integers(0, 2, 200)
    plot_det_roc({"set": (y, y + rng.normal(0, 0.5, 200))}, str(tmp_path / "p.png"), title="t")
    assert (tmp_path / "p.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
