"""The local scan engine: list, skip what is done, score the rest, store every result as it comes.

With ``workers=0`` files are scored in this process, one at a time. With
``workers=N`` they go to N worker processes, each with its own copy of the models
and one torch thread, which decode and score whole files in parallel while this
process hashes the next files, writes results and draws progress.

Why whole files per worker rather than a decode pool feeding one batched model:
on CPU, cross-file batching measured no faster per face (bench/face_batching.py:
42.7 ms per face at batch 1 against 46-51 ms batched), and the decoded frames of a
video are far larger than the file itself, so shipping them between processes
costs more than it saves. Faces within one image or video are still scored in
batches by the pipelines.

Crash safety: at most ``2 x workers`` files are in flight, and each result is
committed as it arrives, so a ``kill -9`` loses only those. A worker that dies
(a native decoder crash, an OOM kill) breaks the pool: the files that were in
flight are retried one at a time in a fresh pool, and the one that kills a worker
again is stored with a ``crashed`` error instead of taking the scan down.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
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

from fakeguard.detectors.errors import DecoderCrash, MediaError
from fakeguard.detectors.intake.source import MediaSource, as_source

from .store import ResultStore, ScanResult
from .walk import Listing, WalkEntry, WalkError, walk
from .work import DetectorSpec, internal_error, read_entry, score_entry

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
    holds one kind of media, so the key does not depend on what is being scanned. With a
    watchlist, its fingerprint (people, embeddings, thresholds) is part of the key too: a
    report's identity matches and alerts are only valid for the watchlist they were made
    against, so enrolling or removing someone makes the next scan score every file again.
    """
    infos = [detector.voice.model_info, detector.face.model_info]
    key = ";".join(sorted(f"{i.name}@{i.weights_sha256}" for i in infos if i is not None))
    if detector.watchlist is not None:
        key += f";watchlist@{detector.watchlist.snapshot().fingerprint}"
    return key


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


@dataclass
class _Tally:
    """Running counts for the summary (see :class:`ScanSummary`)."""

    skipped: int = 0
    reused: int = 0
    scored: int = 0
    failed: int = 0
    internal: int = 0

    def summary(self, listing: Listing, start: float) -> ScanSummary:
        """The scan's summary: these counts, the listing's size and errors, the time since ``start``."""
        return ScanSummary(
            seen=len(listing.files),
            skipped=self.skipped,
            reused=self.reused,
            scored=self.scored,
            failed=self.failed + len(listing.errors),
            internal=self.internal,
            seconds=time.perf_counter() - start,
            walk_errors=tuple(listing.errors),
        )


@dataclass(frozen=True)
class _Job:
    """A file that needs scoring: its entry, the hash taken while checking for reuse, and its
    bytes when they came from a remote filesystem (already fetched for the hash)."""

    entry: WalkEntry
    sha256: str
    data: bytes | None


class _Recorder:
    """Stores outcomes and keeps the tally, the progress bar and the error callback in step."""

    def __init__(
        self,
        store: ResultStore,
        key: str,
        tally: _Tally,
        on_error: Callable[[dict[str, Any]], None],
        advance: Callable[[], None],
    ) -> None:
        self.store, self.key, self.tally, self.on_error, self.advance = store, key, tally, on_error, advance

    def result(self, result: ScanResult) -> None:
        if result.error is not None:
            self.tally.failed += 1
            self.on_error(result.error)
        self.store.record(result, self.key)
        self.tally.scored += 1
        self.advance()

    def unreadable(self, error: dict[str, Any]) -> None:
        """A file that vanished or could not be read: reported, not stored (it may come back)."""
        self.tally.failed += 1
        self.on_error(error)
        self.advance()

    def reused(self, entry: WalkEntry, sha256: str) -> None:
        """Known content under this path: the path is remembered, nothing is scored."""
        self.store.remember_file(entry.key, entry.size, entry.mtime_ns, sha256)
        self.tally.reused += 1
        self.advance()

    def internal(self, entry: WalkEntry, exc: BaseException) -> None:
        """A bug in this process: logged, then reported as :meth:`internal_error`."""
        log.error("internal error while scanning %s", entry.key, exc_info=exc)
        self.internal_error(internal_error(entry.key, exc))

    def internal_error(self, error: dict[str, Any]) -> None:
        """A bug (here or in a Ray actor): reported, not stored, so the next scan retries the file."""
        self.tally.internal += 1
        self.on_error(error)
        self.advance()


