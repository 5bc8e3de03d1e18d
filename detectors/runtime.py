"""Process-wide runtime settings: how many threads the numeric libraries may use.

On the 2-core machines this project is built on, torch with 2 threads ran
ten times slower whenever another process was busy, while 1 thread stayed
steady; ``bench/`` measures both. Every entry point sets the count through
:func:`set_threads` (CLI ``--threads``, ``FAKEGUARD_THREADS``).

The count applies to every thread pool that fakeguard's work runs on, not only
torch's: OpenCV's (resizing, colour conversion, HOG's image pyramid) and the
BLAS/OpenMP pools under numpy, librosa and scipy (through threadpoolctl, which
scikit-learn already depends on). Left at their defaults, each of those starts
one thread per core: harmless for a single process, but two scan workers on two
cores then ran six busy threads and each file cost 17% more CPU
(bench/scan_speed.py, docs/benchmarks.md).
"""

from __future__ import annotations

import os

DEFAULT_THREADS = 1


def set_threads(threads: int | None = None) -> int:
    """Set the thread count of torch, OpenCV and BLAS/OpenMP: the argument, else
    ``FAKEGUARD_THREADS``, else 1. Returns the count."""
    import cv2
    import torch
    from threadpoolctl import threadpool_limits

    if threads is None:
        threads = int(os.environ.get("FAKEGUARD_THREADS", DEFAULT_THREADS))
    if threads < 1:
        raise ValueError(f"threads must be at least 1, got {threads}")
    torch.set_num_threads(threads)
    cv2.setNumThreads(threads)
    threadpool_limits(limits=threads)  # called, not used as a context manager: the limit stays for the process
    return threads
