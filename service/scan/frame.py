"""A scan database as a pandas DataFrame, for notebooks: one row per file, the report beside the columns.

The rows are the export's (:meth:`ResultStore.rows`: a duplicate file has its
own row under its own path) with ``report`` kept as a dict, so that a
notebook can sort and filter on the columns and open any row's full report.
pandas is imported here only, on use (``fakeguard[notebooks]``).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from fakeguard.detectors.optional import require_pandas

from .store import EXPORT_COLUMNS, ResultStore

if TYPE_CHECKING:
    import pandas as pd

#: The frame's columns: the export's, then the report (or error) dict.
FRAME_COLUMNS = (*EXPORT_COLUMNS, "report")


def results_frame(store: ResultStore | str | Path, models_key: str | None = None) -> pd.DataFrame:
    """The results of one models key, one row per known path, sorted by path.

    Args:
        store: an open :class:`ResultStore`, or the path of a scan database (``fakeguard scan --db``).
        models_key: whose results (:func:`fakeguard.service.scan.models_key` of a detector); None
            takes the database's only key.

    Returns:
        Columns :data:`FRAME_COLUMNS`: ``path``, ``sha256``, ``size``, ``mtime_ns``, ``kind``,
        ``verdict`` (``error`` for a file that could not be read), ``score``, ``face_score``,
        ``voice_score`` (NaN where there is none), ``error_code``, ``error_reason``,
        ``scanned_at`` (UTC timestamps), ``models_key`` and ``report`` (the report dict, or the
        error dict). Rebuild a typed report with ``Report.from_dict(row.report)``.

    Raises:
        FileNotFoundError: no database at that path.
        ValueError: ``models_key`` is None and the database holds results of several models.
        ImportError: pandas is missing.
    """
    pd = require_pandas()
    if not isinstance(store, ResultStore):
        path = Path(store)
        if not path.is_file():
            raise FileNotFoundError(f"{path}: no scan database there")
        with ResultStore(path) as opened:
            return results_frame(opened, models_key)
    if models_key is None:
        keys = store.models_keys()
        if len(keys) > 1:
            raise ValueError(f"{store.path} holds results of several models; name one of: {', '.join(keys)}")
        models_key = keys[0] if keys else ""
    frame = pd.DataFrame(list(store.rows(models_key)), columns=list(FRAME_COLUMNS))
    for column in ("score", "face_score", "voice_score"):
        frame[column] = pd.to_numeric(frame[column], errors="coerce").astype("float64")
    frame["scanned_at"] = pd.to_datetime(frame["scanned_at"], utc=True)
    return frame
