"""The background-thread prefetcher the video pipeline decodes through (``detectors/pipelines/prefetch.py``)."""

from __future__ import annotations

import threading
import time

import pytest

from fakeguard.detectors.pipelines.prefetch import Prefetcher


class Boom(RuntimeError):
    pass


class Source:
    """A generator factory that records what happened to it."""

    def __init__(self, n: int, fail_after: int | None = None, sleep_s: float = 0.0) -> None:
        self.n, self.fail_after, self.sleep_s = n, fail_after, sleep_s
        self.produced = 0
        self.closed = threading.Event()
        self.finished = False
        self.thread_names: set[str] = set()

    def __iter__(self):
        try:
            for i in range(self.n):
                self.thread_names.add(threading.current_thread().name)
                if self.fail_after is not None and i == self.fail_after:
                    raise Boom(f"failed at item {i}")
                if self.sleep_s:
                    time.sleep(self.sleep_s)
                self.produced += 1
                yield i
            self.finished = True
        finally:
            self.closed.set()


def test_items_arrive_in_order():
    source = Source(50)
    with Prefetcher(source, depth=3) as prefetcher:
        assert list(prefetcher) == list(range(50))
    assert source.finished and source.closed.is_set()
    # The items were produced in the prefetcher's thread, not the caller's.
    assert threading.current_thread().name not in source.thread_names
    assert source.thread_names == {"fakeguard-prefetch"}


def test_any_iterable_works_and_an_empty_one_ends_at_once():
    with Prefetcher(["a", "b", "c"], depth=1) as prefetcher:
        assert list(prefetcher) == ["a", "b", "c"]
    with Prefetcher([], depth=2) as prefetcher:
        assert list(prefetcher) == []


@pytest.mark.parametrize("k", [0, 1, 5])
def test_an_exception_in_the_source_arrives_after_exactly_the_items_before_it(k):
    source = Source(20, fail_after=k)
    got = []
    with Prefetcher(source, depth=2) as prefetcher, pytest.raises(Boom, match=f"failed at item {k}"):
        for item in prefetcher:
            got.append(item)
    assert got == list(range(k))
    assert source.closed.is_set()


def test_stopping_early_closes_the_source_and_ends_the_thread():
    source = Source(1_000_000)
    prefetcher = Prefetcher(source, depth=2)
    with prefetcher:
        got = []
        for item in prefetcher:
            got.append(item)
            if len(got) == 3:
                break
    assert got == [0, 1, 2]
    assert not prefetcher._thread.is_alive()
    # The generator's finally block ran (it was closed, not left suspended), and it stopped early.
    assert source.closed.is_set()
    assert not source.finished
    assert source.produced <= 3 + 2 + 1


def test_close_without_iterating_ends_the_thread_and_closes_the_source():
    source = Source(1_000_000)
    prefetcher = Prefetcher(source, depth=4)
    deadline = time.monotonic() + 1.0
    while source.produced < 5 and time.monotonic() < deadline:  # let it fill its queue
        time.sleep(0.005)
    prefetcher.close()
    assert not prefetcher._thread.is_alive()
    assert source.closed.is_set()
    assert source.produced == 5  # depth 4 in the queue + the one waiting to be put


@pytest.mark.parametrize("depth", [1, 3])
def test_the_producer_is_never_more_than_depth_plus_one_items_ahead(depth):
    source = Source(12)
    ahead = []
    with Prefetcher(source, depth=depth) as prefetcher:
        for consumed, item in enumerate(prefetcher, start=1):
            assert item == consumed - 1
            time.sleep(0.02)  # a slow consumer: the producer fills the queue meanwhile
            ahead.append(source.produced - consumed)
    assert max(ahead) <= depth + 1
    # And it really runs ahead (prefetching is not a no-op): at the start it is full depth + 1 ahead.
    assert ahead[0] == depth + 1
    assert source.produced == 12


def test_busy_s_counts_time_spent_in_the_source():
    slow = Source(5, sleep_s=0.03)
    with Prefetcher(slow, depth=2) as prefetcher:
        assert list(prefetcher) == list(range(5))
    assert 0.15 <= prefetcher.busy_s < 0.6


def test_busy_s_does_not_count_waiting_for_a_slow_consumer():
    fast = Source(6)
    start = time.perf_counter()
    with Prefetcher(fast, depth=1) as prefetcher:
        for _ in prefetcher:
            time.sleep(0.05)
    assert time.perf_counter() - start >= 0.3
    assert prefetcher.busy_s < 0.1


@pytest.mark.parametrize("depth", [0, -1])
def test_depth_below_one_is_rejected(depth):
    source = Source(3)
    with pytest.raises(ValueError, match="depth"):
        Prefetcher(source, depth=depth)
    assert source.produced == 0  # no thread was started


def test_an_exception_yielded_as_an_item_is_an_item():
    with Prefetcher([ValueError("an item"), 2]) as prefetcher:
        got = list(prefetcher)
    assert isinstance(got[0], ValueError) and got[1] == 2


def test_iterating_after_close_ends_instead_of_hanging():
    prefetcher = Prefetcher(iter(range(100)), depth=2)
    assert next(iter(prefetcher)) == 0
    prefetcher.close()
    rest = list(prefetcher)  # what was already queued, then the end
    assert len(rest) <= 3 and rest == sorted(rest)
