"""Helpers that write tiny dataset trees; plain (no pytest) so tests and fixtures share them."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path


def touch(root: Path, relpaths: Iterable[str]) -> None:
    """Create empty files (and their folders) under ``root``."""
    for rel in relpaths:
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(b"")


def write(path: Path, text: str) -> Path:
    """Write ``text`` to ``path``, creating folders."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path
