"""Plots of scores and metrics with matplotlib, for notebooks and for the run folders' PNGs.

Each function draws on the axes it is given (a new figure's when None) and
returns them, so that a notebook can lay several out side by side. The
numbers come from :mod:`fakeguard.detectors.metrics`; nothing is computed
here that a report or an evaluation does not also give.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
from numpy.typing import ArrayLike

from .metrics import _arrays, calibration_curve
from .report import Report, VerdictThresholds

if TYPE_CHECKING:
    from matplotlib.axes import Axes

Curves = Mapping[str, tuple[Sequence[int], Sequence[float]]]
"""``name -> (labels, scores)``: labels 1 = fake, scores higher = more likely fake (logits or probabilities)."""

#: Error rates marked on the DET axes.
DET_TICKS = (0.001, 0.01, 0.05, 0.2, 0.5, 0.8)


def _axes(ax: Axes | None, figsize: tuple[float, float] = (5.5, 4.5)) -> Axes:
    if ax is not None:
        return ax
    import matplotlib.pyplot as plt

    return plt.subplots(figsize=figsize)[1]


def plot_det(curves: Curves, ax: Axes | None = None, title: str = "DET") -> Axes:
    """Detection error trade-off curves: missed fakes against false alarms, on normal-deviate axes.

    Sets with a single class are left out (they have no curve).
    """
    from scipy.stats import norm
    from sklearn.metrics import det_curve

    ax = _axes(ax)
    eps = 1e-4
    for name, (labels, scores) in curves.items():
        y, s = _arrays(labels, scores)
        if y.size == 0 or y.min() == y.max():
            continue
        fpr, fnr, _ = det_curve(y, s)
        ax.plot(norm.ppf(np.clip(fpr, eps, 1 - eps)), norm.ppf(np.clip(fnr, eps, 1 - eps)), label=name)
    ticks = np.array(DET_TICKS)
    ax.set_xticks(norm.ppf(ticks), [f"{t:g}" for t in ticks])
    ax.set_yticks(norm.ppf(ticks), [f"{t:g}" for t in ticks])
    ax.set_xlabel("false positive rate (real called fake)")
    ax.set_ylabel("false negative rate (fake missed)")
    ax.set_title(title)
    ax.grid(True, alpha=0.3)
    if ax.get_legend_handles_labels()[0]:
        ax.legend(fontsize=7, loc="best")
    return ax


def plot_roc(curves: Curves, ax: Axes | None = None, title: str = "ROC") -> Axes:
    """ROC curves with their AUC in the legend (single-class sets are left out)."""
    from sklearn.metrics import roc_auc_score, roc_curve

    ax = _axes(ax)
    for name, (labels, scores) in curves.items():
        y, s = _arrays(labels, scores)
        if y.size == 0 or y.min() == y.max():
            continue
        fpr, tpr, _ = roc_curve(y, s)
        ax.plot(fpr, tpr, label=f"{name} (AUC {roc_auc_score(y, s):.3f})")
    ax.plot([0, 1], [0, 1], "k:", lw=0.8)
    ax.set_xlabel("false positive rate")
    ax.set_ylabel("true positive rate")
    ax.set_title(title)
    ax.grid(True, alpha=0.3)
    if ax.get_legend_handles_labels()[0]:
        ax.legend(fontsize=7, loc="best")
    return ax


def plot_calibration(
    labels: ArrayLike, probs: ArrayLike, n_bins: int = 10, ax: Axes | None = None, title: str = "calibration"
) -> Axes:
    """Reliability diagram: the share of fakes against the mean calibrated score, per bin.

    A calibrated model lies on the diagonal. Marker areas follow the bin counts; the
    ECE (:func:`~fakeguard.detectors.metrics.expected_calibration_error`, same bins) is in the title.
    """
    from .metrics import expected_calibration_error

    ax = _axes(ax)
    mean_p, frac, count = calibration_curve(labels, probs, n_bins)
    seen = count > 0
    ax.plot([0, 1], [0, 1], "k:", lw=0.8, label="perfectly calibrated")
    ax.plot(mean_p[seen], frac[seen], "-", color="C0", lw=1)
    sizes = 20 + 200 * count[seen] / max(1, count.max())
    ax.scatter(mean_p[seen], frac[seen], s=sizes, color="C0", label="bins (area: count)", zorder=3)
    ax.set_xlim(0, 1)
    ax.set_ylim(-0.02, 1.02)
    ax.set_xlabel("mean calibrated score P(fake)")
    ax.set_ylabel("share of fakes")
    ece = expected_calibration_error(labels, probs, n_bins) if int(count.sum()) else float("nan")
    ax.set_title(f"{title} (ECE {ece:.3f})")
    ax.grid(True, alpha=0.3)
    ax.legend(fontsize=7, loc="upper left")
    return ax


def plot_scores(
    scores: Any,
    by: str | None = None,
    thresholds: VerdictThresholds | None = None,
    bins: int = 20,
    ax: Axes | None = None,
    title: str = "score distribution",
) -> Axes:
    """Histogram of calibrated scores with the verdict thresholds marked.

    Args:
        scores: a sequence of scores (None and NaN are left out), or a DataFrame with a
            ``score`` column (a scan's :func:`~fakeguard.service.scan.frame.results_frame`).
        by: with a DataFrame, a column (``kind``, ``verdict``...) whose values get one stacked
            colour each.
        thresholds: where the verdicts change (the defaults when None).
        bins: equal-width bins over [0, 1].
    """
    thresholds = thresholds or VerdictThresholds()
    ax = _axes(ax, (7, 3.5))
    groups: dict[str, np.ndarray] = {}
    if hasattr(scores, "columns"):
        frame = scores
        if by is None:
            groups["all"] = _finite(frame["score"])
        else:
            for name, part in frame.groupby(by, sort=True):
                groups[str(name)] = _finite(part["score"])
    else:
        groups["all"] = _finite(scores)
    groups = {k: v for k, v in groups.items() if v.size}
    edges = np.linspace(0, 1, bins + 1)
    if groups:
        ax.hist(list(groups.values()), bins=edges, stacked=True, label=list(groups))
    for value, name, colour in ((thresholds.real_below, "real below", "green"), (thresholds.fake_at, "fake at", "red")):
        ax.axvline(value, color=colour, ls="--", lw=1, label=f"{name} {value:g}")
    ax.set_xlim(0, 1)
    ax.set_xlabel("calibrated score P(fake)")
    ax.set_ylabel("files")
    ax.set_title(title)
    ax.legend(fontsize=7, loc="best")
    return ax


def _finite(values: Any) -> np.ndarray:
    arr = np.array([np.nan if v is None else v for v in values], dtype=np.float64)
    return arr[np.isfinite(arr)]


def plot_timeline(report: Report, ax: Axes | None = None) -> Axes:
    """A report's per-second face and voice scores (audio and video), with the verdict thresholds.

    The same chart as the report's HTML display, as a matplotlib figure (for papers and slides).
    """
    ax = _axes(ax, (8, 3))
    thresholds = report.thresholds or VerdictThresholds()
    for attr, colour, label in (("face_score", "C0", "face"), ("voice_score", "C1", "voice")):
        xs, ys = [], []
        for entry in report.timeline:
            value = getattr(entry, attr)
            xs += [entry.start_s, entry.end_s, np.nan]
            ys += [np.nan, np.nan, np.nan] if value is None else [value, value, np.nan]
        if any(np.isfinite(ys)):
            ax.plot(xs, ys, color=colour, lw=2, label=label)
    ax.axhline(thresholds.fake_at, color="red", ls="--", lw=1, label=f"fake at {thresholds.fake_at:g}")
    ax.axhline(thresholds.real_below, color="green", ls="--", lw=1, label=f"real below {thresholds.real_below:g}")
    ax.set_ylim(0, 1)
    ax.set_xlabel("seconds")
    ax.set_ylabel("P(fake)")
    ax.set_title(report.file)
    ax.legend(fontsize=7, loc="best")
    return ax
