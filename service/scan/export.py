"""Export the scan database to CSV (a spreadsheet's view) or JSON Lines (the whole report per file)."""

from __future__ import annotations

import csv
import json
from pathlib import Path

from .store import EXPORT_COLUMNS, ResultStore


def export(store: ResultStore, models_key: str, target: str | Path) -> int:
    """Write one row per file with a result for ``models_key``; the format follows the suffix.

    ``.csv``: the columns of :data:`EXPORT_COLUMNS` (no report: nested JSON does not fit a cell).
    ``.jsonl``: those columns plus ``report``, the full report (or error) object.

    Returns:
        The number of rows written.

    Raises:
        ValueError: the suffix is neither ``.csv`` nor ``.jsonl``.
    """
    target = Path(target)
    suffix = target.suffix.lower()
    if suffix not in (".csv", ".jsonl"):
        raise ValueError(f"{target}: export format must be .csv or .jsonl")
    n = 0
    with open(target, "w", newline="", encoding="utf-8") as f:
        if suffix == ".csv":
            writer = csv.DictWriter(f, fieldnames=list(EXPORT_COLUMNS), extrasaction="ignore")
            writer.writeheader()
            for row in store.rows(models_key):
                writer.writerow(row)
                n += 1
        else:
            for row in store.rows(models_key):
                f.write(json.dumps(row) + "\n")
                n += 1
    return n
