"""What the voice and face recipes share: the training epoch, result rows, metrics tables, score files.

Rows are dicts with ``path``, ``label``, ``source``, ``generator``, ``family``,
``group`` and ``logit`` (NaN where nothing was scored), one per file or face.
"""

from __future__ import annotations

import csv
import math
from pathlib import Path
from typing import Any

import numpy as np
from tqdm import tqdm

from ..calibration import Calibration
from ..metrics import binary_metrics, plot_det_roc


def sample_row(sample: Any, logit: float | None) -> dict[str, Any]:
    """The result row of one scored sample (a :class:`fakeguard.datasets.Sample`); None becomes NaN."""
    return {
        "path": str(sample.path),
        "label": sample.label,
        "source": sample.source,
        "generator": sample.generator,
        "family": sample.attack_family or "",
        "group": sample.group,
        "logit": float("nan") if logit is None else float(logit),
    }


def train_epoch(model: Any, loader: Any, optimizer: Any, epoch: int, step_scheduler: Any = None) -> float:
    """One pass over ``loader`` (a dataset with ``set_epoch``) with ``model.loss``; the mean loss.

    ``step_scheduler`` is stepped after every batch (schedules in steps); schedules in
    epochs are the caller's to step.
    """
    model.train()
    loader.dataset.set_epoch(epoch)
    total, n = 0.0, 0
    bar = tqdm(loader, desc=f"epoch {epoch}", leave=False)
    for inputs, labels in bar:
        optimizer.zero_grad(set_to_none=True)
        loss = model.loss(model(inputs), labels)
        loss.backward()
        optimizer.step()
        if step_scheduler is not None:
            step_scheduler.step()
        total += loss.item() * len(labels)
        n += len(labels)
        bar.set_postfix(loss=f"{total / n:.4f}")
    return total / max(n, 1)


def metrics_table(rows: list[dict[str, Any]], calibration: Calibration) -> dict[str, Any]:
    """Overall, per-source and per-generator metrics (each fake subset against all real files of the set).

    ``per_source_paired`` also compares each source's fakes with that source's own real files only,
    where it has both: sources differ in size and compression, and this comparison holds them equal.
    """
    valid = [r for r in rows if math.isfinite(r["logit"])]
    y = np.array([r["label"] for r in valid])
    z = np.array([r["logit"] for r in valid])
    p = calibration.apply(z)
    out: dict[str, Any] = {"overall": binary_metrics(y, z, p).to_dict(), "unscored": len(rows) - len(valid)}
    real = y == 0
    for key in ("source", "generator", "family"):
        table = {}
        for name in sorted({r[key] for r, lab in zip(valid, y) if lab == 1}):
            mask = real | np.array([r[key] == name and r["label"] == 1 for r in valid])
            table[name] = binary_metrics(y[mask], z[mask], p[mask]).to_dict()
        out[f"per_{key}"] = table
    paired = {}
    sources = np.array([r["source"] for r in valid])
    for name in sorted(set(sources.tolist())):
        mask = sources == name
        if 0 < y[mask].sum() < mask.sum():
            paired[name] = binary_metrics(y[mask], z[mask], p[mask]).to_dict()
    out["per_source_paired"] = paired
    return out


def write_scores(
    rows: list[dict[str, Any]], calibration: Calibration, csv_path: Path, plot_path: Path, name: str, title: str
) -> None:
    """Per-file scores as CSV (with the calibrated probability) and their DET/ROC plot."""
    with open(csv_path, "w", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(rows[0]) + ["probability"])
        writer.writeheader()
        for row in rows:
            prob = float(calibration.apply([row["logit"]])[0]) if math.isfinite(row["logit"]) else ""
            writer.writerow({**row, "probability": prob})
    valid = [r for r in rows if math.isfinite(r["logit"])]
    plot_det_roc({name: ([r["label"] for r in valid], [r["logit"] for r in valid])}, str(plot_path), title=title)
