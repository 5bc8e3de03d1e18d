"""Recursive, deterministic, loop-safe listing of the files to scan.

A scan of a large media tree must neither hang on a symlink loop nor stop at
the first unreadable folder, and two runs over the same tree must list files in
the same order (so progress, logs and interrupted runs are reproducible).

Roots may also be fsspec URLs (``s3://bucket/prefix``, ``gs://...``,
``memory://...``): those are listed with the filesystem's own ``find``, and
their files are read through fsspec (:func:`read_entry`). ``file://`` URLs and
plain paths take the local walk, which is the one that guards against loops.
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
        path: the path as reached from the root the user gave (symlinks not resolved),
            or the full URL of a file on an fsspec filesystem.
        rel: the path relative to that root, with ``/`` separators: what globs match.
        size: bytes, from ``stat``.
        mtime_ns: modification time in nanoseconds, from ``stat`` (or the object store's
            last-modified time): with ``size`` it tells whether a file changed without
            reading it. ``-1`` when the filesystem gives no time: such a file is always hashed.
        remote: whether ``path`` is an fsspec URL rather than a local path.
    """

    path: Path | str
    rel: str
    size: int
    mtime_ns: int
    remote: bool = False

    @property
    def key(self) -> str:
        """The name results are stored under: the absolute local path, or the full URL."""
        return str(self.path) if self.remote else os.path.abspath(self.path)


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

    for given in paths:
        if is_remote_url(str(given)):
            _walk_fsspec(str(given), include, exclude, listing)
            continue
        root = Path(local_path(str(given)))
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


def is_remote_url(path: str) -> bool:
    """Whether ``path`` names a file system other than the local one (``s3://``, ``memory://``...)."""
    protocol, sep, _ = path.partition("://")
    return bool(sep) and protocol not in ("", "file", "local")


def local_path(path: str) -> str:
    """``file:///x/y`` as ``/x/y``; anything else unchanged."""
    for prefix in ("file://", "local://"):
        if path.startswith(prefix):
            return path[len(prefix) :]
    return path


def _mtime_ns(info: dict[str, object]) -> int:
    """The last-modified time that an fsspec ``info`` dict gives, in ns, or -1 if none.

    Object stores name it differently (``mtime`` local, ``LastModified`` S3,
    ``updated`` GCS, ``created`` in memory) and as a number or a datetime.
    """
    for field_name in ("mtime", "LastModified", "last_modified", "updated", "created"):
        value = info.get(field_name)
        if value is None:
            continue
        if hasattr(value, "timestamp"):
            return int(value.timestamp() * 1e9)  # type: ignore[union-attr]
        try:
            return int(float(value) * 1e9)  # type: ignore[arg-type]
        except (TypeError, ValueError):
            continue
    return -1


def _walk_fsspec(url: str, include: Sequence[str], exclude: Sequence[str], listing: Listing) -> None:
    """List the files under an fsspec URL (or the URL itself if it is a file), in name order."""
    import fsspec

    try:
        fs, root = fsspec.core.url_to_fs(url)
        if fs.isfile(root):
            found = {root: fs.info(root)}
            base = root.rsplit("/", 1)[0]
        else:
            found = fs.find(root, detail=True, withdirs=False)
            base = root
            if not found and not fs.exists(root):
                listing.errors.append(WalkError(url, "no such file or folder"))
                return
    except Exception as exc:  # any backend error (credentials, network, bad URL) names the root, never aborts
        listing.errors.append(WalkError(url, f"cannot list: {type(exc).__name__}: {exc}"))
        return
    for name in sorted(found):
        info = found[name]
        if info.get("type", "file") != "file":
            continue
        rel = name[len(base) :].lstrip("/") if name.startswith(base) else name
        if not _selected(rel, include, exclude):
            continue
        full = fs.unstrip_protocol(name)
        listing.files.append(WalkEntry(full, rel, int(info.get("size") or 0), _mtime_ns(info), remote=True))