def _jobs(entries: Sequence[WalkEntry], store: ResultStore, key: str, rec: _Recorder) -> Iterator[_Job]:
    """The files that need scoring, lazily: unchanged files are skipped from ``stat`` alone, known
    content is reused after hashing, unreadable files are reported; the rest are yielded."""
    for entry in entries:
        try:
            if store.unchanged_sha256(entry.key, entry.size, entry.mtime_ns, key) is not None:
                rec.tally.skipped += 1
                rec.advance()
                continue
            src = read_entry(entry)
            sha = src.sha256()
            if store.has_result(sha, key):
                rec.reused(entry, sha)
                continue
        except MediaError as exc:  # vanished or unreadable between the walk and the hash
            rec.unreadable(exc.to_dict())
            continue
        except OSError as exc:
            rec.unreadable({"file": entry.key, "error": "not_found", "type": type(exc).__name__, "reason": str(exc)})
            continue
        yield _Job(entry, sha, src.data if entry.remote else None)


def _score_in_process(detector: Detector, jobs: Iterator[_Job], rec: _Recorder) -> None:
    for job in jobs:
        src = as_source(job.data, name=job.entry.key) if job.data is not None else None
        try:
            rec.result(score_entry(detector, job.entry, src))
        except MediaError as exc:
            rec.unreadable(exc.to_dict())
        except Exception as exc:
            rec.internal(job.entry, exc)


def default_workers() -> int:
    """Worker processes for a machine: one per usable core, at most 4 (each holds its own
    models, up to about 1.5 GB while decoding a long video); none on a single core, where a
    worker would only add its start-up and copying costs."""
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
    return 0 if cores < 2 else min(cores, 4)


# --- worker processes -------------------------------------------------------------------------

_WORKER_DETECTOR: Detector | None = None


def _exit_with_parent(parent_pid: int, interval_s: float = 1.0) -> None:
    """Stop this worker when the scan process is gone.

    A ``kill -9`` of the scan gives its workers no signal, and they would wait on the
    task queue for ever: each holds a write end of that queue's pipe, so no EOF comes.
    """
    while True:
        time.sleep(interval_s)
        if os.getppid() != parent_pid:
            os._exit(1)


def _init_worker(spec: DetectorSpec) -> None:
    """Runs once in each worker process: watch the parent, then load the models."""
    global _WORKER_DETECTOR
    threading.Thread(target=_exit_with_parent, args=(os.getppid(),), daemon=True, name="parent-watch").start()
    _WORKER_DETECTOR = spec.load()


def _score_in_worker(entry: WalkEntry, data: bytes | None) -> ScanResult:
    assert _WORKER_DETECTOR is not None, "worker used before its initializer ran"
    src: MediaSource | None = as_source(data, name=entry.key) if data is not None else None
    return score_entry(_WORKER_DETECTOR, entry, src)


class _WorkerPool:
    """A process pool that can be rebuilt after a worker dies.

    Processes are started with ``spawn``: forking a parent that has torch (and its
    thread pools) loaded is unsafe, and ``spawn`` is what macOS and Windows use anyway.
    """

    def __init__(self, spec: DetectorSpec, workers: int) -> None:
        self.spec, self.workers = spec, workers
        self.executor = self._start()

    def _start(self) -> ProcessPoolExecutor:
        return ProcessPoolExecutor(
            self.workers,
            mp_context=multiprocessing.get_context("spawn"),
            initializer=_init_worker,
            initargs=(self.spec,),
        )

    def submit(self, job: _Job) -> Future[ScanResult]:
        return self.executor.submit(_score_in_worker, job.entry, job.data)

    def restart(self) -> None:
        self.executor.shutdown(wait=False, cancel_futures=True)
        self.executor = self._start()

    def close(self, cancel: bool = False) -> None:
        self.executor.shutdown(wait=not cancel, cancel_futures=cancel)


def _crash_error(job: _Job) -> ScanResult:
    err = DecoderCrash(
        job.entry.key, "a worker process died while decoding or scoring this file (native crash or out of memory)"
    )
    return ScanResult(job.entry.key, job.sha256, job.entry.size, job.entry.mtime_ns, error=err.to_dict())


