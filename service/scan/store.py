"""Scan results in an embedded SQLite database, keyed by content hash and models.

One row of ``results`` per (file sha256, models key): the same bytes scored by
the same weights give the same report, so duplicates under several paths are
scored once and a renamed file is not scored again. A second table, ``files``,
maps each path to its (size, mtime, sha256) as last seen, so that a rescan can
skip an unchanged file from ``stat`` alone, without hashing it again.

The database runs in WAL mode with ``synchronous=NORMAL`` and every result is
committed as soon as it is written: a Ctrl-C or ``kill -9`` of the scanner loses
at most the file being scored (WAL commits survive a process crash; only a
power loss may drop the last few, which the next scan simply redoes).
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

SCHEMA = """
CREATE TABLE IF NOT EXISTS results (
    sha256 TEXT NOT NULL,
    models_key TEXT NOT NULL,
    path TEXT NOT NULL,
    size INTEGER NOT NULL,
    mtime_ns INTEGER NOT NULL,
    kind TEXT,
    verdict TEXT,
    score REAL,
    face_score REAL,
    voice_score REAL,
    error_code TEXT,
    error_reason TEXT,
    report_json TEXT,
    scanned_at TEXT NOT NULL,
    provenance TEXT,
    PRIMARY KEY (sha256, models_key)
);
CREATE TABLE IF NOT EXISTS files (
    path TEXT PRIMARY KEY,
    size INTEGER NOT NULL,
    mtime_ns INTEGER NOT NULL,
    sha256 TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS files_sha256 ON files (sha256);
"""

#: Columns of one exported row, in order (the report JSON is added for JSON Lines only).
EXPORT_COLUMNS = (
    "path",
    "sha256",
    "size",
    "mtime_ns",
    "kind",
    "verdict",
    "score",
    "face_score",
    "voice_score",
    "error_code",
    "error_reason",
    "scanned_at",
    "models_key",
    "provenance",
)

#: Columns added after the first release of the table: (name, SQL type), added to older databases on open.
_ADDED_COLUMNS = (("provenance", "TEXT"),)


def _provenance_summary(report: dict[str, Any] | None) -> str | None:
    """The strongest provenance signal in words (``report.provenance.summary``), for a column of its own."""
    provenance = (report or {}).get("provenance") or {}
    return provenance.get("summary")


#: The export columns and the join of paths to results, for the read-only views below :meth:`ResultStore.rows`.
_ROW_SELECT = (
    "f.path, f.sha256, f.size, f.mtime_ns, r.kind, r.verdict, r.score, r.face_score, r.voice_score, "
    "r.error_code, r.error_reason, r.scanned_at, r.models_key, r.provenance"
)
_ROW_JOIN = "FROM files f JOIN results r ON r.sha256 = f.sha256 AND r.models_key = ?"


@dataclass(frozen=True)
class ScanResult:
    """One file's outcome, as stored: a report, or the error that stopped it.

    Attributes:
        path: the path as listed by the walk.
        sha256: hex SHA-256 of the content.
        size: bytes. mtime_ns: modification time, nanoseconds.
        report: ``Report.to_dict()``, or None for an error.
        error: ``MediaError.to_dict()``, or None for a report.
    """

    path: str
    sha256: str
    size: int
    mtime_ns: int
    report: dict[str, Any] | None = None
    error: dict[str, Any] | None = None


class ResultStore:
    """The scan database: open, look up, record, iterate for export.

    Args:
        path: the SQLite file (created with its tables if missing).
    """

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        # isolation_level=None: autocommit; record() opens its own short transaction.
        self.conn = sqlite3.connect(str(self.path), isolation_level=None)
        self.conn.row_factory = sqlite3.Row
        self.conn.execute("PRAGMA journal_mode=WAL")
        self.conn.execute("PRAGMA synchronous=NORMAL")
        self.conn.executescript(SCHEMA)
        present = {row[1] for row in self.conn.execute("PRAGMA table_info(results)")}
        for name, sql_type in _ADDED_COLUMNS:
            if name not in present:  # a database written by an older fakeguard
                self.conn.execute(f"ALTER TABLE results ADD COLUMN {name} {sql_type}")

    def close(self) -> None:
        self.conn.close()

    def __enter__(self) -> ResultStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def models_keys(self) -> list[str]:
        """The models keys that have results, the most recently written first."""
        cursor = self.conn.execute("SELECT models_key FROM results GROUP BY models_key ORDER BY MAX(scanned_at) DESC")
        return [key for (key,) in cursor]

    def unchanged_sha256(self, path: str, size: int, mtime_ns: int, models_key: str) -> str | None:
        """The stored hash of ``path`` if its size and mtime are as recorded and it has a result
        for ``models_key``; None means the file must be hashed (and maybe scored)."""
        row = self.conn.execute(
            "SELECT f.sha256 FROM files f JOIN results r ON r.sha256 = f.sha256 AND r.models_key = ? "
            "WHERE f.path = ? AND f.size = ? AND f.mtime_ns = ?",
            (models_key, path, size, mtime_ns),
        ).fetchone()
        return None if row is None else row[0]

    def has_result(self, sha256: str, models_key: str) -> bool:
        """Whether these bytes were already scored with these models (under any path)."""
        row = self.conn.execute(
            "SELECT 1 FROM results WHERE sha256 = ? AND models_key = ?", (sha256, models_key)
        ).fetchone()
        return row is not None

    def known_sha256(self, models_key: str) -> Iterator[str]:
        """Every content hash with a result for ``models_key`` (the Ray engine ships these to its readers)."""
        for (sha,) in self.conn.execute("SELECT sha256 FROM results WHERE models_key = ?", (models_key,)):
            yield sha

    def remember_file(self, path: str, size: int, mtime_ns: int, sha256: str) -> None:
        """Record the path's current (size, mtime, hash): used when its content already has a result."""
        with self._transaction():
            self._upsert_file(path, size, mtime_ns, sha256)

    def record(self, result: ScanResult, models_key: str) -> None:
        """Store one result and its path, committed before returning."""
        report, error = result.report, result.error
        row = (
            result.sha256,
            models_key,
            result.path,
            result.size,
            result.mtime_ns,
            report.get("kind") if report else None,
            report.get("verdict") if report else "error",
            report.get("score") if report else None,
            report.get("face_score") if report else None,
            report.get("voice_score") if report else None,
            error.get("error") if error else None,
            error.get("reason") if error else None,
            json.dumps(report if report is not None else error),
            datetime.now(timezone.utc).isoformat(timespec="seconds"),
            _provenance_summary(report),
        )
        with self._transaction():
            self.conn.execute(
                "INSERT OR REPLACE INTO results (sha256, models_key, path, size, mtime_ns, kind, verdict, score, "
                "face_score, voice_score, error_code, error_reason, report_json, scanned_at, provenance) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                row,
            )
            self._upsert_file(result.path, result.size, result.mtime_ns, result.sha256)

    def rows(self, models_key: str) -> Iterator[dict[str, Any]]:
        """One dict per known path with a result for ``models_key``, by path: the export's rows.

        The path, size and mtime are the path's own (a duplicate's row names its own file);
        ``report`` holds the parsed report (or error) JSON.
        """
        cursor = self.conn.execute(f"SELECT {_ROW_SELECT}, r.report_json {_ROW_JOIN} ORDER BY f.path", (models_key,))
        for row in cursor:
            out = {name: row[name] for name in EXPORT_COLUMNS}
            out["report"] = json.loads(row["report_json"]) if row["report_json"] else None
            yield out

    # Read-only views for summaries (the HTML report): aggregates and bounded selections in SQL,
    # so that a million-row database is never held in memory.

    def tally(self, models_key: str, bins: int = 20) -> list[dict[str, Any]]:
        """Known paths with a result for ``models_key``, counted by kind, verdict, error code and score bin.

        Args:
            bins: equal-width score bins over [0, 1]: bin ``i`` holds scores in ``[i / bins, (i + 1) / bins)``,
                and a score of 1 falls in the last bin.

        Returns:
            One dict per non-empty group, with ``kind``, ``verdict``, ``error_code``, ``bin`` (None for a
            row without a score) and ``n``; a few hundred at most, whatever the number of files.
        """
        cursor = self.conn.execute(
            "SELECT r.kind, r.verdict, r.error_code, "
            "CASE WHEN r.score IS NULL THEN NULL ELSE MAX(0, MIN(CAST(r.score * ? AS INTEGER), ? - 1)) END, "
            "COUNT(*) FROM files f JOIN results r ON r.sha256 = f.sha256 AND r.models_key = ? GROUP BY 1, 2, 3, 4",
            (bins, bins, models_key),
        )
        return [dict(zip(("kind", "verdict", "error_code", "bin", "n"), row)) for row in cursor]

    def top_scored(self, models_key: str, limit: int) -> Iterator[dict[str, Any]]:
        """The ``limit`` rows with the highest score (ties by path), as :meth:`rows` gives them, report included.

        SQLite keeps only ``limit`` rows while it sorts, so this stays small on a large database.
        """
        cursor = self.conn.execute(
            f"SELECT {_ROW_SELECT}, r.report_json {_ROW_JOIN} WHERE r.score IS NOT NULL "
            "ORDER BY r.score DESC, f.path LIMIT ?",
            (models_key, limit),
        )
        for row in cursor:
            out = {name: row[name] for name in EXPORT_COLUMNS}
            out["report"] = json.loads(row["report_json"]) if row["report_json"] else None
            yield out

    def error_rows(self, models_key: str, limit: int) -> Iterator[dict[str, Any]]:
        """The first ``limit`` rows (by path) whose file could not be scored, without the report."""
        cursor = self.conn.execute(
            f"SELECT {_ROW_SELECT} {_ROW_JOIN} WHERE r.error_code IS NOT NULL ORDER BY f.path LIMIT ?",
            (models_key, limit),
        )
        for row in cursor:
            yield {name: row[name] for name in EXPORT_COLUMNS}

    def _upsert_file(self, path: str, size: int, mtime_ns: int, sha256: str) -> None:
        self.conn.execute(
            "INSERT OR REPLACE INTO files (path, size, mtime_ns, sha256) VALUES (?, ?, ?, ?)",
            (path, size, mtime_ns, sha256),
        )

    def _transaction(self) -> _Transaction:
        return _Transaction(self.conn)


class _Transaction:
    """``BEGIN``/``COMMIT`` (``ROLLBACK`` on error) on an autocommit connection."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn

    def __enter__(self) -> None:
        self.conn.execute("BEGIN")

    def __exit__(self, exc_type: type[BaseException] | None, *rest: object) -> None:
        self.conn.execute("ROLLBACK" if exc_type else "COMMIT")
