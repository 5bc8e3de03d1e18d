"""Detection metrics: EER, ROC AUC, expected calibration error and its reliability curve, DET/ROC plots.

Conventions: label 1 = fake/spoof, higher score = more likely fake. ROC
points come from scikit-learn; the EER is read off the ROC where the false
positive and false negative rates cross (interpolated between the two
nearest thresholds).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np
from numpy.typing import ArrayLike
from sklearn.metrics import roc_auc_score, roc_curve


@dataclass(frozen=True)
class BinaryMetrics:
    """Metrics of one set of scores.

    Attributes:
        n_real, n_fake: counts.
        eer: equal error rate (0..1); None when one class is missing.
        eer_threshold: score at the EER.
        auc: ROC AUC; None when one class is missing.
        ece: expected calibration error of the scores read as probabilities (15 bins).
        accuracy_at_half: accuracy when thresholding the probability at 0.5.
    """

    n_real: int
    n_fake: int
    eer: float | None
    eer_threshold: float | None
    auc: float | None
    ece: float | None
    accuracy_at_half: float | None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def _arrays(labels: ArrayLike, scores: ArrayLike) -> tuple[np.ndarray, np.ndarray]:
    y = np.asarray(labels, dtype=np.int64).reshape(-1)
    s = np.asarray(scores, dtype=np.float64).reshape(-1)
    if y.shape != s.shape:
        raise ValueError(f"labels and scores differ in length: {y.size} vs {s.size}")
    if not np.all(np.isfinite(s)):
        raise ValueError("scores contain NaN or infinite values")
    if not np.all((y == 0) | (y == 1)):
        raise ValueError("labels must be 0 (real) or 1 (fake)")
    return y, s


def equal_error_rate(labels: ArrayLike, scores: ArrayLike) -> tuple[float, float]:
    """EER and the threshold where it is reached.

    Raises:
        ValueError: when only one class is present.
    """
    y, s = _arrays(labels, scores)
    if y.min() == y.max():
        raise ValueError("EER needs both real and fake samples")
    fpr, tpr, thresholds = roc_curve(y, s, drop_intermediate=False)
    fnr = 1.0 - tpr
    diff = fpr - fnr
    i = int(np.argmax(diff >= 0))  # first point where FPR has caught up with FNR
    if i == 0:
        return float(fpr[0]), float(thresholds[0])
    # Linear interpolation between points i-1 and i, where fpr-fnr changes sign.
    d0, d1 = diff[i - 1], diff[i]
    w = d0 / (d0 - d1) if d1 != d0 else 0.0
    eer = float(fpr[i - 1] + w * (fpr[i] - fpr[i - 1]))
    # roc_curve's first threshold is +inf: interpolating from it would give inf or nan.
    lo, hi = thresholds[i - 1], thresholds[i]
    thr = lo + w * (hi - lo) if np.isfinite(lo) else hi
    return eer, float(thr)


def expected_calibration_error(labels: ArrayLike, probs: ArrayLike, n_bins: int = 15) -> float:
    """ECE: the mean gap between confidence and accuracy over equal-width probability bins.

    Computed on P(fake) as a binary reliability diagram (each bin compares the
    mean predicted probability with the observed share of fakes).
    """
    mean_p, frac, count = calibration_curve(labels, probs, n_bins)
    seen = count > 0
    return float(np.sum(count[seen] / count.sum() * np.abs(mean_p[seen] - frac[seen])))


def binary_metrics(labels: ArrayLike, scores: ArrayLike, probabilities: ArrayLike | None = None) -> BinaryMetrics:
    """All metrics for one evaluation set.

    Args:
        labels: 1 = fake.
        scores: any monotone score (logits or probabilities) for EER and AUC.
        probabilities: calibrated P(fake) for ECE and accuracy; defaults to
            ``scores`` when those already lie in [0, 1].
    """
    y, s = _arrays(labels, scores)
    n_fake = int(y.sum())
    n_real = int(y.size - n_fake)
    if probabilities is None and s.size and s.min() >= 0 and s.max() <= 1:
        probabilities = s
    ece = acc = None
    if probabilities is not None and y.size:
        _, p = _arrays(y, probabilities)
        ece = expected_calibration_error(y, p)
        acc = float(np.mean((p >= 0.5) == (y == 1)))
    if n_fake == 0 or n_real == 0:
        return BinaryMetrics(n_real, n_fake, None, None, None, ece, acc)
    eer, thr = equal_error_rate(y, s)
    return BinaryMetrics(n_real, n_fake, eer, thr, float(roc_auc_score(y, s)), ece, acc)


def calibration_curve(
    labels: ArrayLike, probs: ArrayLike, n_bins: int = 10
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The points of a reliability diagram: per equal-width probability bin, mean P(fake) and share of fakes.

    The same bins as :func:`expected_calibration_error` (its ECE is the count-weighted mean
    gap between the two).

    Returns:
        ``(mean_probability, fraction_fake, count)``, each ``(n_bins,)``; empty bins have
        count 0 and NaN in the first two.
    """
    y, p = _arrays(labels, probs)
    if p.size and (p.min() < 0 or p.max() > 1):
        raise ValueError("probabilities must lie in [0, 1]")
    bins = np.minimum((p * n_bins).astype(int), n_bins - 1)
    count = np.bincount(bins, minlength=n_bins)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean_p = np.bincount(bins, weights=p, minlength=n_bins) / count
        frac = np.bincount(bins, weights=y, minlength=n_bins) / count
    return mean_p, frac, count


def plot_det_roc(curves: dict[str, tuple[Sequence[int], Sequence[float]]], path: str, title: str = "") -> None:
    """Write a PNG with a DET curve (normal-deviate axes) and a ROC curve for each named set.

    Drawn on a bare matplotlib ``Figure`` (no pyplot), so that training inside a Jupyter
    kernel neither switches its backend nor leaves a figure behind.

    Args:
        curves: name -> (labels, scores).
        path: output PNG path.
        title: figure title.
    """
    from matplotlib.figure import Figure

    from .plots import plot_det, plot_roc

    fig = Figure(figsize=(11, 5))
    ax_det, ax_roc = fig.subplots(1, 2)
    plot_det(curves, ax=ax_det)
    plot_roc(curves, ax=ax_roc)
    if title:
        fig.suptitle(title)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
