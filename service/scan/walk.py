"""Recursive, deterministic, loop-safe listing of the files to scan.

A scan of a large media tree must neither hang on a symlink loop nor stop at
the first unreadable folder, and two runs over the same tree must list files in
the same order (so progress, logs and interrupted runs are reproducible).
"""

from __future__ import annotations

import fnmatch
import logging
import os
import stat
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class WalkEntry:
    """One regular file to scan.

    Attributes:
        path: the path as reached from the root the user gave (symlinks not resolved).
        rel: the path relative to that root, with ``/`` separators: what globs match.
        size: bytes, from ``stat``.
        mtime_ns: modification time in nanoseconds, from ``stat``: with ``size`` it tells
            whether a file changed without reading it.
    """

    path: Path
    rel: str
    size: int
    mtime_ns: int


@dataclass(frozen=True)
class WalkError:
    """A file or folder that could not be listed or read, with the reason."""

    path: str
    reason: str

    def to_dict(self) -> dict[str, str]:
        """The error in the shape of :meth:`MediaError.to_dict`, so the CLI renders both alike."""
        return {"file": self.path, "error": "not_found", "type": "WalkError", "reason": self.reason}


@dataclass
class Listing:
    """What :func:`walk` found: files in a stable order, and what could not be read."""

    files: list[WalkEntry] = field(default_factory=list)
    errors: list[WalkError] = field(default_factory=list)


def _selected(rel: str, include: Sequence[str], exclude: Sequence[str]) -> bool:
    """Whether ``rel`` passes the globs: any include (or none given), and no exclude.

    Globs use :func:`fnmatch.fnmatch` on the relative path, where ``*`` also
    crosses ``/``: ``*.jpg`` selects JPEGs at any depth, ``raw/*`` a whole folder.
    """
    if include and not any(fnmatch.fnmatch(rel, g) for g in include):
        return False
    return not any(fnmatch.fnmatch(rel, g) for g in exclude)


def walk(paths: Iterable[str | os.PathLike[str]], include: Sequence[str] = (), exclude: Sequence[str] = ()) -> Listing:
    """List the regular files under ``paths`` (files given directly are listed as they are).

    Folders are read in name order; symlinked folders are followed, but each real
    folder (device, inode) is entered at most once, so a loop or a link back to an
    ancestor cannot repeat or hang. A file reached twice (through two roots or a
    link) is listed once. Folders that cannot be read and files that cannot be
    opened become :class:`WalkError` entries and the walk goes on.

    Args:
        paths: files or folders, in the order given.
        include: globs on the relative path; when given, only matching files are listed.
        exclude: globs on the relative path; matching files are left out.

    Returns:
        The files in a deterministic order, and the errors met.
    """
    listing = Listing()
    seen_dirs: set[tuple[int, int]] = set()
    seen_files: set[tuple[int, int]] = set()

    def add_file(path: Path, rel: str, st: os.stat_result) -> None:
        if not _selected(rel, include, exclude):
            return
        key = (st.st_dev, st.st_ino)
        if key in seen_files:
            return
        seen_files.add(key)
        if not os.access(path, os.R_OK):
            listing.errors.append(WalkError(str(path), "permission denied: the file cannot be read"))
            return
        listing.files.append(WalkEntry(path, rel, st.st_size, st.st_mtime_ns))

    def visit_dir(folder: Path, rel: str, st: os.stat_result) -> None:
        key = (st.st_dev, st.st_ino)
        if key in seen_dirs:
            log.debug("skipping %s: folder already visited (symlink loop or duplicate)", folder)
            return
        seen_dirs.add(key)
        try:
            with os.scandir(folder) as it:
                names = sorted(entry.name for entry in it)
        except OSError as exc:
            listing.errors.append(WalkError(str(folder), f"cannot list folder: {exc.strerror or exc}"))
            return
        for name in names:
            child = folder / name
            child_rel = f"{rel}/{name}" if rel else name
            try:
                child_st = child.stat()  # follows symlinks
            except OSError as exc:  # dangling link, vanished, no permission on the entry
                listing.errors.append(WalkError(str(child), f"cannot stat: {exc.strerror or exc}"))
                continue
            if stat.S_ISDIR(child_st.st_mode):
                visit_dir(child, child_rel, child_st)
            elif stat.S_ISREG(child_st.st_mode):
                add_file(child, child_rel, child_st)
            # sockets, FIFOs and devices are not media files: skipped silently

    for root in paths:
        root = Path(root)
        try:
            st = root.stat()
        except OSError as exc:
            listing.errors.append(WalkError(str(root), f"cannot stat: {exc.strerror or exc}"))
            continue
        if stat.S_ISDIR(st.st_mode):
            visit_dir(root, "", st)
        elif stat.S_ISREG(st.st_mode):
            add_file(root, root.name, st)
        else:
            listing.errors.append(WalkError(str(root), "not a regular file or folder"))
    return listing
