"""Batch scanning of media folders: list files, score each once, keep results in SQLite, export.

``walk`` lists files (local or fsspec URLs), ``store`` keeps one result per
(content hash, models key), ``work`` scores one file the same way in every engine,
``local`` is the engine for one machine (in-process or worker processes),
``ray_engine`` the Ray Data one for clusters, and ``export`` writes CSV, JSON Lines,
Parquet or an HTML report, and ``frame`` loads results into a pandas DataFrame
(``results_frame``, for notebooks). The CLI front end is ``fakeguard scan``.
"""

from __future__ import annotations

from .export import EXPORT_SUFFIXES, export
from .frame import results_frame
from .html_report import write_html_report
from .local import ScanSummary, default_workers, models_key, scan
from .store import ResultStore
from .walk import Listing, WalkEntry, WalkError, walk
from .work import DetectorSpec, score_entry

__all__ = [
    "EXPORT_SUFFIXES",
    "DetectorSpec",
    "Listing",
    "ResultStore",
    "ScanSummary",
    "WalkEntry",
    "WalkError",
    "default_workers",
    "export",
    "models_key",
    "results_frame",
    "scan",
    "score_entry",
    "walk",
    "write_html_report",
]
