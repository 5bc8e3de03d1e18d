"""Shared fixtures: synthetic media written by :mod:`media_factory` into temporary folders.

Nothing here reads ``../shared``; every file a test needs is generated, tiny
(at most 2 s, at most 128x96 pixels) and cached for the session where it is
read-only.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

import media_factory  # noqa: E402


@pytest.fixture(scope="session")
def catalogue(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """One small file of every supported format (see ``media_factory.build_catalogue``), written once.

    Tests must not modify these files; write variants into ``tmp_path``.
    """
    return media_factory.build_catalogue(tmp_path_factory.mktemp("catalogue"))


@pytest.fixture(scope="session")
def catalogue_bytes(catalogue: dict[str, Path]) -> dict[str, bytes]:
    """The catalogue's files as bytes."""
    return {key: path.read_bytes() for key, path in catalogue.items()}


@pytest.fixture
def factory():
    """The ``media_factory`` module, for tests that write their own variants into ``tmp_path``."""
    return media_factory
