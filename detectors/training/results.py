"""What training and evaluation return to Python: the run folder, its metrics and the scored rows.

The CLI prints a summary of these and the notebooks plot them; both get them
from the same recipe functions (:mod:`.voice`, :mod:`.face`).
"""

from __future__ import annotations

import html
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..calibration import Calibration
from ..optional import require_pandas

if TYPE_CHECKING:
    import pandas as pd
    from matplotlib.axes import Axes

#: The metric columns of :meth:`Evaluation.table` and the HTML summaries, in order.
METRIC_COLUMNS = ("n_real", "n_fake", "eer", "auc", "ece", "accuracy_at_half")


def _number(value: Any) -> str:
    if value is None:
        return "-"
    if isinstance(value, float):
        return "nan" if math.isnan(value) else f"{value:.4f}"
    return str(value)


@dataclass(frozen=True)
class Evaluation:
    """Scores of one split and their metrics.

    Attributes:
        split: ``test``, ``val``, ``holdout``, ``real_fakes``.
        metrics: the metrics table (``overall``, ``per_source``, ``per_generator``,
            ``per_family``, ``per_source_paired``, ``unscored``), as ``metrics.json`` holds it.
        rows: one dict per file (voice, ``real_fakes``) or face (face splits): ``path``,
            ``label`` (1 = fake), ``source``, ``generator``, ``family``, ``group``, ``logit``
            (NaN where nothing was scored) and ``probability`` (the calibrated score).
        calibration: the calibration that turned logits into probabilities.
    """

    split: str
    metrics: dict[str, Any] = field(repr=False)
    rows: tuple[dict[str, Any], ...] = field(repr=False)
    calibration: Calibration = field(default_factory=Calibration)

    @classmethod
    def from_rows(
        cls, split: str, metrics: dict[str, Any], rows: Sequence[dict[str, Any]], calibration: Calibration
    ) -> Evaluation:
        """Add the calibrated probability to each row (NaN where the logit is)."""
        scored = []
        for row in rows:
            logit = row["logit"]
            prob = float(calibration.apply([logit])[0]) if math.isfinite(logit) else float("nan")
            scored.append({**row, "probability": prob})
        return cls(split, metrics, tuple(scored), calibration)

    @property
    def overall(self) -> dict[str, Any]:
        """EER, AUC, ECE and counts over the whole split."""
        return self.metrics["overall"]

    def frame(self) -> pd.DataFrame:
        """The rows as a pandas DataFrame."""
        return require_pandas().DataFrame(list(self.rows))

    def table(self, by: str = "generator") -> pd.DataFrame:
        """Metrics per ``source``, ``generator``, ``family`` or ``source_paired`` as a DataFrame, one row each.

        Each group's fakes are measured against all real files of the split (``source_paired``:
        against that source's own real files).
        """
        pd = require_pandas()
        key = f"per_{by}"
        if key not in self.metrics:
            known = sorted(k[4:] for k in self.metrics if k.startswith("per_"))
            raise ValueError(f"no metrics by {by!r}; have {', '.join(known)}")
        frame = pd.DataFrame.from_dict(self.metrics[key], orient="index")
        return frame.reindex(columns=[c for c in METRIC_COLUMNS if c in frame.columns]).rename_axis(by)

    def curves(self, by: str | None = None) -> dict[str, tuple[list[int], list[float]]]:
        """``name -> (labels, logits)`` of the scored rows: the whole split, or each group's fakes with every real.

        Args:
            by: None for one curve, or a row key (``generator``, ``source``, ``family``).
        """
        valid = [r for r in self.rows if math.isfinite(r["logit"])]
        if by is None:
            return {self.split: ([r["label"] for r in valid], [r["logit"] for r in valid])}
        real = [r for r in valid if r["label"] == 0]
        out = {}
        for name in sorted({r[by] for r in valid if r["label"] == 1}):
            fakes = [r for r in valid if r["label"] == 1 and r[by] == name]
            chosen = real + fakes
            out[str(name)] = ([r["label"] for r in chosen], [r["logit"] for r in chosen])
        return out

    def plot_det(self, by: str | None = None, ax: Axes | None = None) -> Axes:
        """DET curve(s) on normal-deviate axes (see :func:`fakeguard.detectors.plots.plot_det`)."""
        from ..plots import plot_det

        return plot_det(self.curves(by), ax=ax, title=f"DET ({self.split})")

    def plot_calibration(self, n_bins: int = 10, ax: Axes | None = None) -> Axes:
        """Reliability diagram of the calibrated scores (:func:`fakeguard.detectors.plots.plot_calibration`)."""
        from ..plots import plot_calibration

        valid = [r for r in self.rows if math.isfinite(r["probability"])]
        return plot_calibration(
            [r["label"] for r in valid],
            [r["probability"] for r in valid],
            n_bins=n_bins,
            ax=ax,
            title=f"calibration ({self.split})",
        )

    def __str__(self) -> str:
        o = self.overall
        return (
            f"{self.split}: {o['n_real']} real, {o['n_fake']} fake; EER {_number(o['eer'])}, "
            f"AUC {_number(o['auc'])}, ECE {_number(o['ece'])}"
        )

    def _repr_html_(self) -> str:
        rows = [("overall", self.overall)] + sorted(self.metrics.get("per_generator", {}).items())
        head = "".join(f"<th>{c}</th>" for c in ("", *METRIC_COLUMNS))
        body = "".join(
            "<tr><th style='text-align:left'>"
            + html.escape(str(name))
            + "</th>"
            + "".join(f"<td>{_number(m.get(c))}</td>" for c in METRIC_COLUMNS)
            + "</tr>"
            for name, m in rows
        )
        caption = html.escape(f"{self.split} split, by generator")
        return f"<table><caption>{caption}</caption><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"

    def _repr_pretty_(self, printer: Any, cycle: bool) -> None:
        printer.text(str(self))


