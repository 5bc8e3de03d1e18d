"""What intake learns about a file: its kind, format, streams and size.

These dataclasses are what ``fakeguard inspect`` prints and what every report
embeds under ``media``; they hold facts read from the file, never judgements.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np
from numpy.typing import NDArray

from .sniff import MediaKind, Sniffed
from .source import MediaSource


@dataclass(frozen=True)
class StreamInfo:
    """One stream of a container (or the single stream of an image or plain audio file).

    Attributes:
        index: the stream's index in the container.
        type: ``video``, ``audio``, ``subtitle``, ``data`` or ``image``.
        codec: decoder name (``h264``, ``aac``, ``pcm_s16le``, ``jpeg``...).
        duration_s: as declared by the container, when it declares one.
        width, height: display size in pixels (rotation applied) for video and images.
        frame_rate: average frames per second for video.
        frames: frame count as declared by the container (0 or None when it does not say).
        sample_rate, channels: for audio.
        rotation: counter-clockwise degrees applied to show frames upright (the
            display matrix; a portrait phone video typically has -90 or 90).
    """

    index: int
    type: str
    codec: str
    duration_s: float | None = None
    width: int | None = None
    height: int | None = None
    frame_rate: float | None = None
    frames: int | None = None
    sample_rate: int | None = None
    channels: int | None = None
    rotation: int = 0


@dataclass(frozen=True)
class MediaInfo:
    """Facts about one input file.

    Attributes:
        file: the name the user gave.
        kind: image, audio or video (for containers: from the streams present).
        format: short format name from the bytes (``jpeg``, ``mp4``, ``flac``...).
        mime: MIME type of the format.
        size_bytes: file size.
        sha256: hex digest of the content (reports and scan results are keyed by it).
        width, height: image size, or the first video stream's display size.
        duration_s: audio or video length in seconds (decoded length for audio).
        frame_rate: the first video stream's average rate.
        sample_rate, channels: the first audio stream's native values.
        streams: every stream, in container order.
        warnings: things worth knowing that did not stop decoding.
    """

    file: str
    kind: MediaKind
    format: str
    mime: str
    size_bytes: int
    sha256: str
    width: int | None = None
    height: int | None = None
    duration_s: float | None = None
    frame_rate: float | None = None
    sample_rate: int | None = None
    channels: int | None = None
    streams: tuple[StreamInfo, ...] = ()
    warnings: tuple[str, ...] = ()

    @property
    def has_audio(self) -> bool:
        return any(s.type == "audio" for s in self.streams)

    @property
    def has_video(self) -> bool:
        return any(s.type == "video" for s in self.streams)

    @classmethod
    def describe(cls, src: MediaSource, sniffed: Sniffed, kind: MediaKind, size: int, **facts: Any) -> MediaInfo:
        """The facts every kind shares (name, format, MIME type, size, SHA-256) plus the kind's own ``facts``."""
        return cls(
            file=src.name,
            kind=kind,
            format=sniffed.format,
            mime=sniffed.mime,
            size_bytes=size,
            sha256=src.sha256(),
            **facts,
        )

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict (enums as their values)."""
        out = asdict(self)
        out["kind"] = self.kind.value
        out["streams"] = [asdict(s) for s in self.streams]
        out["warnings"] = list(self.warnings)
        return out


@dataclass(frozen=True)
class DecodedImage:
    """An image ready for the face pipeline.

    Attributes:
        pixels: ``(H, W, 3)`` uint8 RGB, EXIF orientation applied, first frame of
            animated formats.
        file: the input's name.
        format: the format read from the bytes.
        original_size: ``(width, height)`` of the stored image before any reduced-size decode.
        warnings: e.g. an unreadable EXIF block that was ignored.
    """

    pixels: NDArray[np.uint8]
    file: str
    format: str
    original_size: tuple[int, int]
    warnings: tuple[str, ...] = ()

    @property
    def width(self) -> int:
        return int(self.pixels.shape[1])

    @property
    def height(self) -> int:
        return int(self.pixels.shape[0])


@dataclass(frozen=True)
class DecodedAudio:
    """Mono audio ready for the speech pipeline.

    Attributes:
        samples: ``(n,)`` float32 in [-1, 1] nominal, mono, at ``sample_rate``.
        sample_rate: the rate the caller asked for (resampled from ``native_rate``).
        file: the input's name.
        native_rate: the stream's own sample rate.
        native_channels: channel count before the down-mix.
        warnings: e.g. damaged packets that were skipped.
    """

    samples: NDArray[np.float32]
    sample_rate: int
    file: str
    native_rate: int
    native_channels: int
    warnings: tuple[str, ...] = ()

    @property
    def duration_s(self) -> float:
        return len(self.samples) / float(self.sample_rate)


@dataclass(frozen=True)
class VideoFrame:
    """One frame sampled from a video.

    Attributes:
        time_s: presentation time in seconds from the stream start.
        target_s: the sampling time this frame was chosen for (the nearest
            frame at or after it).
        pixels: ``(H, W, 3)`` uint8 RGB, upright (rotation metadata applied).
        rotation: counter-clockwise degrees that were applied to make it upright.
    """

    time_s: float
    target_s: float
    pixels: NDArray[np.uint8] = field(repr=False)
    rotation: int = 0
