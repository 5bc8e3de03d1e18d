"""Media intake: bytes or a path in, typed facts and decoded arrays out.

The public names:

- :func:`probe`: what a file is (``fakeguard inspect``).
- :func:`load_image`, :func:`load_audio`, :func:`sample_frames`: decoders.
- :func:`identify`, :func:`as_source`: the first steps every pipeline takes.
- :class:`IntakeLimits`: bytes, pixels, duration, frames and time budgets.

Every failure is a :class:`fakeguard.detectors.errors.MediaError` subclass
naming the file and the reason.
"""

from __future__ import annotations

from .audio import load_audio
from .image import load_image
from .info import DecodedAudio, DecodedImage, MediaInfo, StreamInfo, VideoFrame
from .limits import IntakeLimits
from .probe import identify, probe, resolve_kind
from .sniff import SUPPORTED_FORMATS, MediaKind, Sniffed, sniff, sniff_bytes
from .source import MediaSource, as_source
from .video import sample_frames

__all__ = [
    "SUPPORTED_FORMATS",
    "DecodedAudio",
    "DecodedImage",
    "IntakeLimits",
    "MediaInfo",
    "MediaKind",
    "MediaSource",
    "Sniffed",
    "StreamInfo",
    "VideoFrame",
    "as_source",
    "identify",
    "load_audio",
    "load_image",
    "probe",
    "resolve_kind",
    "sample_frames",
    "sniff",
    "sniff_bytes",
]
