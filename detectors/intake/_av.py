"""Shared PyAV plumbing for audio and video: opening containers and reading stream facts.

PyAV (FFmpeg's libraries, bundled in its wheels) demuxes and decodes every
container and codec fakeguard accepts, and lets the video sampler seek instead
of decoding every frame. Its exceptions are mapped to fakeguard's typed errors
here, once.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from fractions import Fraction

import av
import av.container

from ..errors import CorruptMedia, MediaError, MediaTooLarge, UnsupportedMedia
from .info import StreamInfo
from .limits import IntakeLimits
from .source import MediaSource


@contextmanager
def open_container(src: MediaSource, fmt: str) -> Iterator[av.container.InputContainer]:
    """Open a container for reading, mapping FFmpeg failures to :class:`CorruptMedia`."""
    fh = src.open()
    try:
        try:
            container = av.open(fh, mode="r", metadata_errors="ignore")
        except MediaError:
            raise
        except Exception as exc:
            raise CorruptMedia(src.name, f"not a readable {fmt} file: {_ffmpeg_reason(exc)}") from exc
        try:
            yield container
        finally:
            container.close()
    finally:
        fh.close()


def decoder_context(src: MediaSource, stream: av.stream.Stream, what: str) -> av.codec.context.CodecContext:
    """The stream's decoder context, or :class:`UnsupportedMedia` when FFmpeg has no decoder for its codec."""
    ctx = stream.codec_context
    if ctx is None:
        raise UnsupportedMedia(src.name, f"the {what} stream's codec cannot be decoded (no decoder for it)")
    return ctx


def _ffmpeg_reason(exc: BaseException) -> str:
    """FFmpeg errors carry the file object's repr in their message; keep the useful part."""
    if isinstance(exc, av.error.FFmpegError) and exc.strerror:
        return str(exc.strerror)
    return str(exc) or type(exc).__name__


def decode_error(src: MediaSource, what: str, exc: BaseException) -> CorruptMedia:
    """The error for a stream that breaks while decoding."""
    return CorruptMedia(src.name, f"{what} cannot be decoded: {_ffmpeg_reason(exc)}")


def _seconds(value: int | None, time_base: Fraction | None) -> float | None:
    if value is None or time_base is None:
        return None
    return float(value * time_base)


def stream_duration(stream: av.stream.Stream, container: av.container.InputContainer) -> float | None:
    """Declared duration of a stream, falling back on the container's."""
    duration = _seconds(stream.duration, stream.time_base)
    if duration is None and container.duration is not None:
        duration = container.duration / av.time_base
    return duration if duration is None or duration >= 0 else None


def check_duration(src: MediaSource, duration: float | None, limits: IntakeLimits) -> None:
    """Refuse a declared or decoded duration over the limit."""
    if duration is not None and duration > limits.max_duration_s:
        raise MediaTooLarge(
            src.name,
            f"duration {duration:.1f} s is over the limit of {limits.max_duration_s:g} s",
            limit="max_duration_s",
            value=round(duration, 3),
            maximum=limits.max_duration_s,
        )


def stream_infos(container: av.container.InputContainer) -> tuple[StreamInfo, ...]:
    """Facts about every stream, in container order."""
    out = []
    for stream in container.streams:
        # codec_context is None for a stream whose codec FFmpeg has no decoder
        # for (an unknown or damaged codec id): report what is known.
        ctx = stream.codec_context
        codec = getattr(ctx, "name", None) or "unknown"
        duration = stream_duration(stream, container)
        if stream.type == "video":
            rate = stream.average_rate or stream.guessed_rate
            out.append(
                StreamInfo(
                    index=stream.index,
                    type="video",
                    codec=codec,
                    duration_s=duration,
                    width=getattr(ctx, "width", 0) or None,
                    height=getattr(ctx, "height", 0) or None,
                    frame_rate=float(rate) if rate else None,
                    frames=stream.frames or None,
                )
            )
        elif stream.type == "audio":
            layout = getattr(ctx, "layout", None)
            channels = len(layout.channels) if layout is not None else getattr(ctx, "channels", None)
            out.append(
                StreamInfo(
                    index=stream.index,
                    type="audio",
                    codec=codec,
                    duration_s=duration,
                    sample_rate=getattr(ctx, "sample_rate", 0) or None,
                    channels=channels or None,
                    frames=stream.frames or None,
                )
            )
        else:
            out.append(StreamInfo(index=stream.index, type=str(stream.type), codec=codec, duration_s=duration))
    return tuple(out)
