"""What kind of media a file holds, from its bytes alone.

The file name is never trusted: a scam upload named ``invoice.jpg`` may be an
MP3, and a renamed file must still be scored by the right detector. Magic
numbers are read by the ``filetype`` package (pure Python, no libmagic needed
on the host); this module only maps its answer onto fakeguard's kinds and the
formats it supports.

Container formats (MP4, MKV/WebM, Ogg) can carry video, audio or both. The
sniffer reports what the container usually holds; :mod:`.probe` refines the
kind from the streams actually present (an MP4 with only an AAC track is
audio).
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

import filetype

from ..errors import UnsupportedMedia
from .source import MediaSource


class MediaKind(str, enum.Enum):
    """The three kinds of media fakeguard scores."""

    IMAGE = "image"
    AUDIO = "audio"
    VIDEO = "video"


@dataclass(frozen=True)
class Sniffed:
    """The sniffer's answer.

    Attributes:
        kind: image, audio or video (containers may be refined by probing).
        format: a short format name (``jpeg``, ``png``, ``mp4``, ``wav``...).
        mime: the MIME type of the format.
        container: whether the format is a container whose streams decide the kind.
    """

    kind: MediaKind
    format: str
    mime: str
    container: bool = False


# filetype's extension -> (kind, fakeguard format name, is a multi-stream container).
_SUPPORTED: dict[str, tuple[MediaKind, str, bool]] = {
    "jpg": (MediaKind.IMAGE, "jpeg", False),
    "png": (MediaKind.IMAGE, "png", False),
    "apng": (MediaKind.IMAGE, "png", False),
    "webp": (MediaKind.IMAGE, "webp", False),
    "bmp": (MediaKind.IMAGE, "bmp", False),
    "tif": (MediaKind.IMAGE, "tiff", False),
    "gif": (MediaKind.IMAGE, "gif", False),
    "mp4": (MediaKind.VIDEO, "mp4", True),
    "m4v": (MediaKind.VIDEO, "mp4", True),
    "mov": (MediaKind.VIDEO, "mov", True),
    "mkv": (MediaKind.VIDEO, "mkv", True),
    "webm": (MediaKind.VIDEO, "webm", True),
    "avi": (MediaKind.VIDEO, "avi", True),
    "wav": (MediaKind.AUDIO, "wav", False),
    "flac": (MediaKind.AUDIO, "flac", False),
    "mp3": (MediaKind.AUDIO, "mp3", False),
    "ogg": (MediaKind.AUDIO, "ogg", True),
    "m4a": (MediaKind.AUDIO, "m4a", True),
    "aac": (MediaKind.AUDIO, "aac", False),
}

#: The formats fakeguard reads, by kind, for messages and documentation.
SUPPORTED_FORMATS: dict[MediaKind, tuple[str, ...]] = {
    kind: tuple(sorted({fmt for k, fmt, _ in _SUPPORTED.values() if k is kind})) for kind in MediaKind
}


def _is_opus_in_ogg(head: bytes) -> bool:
    # filetype recognises Ogg/Opus as its own type on some versions and as
    # "ogg" on others; both are audio, both decode through PyAV.
    return head[:4] == b"OggS" and b"OpusHead" in head[:128]


def sniff_bytes(head: bytes, name: str = "<bytes>") -> Sniffed:
    """Identify the media format from the first bytes of a file.

    Args:
        head: the leading bytes (8 KiB is enough; fewer is fine for a short file).
        name: what the error names.

    Raises:
        UnsupportedMedia: unknown bytes, or a known format that is not media
            fakeguard scores (PDF, ZIP, HEIC...).
    """
    if not head:
        # An empty input is corrupt rather than unsupported, but the caller
        # checks size first; keep the sniffer total anyway.
        raise UnsupportedMedia(name, "empty input: no bytes to identify")
    if _is_opus_in_ogg(head):
        return Sniffed(MediaKind.AUDIO, "ogg", "audio/ogg", container=True)
    guess = filetype.guess(head)
    if guess is None:
        raise UnsupportedMedia(name, "unrecognised content: not a known image, audio or video format")
    entry = _SUPPORTED.get(guess.extension)
    if entry is None:
        supported = "; ".join(f"{k.value}: {', '.join(v)}" for k, v in SUPPORTED_FORMATS.items())
        raise UnsupportedMedia(name, f"{guess.mime} is not a supported media format (supported: {supported})")
    kind, fmt, container = entry
    return Sniffed(kind, fmt, guess.mime, container)


def sniff(src: MediaSource) -> Sniffed:
    """Identify a source's format from its leading bytes (see :func:`sniff_bytes`)."""
    return sniff_bytes(src.head(), src.name)
