"""Export the scan database: CSV (a spreadsheet's view), JSON Lines (the whole report per file),
Parquet (typed columns for pandas, DuckDB or Spark) or an offline HTML report (for people).

Every format streams the database: memory stays bounded however many files were scanned.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Callable, Iterable, Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

from .html_report import write_html_report
from .store import EXPORT_COLUMNS, ResultStore

#: The file name suffixes :func:`export` knows (matched case-insensitively), for the CLI to check names early.
EXPORT_SUFFIXES = (".csv", ".jsonl", ".parquet", ".html")

#: Rows per Parquet row group: each batch is written and dropped before the next is read.
PARQUET_BATCH_ROWS = 10_000


def export(store: ResultStore, models_key: str, target: str | Path) -> int:
    """Write one row per file with a result for ``models_key``; the format follows the suffix.

    ``.csv``: the columns of :data:`EXPORT_COLUMNS` (no report: nested JSON does not fit a cell).
    ``.jsonl``: those columns plus ``report``, the full report (or error) object.
    ``.parquet``: those columns typed (integers, floats, a UTC timestamp) plus ``report_json``,
    the report (or error) as a JSON string; see :func:`parquet_schema`.
    ``.html``: a self-contained report for people (:func:`~.html_report.write_html_report`).

    Returns:
        The number of rows written (for ``.html``: the number of files it summarises).

    Raises:
        ValueError: the suffix is not one of :data:`EXPORT_SUFFIXES`.
    """
    target = Path(target)
    writer = _WRITERS.get(target.suffix.lower())
    if writer is None:
        raise ValueError(f"{target}: export format must be one of {', '.join(EXPORT_SUFFIXES)}")
    return writer(store, models_key, target)


def _write_csv(store: ResultStore, models_key: str, target: Path) -> int:
    n = 0
    with open(target, "w", newline="", encoding="utf-8") as f:
        writer = csv.DictWriter(f, fieldnames=list(EXPORT_COLUMNS), extrasaction="ignore")
        writer.writeheader()
        for row in store.rows(models_key):
            writer.writerow(row)
            n += 1
    return n


def _write_jsonl(store: ResultStore, models_key: str, target: Path) -> int:
    n = 0
    with open(target, "w", encoding="utf-8") as f:
        for row in store.rows(models_key):
            f.write(json.dumps(row) + "\n")
            n += 1
    return n


def parquet_schema() -> Any:
    """The Parquet export's ``pyarrow.Schema``: :data:`EXPORT_COLUMNS` in order, then ``report_json``.

    ``size`` and ``mtime_ns`` are int64, the scores float64 (null where absent), ``scanned_at`` a
    UTC timestamp in milliseconds (Parquet has no seconds unit), the rest strings.
    """
    import pyarrow as pa  # imported here: only this export needs it

    types = {
        "size": pa.int64(),
        "mtime_ns": pa.int64(),
        "score": pa.float64(),
        "face_score": pa.float64(),
        "voice_score": pa.float64(),
        "scanned_at": pa.timestamp("ms", tz="UTC"),
    }
    columns = [pa.field(name, types.get(name, pa.string())) for name in EXPORT_COLUMNS]
    return pa.schema([*columns, pa.field("report_json", pa.string())])


def _write_parquet(store: ResultStore, models_key: str, target: Path) -> int:
    import pyarrow as pa
    import pyarrow.parquet as pq

    schema = parquet_schema()
    n = 0
    with pq.ParquetWriter(str(target), schema) as writer:
        for batch in _batches(store.rows(models_key), PARQUET_BATCH_ROWS):
            records = [_parquet_record(row) for row in batch]
            writer.write_batch(pa.RecordBatch.from_pylist(records, schema=schema))
            n += len(records)
    return n


def _parquet_record(row: dict[str, Any]) -> dict[str, Any]:
    record = {name: row[name] for name in EXPORT_COLUMNS}
    # The store writes ISO 8601 with the UTC offset (``2024-05-01T12:00:00+00:00``).
    record["scanned_at"] = datetime.fromisoformat(row["scanned_at"]) if row["scanned_at"] else None
    record["report_json"] = None if row["report"] is None else json.dumps(row["report"])
    return record


def _batches(rows: Iterable[dict[str, Any]], size: int) -> Iterator[list[dict[str, Any]]]:
    batch: list[dict[str, Any]] = []
    for row in rows:
        batch.append(row)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


_WRITERS: dict[str, Callable[[ResultStore, str, Path], int]] = {
    ".csv": _write_csv,
    ".jsonl": _write_jsonl,
    ".parquet": _write_parquet,
    ".html": write_html_report,
}
