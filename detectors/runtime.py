"""Process-wide runtime settings: torch's thread count.

On the 2-core machines this project is built on, torch with 2 threads ran
ten times slower whenever another process was busy, while 1 thread stayed
steady; ``bench/`` measures both. Every entry point sets the count through
:func:`set_threads` (CLI ``--threads``, ``FAKEGUARD_THREADS``).
"""

from __future__ import annotations

import os

DEFAULT_THREADS = 1


def set_threads(threads: int | None = None) -> int:
    """Set torch's intra-op threads: the argument, else ``FAKEGUARD_THREADS``, else 1. Returns the count."""
    import torch

    if threads is None:
        threads = int(os.environ.get("FAKEGUARD_THREADS", DEFAULT_THREADS))
    if threads < 1:
        raise ValueError(f"threads must be at least 1, got {threads}")
    torch.set_num_threads(threads)
    return threads
