"""Typed errors for media that cannot be scored.

Every error names the file and the reason in plain words, carries a stable
machine ``code`` (used by the CLI's JSON output, the service's HTTP status
mapping and the scan database), and is a subclass of :class:`MediaError`, so
a caller that processes many files catches one type and goes on.
"""

from __future__ import annotations

from typing import Any


class MediaError(Exception):
    """Base class: this input cannot be processed, for the reason given.

    Args:
        file: the file name or path as the user gave it (``"<bytes>"`` for
            anonymous buffers).
        reason: a sentence a person can act on ("PNG header declares
            100000x100000 pixels, over the limit of 50000000").
    """

    code: str = "media_error"

    def __init__(self, file: str, reason: str) -> None:
        super().__init__(f"{file}: {reason}")
        self.file = file
        self.reason = reason

    def to_dict(self) -> dict[str, Any]:
        """The error as the JSON object the CLI, scan and service emit."""
        return {"file": self.file, "error": self.code, "type": type(self).__name__, "reason": self.reason}


class MediaNotFound(MediaError):
    """The path does not exist, is not a regular file, or cannot be opened for reading."""

    code = "not_found"


class UnsupportedMedia(MediaError):
    """The bytes are not a kind or format fakeguard reads (or hold no usable stream)."""

    code = "unsupported"


class CorruptMedia(MediaError):
    """The format is recognised but the content is broken: truncated, empty, undecodable, NaN samples."""

    code = "corrupt"


class MediaTooLarge(MediaError):
    """The input breaches a configured limit (bytes, pixels, duration, frames)."""

    code = "too_large"

    def __init__(
        self, file: str, reason: str, *, limit: str = "", value: float | None = None, maximum: float | None = None
    ) -> None:
        super().__init__(file, reason)
        self.limit = limit
        self.value = value
        self.maximum = maximum

    def to_dict(self) -> dict[str, Any]:
        out = super().to_dict()
        out.update({"limit": self.limit, "value": self.value, "maximum": self.maximum})
        return out


class MediaTimeout(MediaError):
    """Decoding took longer than the configured time budget and was stopped."""

    code = "timeout"


class DecoderCrash(MediaError):
    """The process decoding or scoring the file died (a crash in a native decoder, or killed for memory).

    Only the scanner's worker processes can observe this: it is recorded against the
    one file that crashed a worker when retried alone, so a rescan does not retry it.
    """

    code = "crashed"