def _score_in_workers(spec: DetectorSpec, workers: int, jobs: Iterator[_Job], rec: _Recorder) -> None:
    pool = _WorkerPool(spec, workers)
    max_in_flight = 2 * workers  # enough to keep every worker busy; bounds memory and what a kill -9 loses
    pending: dict[Future[ScanResult], _Job] = {}
    try:
        while True:
            while len(pending) < max_in_flight and (job := next(jobs, None)) is not None:
                pending[pool.submit(job)] = job
            if not pending:
                break
            done, _ = wait(pending, return_when=FIRST_COMPLETED)
            suspects: list[_Job] = []
            for fut in done:
                job = pending.pop(fut)
                _collect(fut, job, rec, suspects)
            if suspects:  # the pool is broken: every other pending future fails the same way
                for fut, job in pending.items():
                    _collect(fut, job, rec, suspects)
                pending.clear()
                pool.restart()
                _retry_alone(pool, suspects, rec)
    except BaseException:
        pool.close(cancel=True)  # Ctrl-C: finished rows are committed; in-flight files are redone next time
        raise
    pool.close()


def _collect(fut: Future[ScanResult], job: _Job, rec: _Recorder, suspects: list[_Job]) -> None:
    """Record a finished future; a job lost to a broken pool goes to ``suspects``."""
    if not fut.done():
        suspects.append(job)
        return
    try:
        rec.result(fut.result())
    except BrokenProcessPool:
        suspects.append(job)
    except MediaError as exc:
        rec.unreadable(exc.to_dict())
    except Exception as exc:
        rec.internal(job.entry, exc)


def _retry_alone(pool: _WorkerPool, suspects: list[_Job], rec: _Recorder) -> None:
    """Run each file that was in flight when a worker died on its own: the one that kills a
    worker again is the culprit and is stored as ``crashed``; the others score normally."""
    log.warning("a worker process died; retrying the %d files that were in flight one at a time", len(suspects))
    for job in suspects:
        try:
            rec.result(pool.submit(job).result())
        except BrokenProcessPool:
            rec.result(_crash_error(job))
            pool.restart()
        except MediaError as exc:
            rec.unreadable(exc.to_dict())
        except Exception as exc:
            rec.internal(job.entry, exc)


def scan(
    paths: Sequence[str],
    store: ResultStore,
    detector: Detector,
    include: Sequence[str] = (),
    exclude: Sequence[str] = (),
    console: Console | None = None,
    on_error: Callable[[dict[str, Any]], None] | None = None,
    workers: int = 0,
) -> ScanSummary:
    """Score every file under ``paths`` that has no result for the detector's models yet.

    For each listed file: skip it if its (path, size, mtime) maps to a hash that has a
    result for the models key; otherwise hash it, reuse a result the same bytes already
    have, or score it and store the report (or the media error) at once. A bad file is
    stored with its error and the scan goes on; an interrupt leaves every finished row.

    Args:
        paths: files, folders and fsspec URLs to scan.
        store: the result database.
        detector: the loaded models. Worker processes load the same weight folders.
        include: globs on relative paths to keep. exclude: globs to leave out.
        console: where progress goes (default stderr).
        on_error: called with each error dict (media, walk or internal) as it happens.
        workers: 0 scores in this process; N > 0 starts N worker processes with one
            torch thread each.
    """
    if workers < 0:
        raise ValueError(f"workers must be 0 or more, got {workers}")
    start = time.perf_counter()
    key = models_key(detector)
    listing = walk(paths, include, exclude)
    report_error = on_error or (lambda _err: None)
    for err in listing.errors:
        report_error(err.to_dict())
    tally = _Tally()
    with _progress(console) as progress:
        task = progress.add_task("scanning", total=len(listing.files))
        rec = _Recorder(store, key, tally, report_error, lambda: progress.advance(task))
        jobs = _jobs(listing.files, store, key, rec)
        if workers == 0:
            _score_in_process(detector, jobs, rec)
        else:
            _score_in_workers(DetectorSpec.from_detector(detector), workers, jobs, rec)
    return tally.summary(listing, start)
