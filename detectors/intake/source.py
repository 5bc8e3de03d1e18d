"""One input, whether it arrived as a path or as bytes.

The service receives bytes, the scanner and CLI receive paths, notebooks pass
either. Decoders take a :class:`MediaSource` so that each of them is written
once, and so that every error can name the file the user knows.
"""

from __future__ import annotations

import hashlib
import io
import os
import time
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO, Union

from ..errors import CorruptMedia, MediaNotFound, MediaTimeout, MediaTooLarge
from .limits import IntakeLimits

PathLike = Union[str, "os.PathLike[str]"]

#: How many leading bytes the sniffer reads. Enough for every magic number
#: fakeguard knows (the ftyp box of MP4/MOV sits in the first 12 bytes, an ID3
#: tag header in the first 10, and filetype reads at most 8 KiB).
HEAD_BYTES = 8192


@dataclass(frozen=True)
class MediaSource:
    """A file on disk or an in-memory buffer, with the name used in messages.

    Build one with :func:`as_source`; exactly one of ``path`` and ``data`` is set.
    """

    name: str
    path: Path | None = None
    data: bytes | None = None

    @property
    def size(self) -> int:
        """Size in bytes (a ``stat`` for files: nothing is read)."""
        if self.data is not None:
            return len(self.data)
        assert self.path is not None
        return self.path.stat().st_size

    def open(self) -> BinaryIO:
        """A fresh binary file object positioned at the start."""
        if self.data is not None:
            return io.BytesIO(self.data)
        assert self.path is not None
        return open(self.path, "rb")

    def head(self, n: int = HEAD_BYTES) -> bytes:
        """The first ``n`` bytes (fewer for a shorter input)."""
        if self.data is not None:
            return self.data[:n]
        with self.open() as f:
            return f.read(n)

    def sha256(self) -> str:
        """Hex SHA-256 of the whole content, streamed for files."""
        digest = hashlib.sha256()
        if self.data is not None:
            digest.update(self.data)
        else:
            with self.open() as f:
                for chunk in iter(lambda: f.read(1 << 20), b""):
                    digest.update(chunk)
        return digest.hexdigest()


def as_source(source: PathLike | bytes | bytearray | memoryview | MediaSource, name: str | None = None) -> MediaSource:
    """Wrap a path or a buffer as a :class:`MediaSource`.

    Args:
        source: a path, raw bytes, or an existing source (returned as is,
            renamed if ``name`` is given).
        name: what error messages and reports call the input. Defaults to the
            path as given, or ``"<bytes>"`` for a buffer.

    Raises:
        MediaNotFound: the path does not exist, is a directory or another
            non-regular file, or cannot be read.
    """
    if isinstance(source, MediaSource):
        return source if name is None else MediaSource(name=name, path=source.path, data=source.data)
    if isinstance(source, (bytes, bytearray, memoryview)):
        return MediaSource(name=name or "<bytes>", data=bytes(source))
    path = Path(source)
    label = name or str(source)
    try:
        if not path.exists():
            raise MediaNotFound(label, "no such file")
        if path.is_dir():
            raise MediaNotFound(label, "is a directory, not a file (use `fakeguard scan` for folders)")
        if not path.is_file():
            raise MediaNotFound(label, "not a regular file")
        if not os.access(path, os.R_OK):
            raise MediaNotFound(label, "permission denied: the file cannot be read")
    except OSError as exc:  # e.g. a name too long, a broken mount
        raise MediaNotFound(label, f"cannot be read: {exc.strerror or exc}") from exc
    return MediaSource(name=label, path=path)


def check_size(src: MediaSource, limits: IntakeLimits) -> int:
    """Return the input's size after checking it against ``limits.max_bytes`` and zero length."""
    try:
        size = src.size
    except OSError as exc:
        raise CorruptMedia(src.name, f"cannot be read: {exc.strerror or exc}") from exc
    if size == 0:
        raise CorruptMedia(src.name, "empty file (0 bytes)")
    if size > limits.max_bytes:
        raise MediaTooLarge(
            src.name,
            f"{size} bytes, over the limit of {limits.max_bytes} bytes",
            limit="max_bytes",
            value=size,
            maximum=limits.max_bytes,
        )
    return size


class Deadline:
    """A wall-clock budget that decoding loops check between frames or packets.

    Decoders run inside the caller's process (the service and the scanner add
    process-level isolation on top); a deadline keeps a pathological stream
    from holding a worker forever.
    """

    def __init__(self, name: str, seconds: float) -> None:
        self.name = name
        self.seconds = seconds
        self._end = time.monotonic() + seconds

    def check(self) -> None:
        """Raise :class:`MediaTimeout` once the budget is spent."""
        if time.monotonic() > self._end:
            raise MediaTimeout(self.name, f"decoding took longer than {self.seconds:g} s and was stopped")
