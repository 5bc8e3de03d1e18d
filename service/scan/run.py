"""The local scan engine: one :class:`Detector`, one file at a time, every result stored as it comes.

Sequential for now. The next step is a pool of decode workers (processes that
sniff and decode under the intake limits) feeding the one model process, since
decoding, not the model, dominates on small CPUs; a Ray engine for clusters
follows the same ``scan`` contract.
"""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    ProgressColumn,
    Task,
    TextColumn,
    TimeRemainingColumn,
)
from rich.text import Text

from fakeguard.detectors.errors import MediaError
from fakeguard.detectors.intake.source import as_source

from .store import ResultStore, ScanResult
from .walk import WalkError, walk

if TYPE_CHECKING:
    from fakeguard.detectors.api import Detector

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ScanSummary:
    """What one scan did.

    Attributes:
        seen: files listed (after include/exclude).
        skipped: unchanged files with a stored result (not even hashed).
        reused: changed or new paths whose content already had a result (hashed, not scored).
        scored: files scored now (reports and media errors both).
        failed: files with a media error now, plus files and folders that could not be read.
        internal: files that hit a bug (logged, not stored, so the next scan retries them).
        seconds: wall time.
        walk_errors: what the listing could not read.
    """

    seen: int
    skipped: int
    reused: int
    scored: int
    failed: int
    internal: int
    seconds: float
    walk_errors: tuple[WalkError, ...] = field(default_factory=tuple)


def models_key(detector: Detector) -> str:
    """A stable string naming the loaded models and their weight hashes.

    Results are only valid for the weights that made them: a new weight file gives a new
    key, and every file is scored again under it. Both models are named even when a folder
    holds one kind of media, so the key does not depend on what is being scanned.
    """
    infos = [detector.voice.model_info, detector.face.model_info]
    return ";".join(sorted(f"{i.name}@{i.weights_sha256}" for i in infos if i is not None))


class _RateColumn(ProgressColumn):
    """Files per second (rich's own speed column counts bytes)."""

    def render(self, task: Task) -> Text:
        speed = task.finished_speed or task.speed
        return Text("-- files/s" if speed is None else f"{speed:.2f} files/s", style="progress.data.speed")


def _progress(console: Console | None) -> Progress:
    console = console or Console(stderr=True)
    return Progress(
        TextColumn("[progress.description]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        _RateColumn(),
        TimeRemainingColumn(),
        console=console,
        disable=not console.is_terminal,  # silent off a TTY: logs and pipes stay clean
    )


def scan(
    paths: Sequence[str],
    store: ResultStore,
    detector: Detector,
    include: Sequence[str] = (),
    exclude: Sequence[str] = (),
    console: Console | None = None,
    on_error: Callable[[dict[str, Any]], None] | None = None,
) -> ScanSummary:
    """Score every file under ``paths`` that has no result for the detector's models yet.

    For each listed file: skip it if its (path, size, mtime) maps to a hash that has a
    result for the models key; otherwise hash it, reuse a result the same bytes already
    have, or score it and store the report (or the media error) at once. A bad file is
    stored with its error and the scan goes on; an interrupt leaves every finished row.

    Args:
        paths: files and folders to scan.
        store: the result database.
        detector: the loaded models (used sequentially, one file at a time).
        include: globs on relative paths to keep. exclude: globs to leave out.
        console: where progress goes (default stderr).
        on_error: called with each error dict (media, walk or internal) as it happens.
    """
    start = time.perf_counter()
    key = models_key(detector)
    listing = walk(paths, include, exclude)
    report_error = on_error or (lambda _err: None)
    for err in listing.errors:
        report_error(err.to_dict())
    skipped = reused = scored = failed = internal = 0
    with _progress(console) as progress:
        task = progress.add_task("scanning", total=len(listing.files))
        for entry in listing.files:
            path = os.path.abspath(entry.path)  # one key per file, whatever the cwd or spelling of the root
            try:
                if store.unchanged_sha256(path, entry.size, entry.mtime_ns, key) is not None:
                    skipped += 1
                    continue
                src = as_source(entry.path)
                sha = src.sha256()
                if store.has_result(sha, key):
                    store.remember_file(path, entry.size, entry.mtime_ns, sha)
                    reused += 1
                    continue
                try:
                    result = ScanResult(path, sha, entry.size, entry.mtime_ns, report=detector.score(src).to_dict())
                except MediaError as exc:
                    result = ScanResult(path, sha, entry.size, entry.mtime_ns, error=exc.to_dict())
                    failed += 1
                    report_error(exc.to_dict())
                store.record(result, key)
                scored += 1
            except MediaError as exc:  # vanished or unreadable between the walk and the hash
                failed += 1
                report_error(exc.to_dict())
            except OSError as exc:
                failed += 1
                report_error({"file": path, "error": "not_found", "type": type(exc).__name__, "reason": str(exc)})
            except Exception as exc:  # a bug: not stored, so the next scan retries the file
                log.exception("internal error while scanning %s", path)
                internal += 1
                report_error({"file": path, "error": "internal", "type": type(exc).__name__, "reason": str(exc)})
            finally:
                progress.advance(task)
    return ScanSummary(
        seen=len(listing.files),
        skipped=skipped,
        reused=reused,
        scored=scored,
        failed=failed + len(listing.errors),
        internal=internal,
        seconds=time.perf_counter() - start,
        walk_errors=tuple(listing.errors),
    )
