"""Run an iterator in a background thread, a bounded number of items ahead.

The video pipeline decodes frames while it detects and classifies faces in
the ones already decoded. FFmpeg (through PyAV) and torch both release the
GIL in their heavy loops, so a thread is enough to keep both cores busy, and
the bounded queue keeps memory at ``depth`` frames whatever the clip length.
Why not ``concurrent.futures``: it runs whole calls, not a generator that must
be pulled one item at a time and closed (which closes the video file) when
the consumer stops early.
"""

from __future__ import annotations

import queue
import threading
import time
from collections.abc import Iterable, Iterator
from typing import Generic, TypeVar

T = TypeVar("T")

_DONE = object()


class _Failure:
    """An exception raised by the source, carried to the consumer (an exception the source
    merely yields as an item is passed on as an item)."""

    def __init__(self, error: BaseException) -> None:
        self.error = error


class Prefetcher(Generic[T]):
    """Iterate over ``source`` in a thread; the caller's loop gets the items in order.

    Exceptions raised by ``source`` are re-raised in the caller at the point
    where the failing item would have arrived. Use it as a context manager (or
    call :meth:`close`) so that the thread stops when the caller stops early.

    Attributes:
        busy_s: seconds the thread spent producing items (not waiting for room in the queue).
    """

    def __init__(self, source: Iterable[T], depth: int = 4) -> None:
        if depth < 1:
            raise ValueError(f"depth must be at least 1, got {depth}")
        self._source = source
        self._queue: queue.Queue[object] = queue.Queue(maxsize=depth)
        self._stop = threading.Event()
        self.busy_s = 0.0
        self._thread = threading.Thread(target=self._run, name="fakeguard-prefetch", daemon=True)
        self._thread.start()

    def _put(self, item: object) -> bool:
        while not self._stop.is_set():
            try:
                self._queue.put(item, timeout=0.1)
                return True
            except queue.Full:
                continue
        return False

    def _run(self) -> None:
        iterator = iter(self._source)
        try:
            while not self._stop.is_set():
                t0 = time.perf_counter()
                try:
                    item = next(iterator)
                except StopIteration:
                    break
                finally:
                    self.busy_s += time.perf_counter() - t0
                if not self._put(item):
                    return
            self._put(_DONE)
        except BaseException as exc:  # handed to the consumer, who decides
            self._put(_Failure(exc))
        finally:
            close = getattr(iterator, "close", None)
            if close is not None:
                close()

    def __iter__(self) -> Iterator[T]:
        while True:
            try:
                item = self._queue.get(timeout=0.1)
            except queue.Empty:
                if self._stop.is_set() or not self._thread.is_alive():
                    return  # closed: nothing more will come
                continue
            if item is _DONE:
                return
            if isinstance(item, _Failure):
                raise item.error
            yield item  # type: ignore[misc]

    def close(self) -> None:
        """Stop the thread and wait for it (it closes the source iterator)."""
        self._stop.set()
        self._thread.join()

    def __enter__(self) -> Prefetcher[T]:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()
