"""Batch scanning of media folders: list files, score each once, keep results in SQLite, export.

``walk`` lists files, ``store`` keeps one result per (content hash, models key),
``run`` is the local engine that ties them to a :class:`~fakeguard.detectors.api.Detector`,
and ``export`` writes CSV or JSON Lines. The CLI front end is ``fakeguard scan``.
"""

from __future__ import annotations

from .export import export
from .run import ScanSummary, models_key, scan
from .store import ResultStore
from .walk import Listing, WalkEntry, WalkError, walk

__all__ = ["Listing", "ResultStore", "ScanSummary", "WalkEntry", "WalkError", "export", "models_key", "scan", "walk"]
