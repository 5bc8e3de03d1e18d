"""The Ray engine: the same scan as a Ray Data pipeline, for a cluster the user already runs.

Stages, each a Ray Data operator, streamed (no stage waits for the previous one to finish):

1. **listing** on the driver, with the same :func:`walk` as the local engine (local
   folders, or fsspec URLs that every node can read: ``s3://``, ``gs://``...); files whose
   (path, size, mtime) already have a result are dropped here, from the driver's database.
2. **reading, decoding and inference** in a pool of actors, each holding the models
   loaded once from a :class:`DetectorSpec`, fed batches of files: each file is read and
   hashed (content that already has a result under another path is marked ``reused``),
   then scored with :func:`score_entry`, the local engine's own per-file work.
3. **writing** on the driver: rows are stored in the same SQLite results table as they
   stream back, so an interrupted Ray scan resumes like a local one.

Reading is done by the actors rather than by a separate task operator: on a small
cluster Ray Data gives the actor pool every CPU, and a reading operator then waited for
one (129 s of scheduling wait for 8 files on 2 CPUs, measured); and a local file read
in one stage would be read again in the next.

Local folders must be visible at the same path on every node (a shared mount) when
the cluster has more than one; buckets need no such thing. Install with
``pip install 'fakeguard[distributed]'``.
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from fakeguard.detectors.errors import MediaError

from .local import ScanSummary, _progress, _Recorder, _Tally, models_key
from .store import ResultStore, ScanResult
from .walk import WalkEntry, walk
from .work import DetectorSpec, internal_error, read_entry, score_entry

if TYPE_CHECKING:
    import pandas as pd
    from rich.console import Console

    from fakeguard.detectors.api import Detector

#: Files per batch handed to one actor: large enough to amortise Ray's per-call overhead
#: (a few ms) against files that take 0.05 to several seconds each, small enough that a
#: batch of short videos stays within an actor's memory and an interrupt loses little.
DEFAULT_BATCH_SIZE = 8


def _entry_row(entry: WalkEntry) -> dict[str, Any]:
    return {
        "path": str(entry.path),
        "rel": entry.rel,
        "size": entry.size,
        "mtime_ns": entry.mtime_ns,
        "remote": entry.remote,
    }


def _row_entry(row: dict[str, Any]) -> WalkEntry:
    return WalkEntry(row["path"], row["rel"], int(row["size"]), int(row["mtime_ns"]), remote=bool(row["remote"]))


class _Scorer:
    """Reading, decoding and inference, one per actor with the models loaded once.

    For each file of a batch: read and hash it; content that already has a result is
    marked ``reused`` without scoring; the rest is scored with :func:`score_entry`.
    """

    def __init__(self, spec: DetectorSpec, known: frozenset[str]) -> None:
        self.detector = spec.load()
        self.known = known

    def __call__(self, batch: pd.DataFrame) -> pd.DataFrame:
        import pandas as pd

        return batch.reset_index(drop=True).join(
            pd.DataFrame([self._one(row) for row in batch.to_dict("records")], columns=_OUT_COLUMNS)
        )

    def _one(self, row: dict[str, Any]) -> dict[str, Any]:
        entry = _row_entry(row)
        try:
            src = read_entry(entry)
            sha = src.sha256()
        except MediaError as exc:  # vanished or unreadable: reported, not stored (it may come back)
            return {
                "status": "unreadable",
                "sha256": None,
                "report_json": None,
                "error_json": json.dumps(exc.to_dict()),
            }
        if sha in self.known:
            return {"status": "reused", "sha256": sha, "report_json": None, "error_json": None}
        try:
            result = score_entry(self.detector, entry, src)
        except Exception as exc:  # a bug: reported, not stored, so the next scan retries it
            error = internal_error(entry.key, exc)
            return {"status": "internal", "sha256": sha, "report_json": None, "error_json": json.dumps(error)}
        return {
            "status": "scored",
            "sha256": result.sha256,
            "report_json": json.dumps(result.report) if result.report is not None else None,
            "error_json": json.dumps(result.error) if result.error is not None else None,
        }


_OUT_COLUMNS = ["status", "sha256", "report_json", "error_json"]


def _cluster_workers(ray: Any) -> int:
    """One actor per CPU the cluster offers (each actor runs one torch thread)."""
    return max(1, int(ray.cluster_resources().get("CPU", 1)))


def scan_with_ray(
    paths: Sequence[str],
    store: ResultStore,
    detector: Detector,
    include: Sequence[str] = (),
    exclude: Sequence[str] = (),
    console: Console | None = None,
    on_error: Callable[[dict[str, Any]], None] | None = None,
    address: str | None = None,
    workers: int | None = None,
    batch_size: int = DEFAULT_BATCH_SIZE,
) -> ScanSummary:
    """Scan like :func:`~fakeguard.service.scan.local.scan`, with Ray Data doing the reading and scoring.

    Args:
        paths, store, detector, include, exclude, console, on_error: as for the local engine.
        address: the Ray cluster to join (``ray.init(address=...)``); None uses ``RAY_ADDRESS``
            or, if unset, starts a Ray instance on this machine. A Ray already initialised
            by the caller (a notebook) is used as it is.
        workers: scoring actors (default: one per CPU of the cluster).
        batch_size: files per actor call.

    Raises:
        ImportError: Ray is not installed (with the install command).
    """
    try:
        import ray
        import ray.data
    except ImportError as exc:
        raise ImportError("the ray engine needs Ray: pip install 'fakeguard[distributed]'") from exc

    start = time.perf_counter()
    key = models_key(detector)
    spec = DetectorSpec.from_detector(detector)
    listing = walk(paths, include, exclude)
    report_error = on_error or (lambda _err: None)
    for err in listing.errors:
        report_error(err.to_dict())
    todo = [e for e in listing.files if store.unchanged_sha256(e.key, e.size, e.mtime_ns, key) is None]
    tally = _Tally(skipped=len(listing.files) - len(todo))

    if not ray.is_initialized():
        ray.init(address=address or os.environ.get("RAY_ADDRESS"), log_to_driver=False, include_dashboard=False)
    ctx = ray.data.DataContext.get_current()
    ctx.enable_progress_bars = False  # the scan draws its own, in files
    known = frozenset(store.known_sha256(key))

    with _progress(console) as progress:
        task = progress.add_task("scanning (ray)", total=len(listing.files), completed=tally.skipped)
        rec = _Recorder(store, key, tally, report_error, lambda: progress.advance(task))
        if todo:
            ds = ray.data.from_items([_entry_row(e) for e in todo], override_num_blocks=max(1, len(todo) // batch_size))
            ds = ds.map_batches(
                _Scorer,
                fn_constructor_args=(spec, known),
                batch_size=batch_size,
                batch_format="pandas",
                compute=ray.data.ActorPoolStrategy(size=workers or _cluster_workers(ray)),
                num_cpus=1,
            )
            for batch in ds.iter_batches(batch_size=None, batch_format="pandas"):
                for row in batch.to_dict("records"):
                    entry = _row_entry(row)
                    error = json.loads(row["error_json"]) if row["error_json"] else None
                    if row["status"] == "reused":
                        rec.reused(entry, row["sha256"])
                    elif row["status"] == "scored":
                        report = json.loads(row["report_json"]) if row["report_json"] else None
                        rec.result(ScanResult(entry.key, row["sha256"], entry.size, entry.mtime_ns, report, error))
                    elif row["status"] == "unreadable":  # not stored: it may come back
                        rec.unreadable(error or {"file": entry.key, "error": "unreadable", "reason": "unknown"})
                    else:  # a bug in the actor: not stored, retried next scan
                        rec.internal_error(error or {"file": entry.key, "error": "internal", "reason": "unknown"})
    return tally.summary(listing, start)