@dataclass(frozen=True)
class TrainResult:
    """A finished training run.

    Attributes:
        run_dir: the run folder (``config.yaml``, ``split.json``, checkpoints, ``metrics.json``, plots).
        weights: the weight folder of the best epoch, calibrated: what
            ``Detector.load(voice_model=...)`` / ``face_model=`` and ``fakeguard score`` take.
        metrics: what ``metrics.json`` holds (history, best epoch, calibration, counts, per-split tables).
        evaluations: the scored splits (``val``, ``test``, and ``holdout`` / ``real_fakes`` where the run has them).
        config: the resolved config the run used (also saved as ``config.yaml``).
    """

    run_dir: Path
    weights: Path
    metrics: dict[str, Any] = field(repr=False)
    evaluations: Mapping[str, Evaluation] = field(repr=False)
    config: Any = field(repr=False, default=None)

    @property
    def test(self) -> Evaluation:
        """The test split's evaluation."""
        return self.evaluations["test"]

    @property
    def history(self) -> list[dict[str, Any]]:
        """One dict per epoch (loss, validation metrics, seconds)."""
        return self.metrics["history"]

    def summary(self) -> dict[str, Any]:
        """The run folder and the overall metrics of each evaluated split (what the CLI prints)."""
        out: dict[str, Any] = {"out_dir": str(self.run_dir)}
        for name in ("test", "holdout", "real_fakes"):
            if name in self.metrics:
                out[name] = self.metrics[name]["overall"]
        return out

    def __str__(self) -> str:
        lines = [f"run {self.run_dir} (best epoch {self.metrics.get('best_epoch')}), weights {self.weights}"]
        lines += [f"  {ev}" for name, ev in self.evaluations.items() if name != "val"]
        return "\n".join(lines)

    def _repr_html_(self) -> str:
        title = html.escape(f"run {self.run_dir}: best epoch {self.metrics.get('best_epoch')}")
        parts = [f"<p><b>{title}</b><br>weights: <code>{html.escape(str(self.weights))}</code></p>"]
        parts += [ev._repr_html_() for name, ev in self.evaluations.items() if name != "val"]
        return "".join(parts)

    def _repr_pretty_(self, printer: Any, cycle: bool) -> None:
        printer.text(str(self))
