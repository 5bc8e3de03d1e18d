"""A stand-in for the scanner's worker function that kills its process on one file name.

Spawned workers import this module by name (the tests folder is on their ``sys.path``),
so a test can swap it in for ``fakeguard.service.scan.local._score_in_worker`` and get a
real worker death, as a native decoder crash would give, on a file of its choosing.
"""

from __future__ import annotations

import os
from pathlib import Path

#: The file whose decoding "crashes" the worker.
CRASHING_NAME = "b.png"


def score_or_die(entry, data):
    if Path(str(entry.path)).name == CRASHING_NAME:
        os._exit(70)  # no exception, no cleanup: what a segfault looks like to the parent
    from fakeguard.service.scan.local import _score_in_worker

    return _score_in_worker(entry, data)
