"""One call for any file: sniff the bytes, pick the decoder, return :class:`MediaInfo`."""

from __future__ import annotations

from ..errors import UnsupportedMedia
from ._av import open_container
from .audio import probe_audio
from .image import probe_image
from .info import MediaInfo
from .limits import IntakeLimits
from .sniff import MediaKind, Sniffed, sniff
from .source import MediaSource, PathLike, as_source, check_size
from .video import probe_video


def resolve_kind(src: MediaSource, sniffed: Sniffed) -> Sniffed:
    """Settle the kind of a container from the streams it really holds.

    An MP4 or WebM with only an audio track is audio; an Ogg with a video
    track is video. Non-container formats are returned unchanged.
    """
    if not sniffed.container:
        return sniffed
    with open_container(src, sniffed.format) as container:
        has_video = any(s.type == "video" and not _is_cover_art(s) for s in container.streams)
        has_audio = bool(container.streams.audio)
    if has_video:
        return Sniffed(MediaKind.VIDEO, sniffed.format, sniffed.mime, True)
    if has_audio:
        return Sniffed(MediaKind.AUDIO, sniffed.format, sniffed.mime, True)
    raise UnsupportedMedia(src.name, f"{sniffed.format} container holds no video or audio stream")


#: FFmpeg's AV_DISPOSITION_ATTACHED_PIC.
_ATTACHED_PIC = 0x0400


def _is_cover_art(stream) -> bool:
    # M4A files carry album art as an "attached picture" video stream. PyAV's
    # disposition is an IntFlag, whose str() is just the number on Python >= 3.11,
    # so test the bit rather than the name.
    disposition = getattr(stream, "disposition", None)
    if disposition is None:
        return False
    try:
        return bool(int(disposition) & _ATTACHED_PIC)
    except (TypeError, ValueError):
        return "attached_pic" in str(disposition).lower()


def identify(source: PathLike | bytes | MediaSource, limits: IntakeLimits | None = None) -> tuple[MediaSource, Sniffed]:
    """Size-check, sniff and resolve a source: what every pipeline does first."""
    limits = limits or IntakeLimits()
    src = as_source(source)
    check_size(src, limits)
    return src, resolve_kind(src, sniff(src))


def probe(
    source: PathLike | bytes | MediaSource,
    limits: IntakeLimits | None = None,
    *,
    verify: bool = True,
    name: str | None = None,
) -> MediaInfo:
    """Describe a media file: kind, format, size, duration, resolution, streams.

    Args:
        source: a path or bytes.
        limits: intake limits (defaults: :class:`IntakeLimits`).
        verify: also decode the content (the whole image, the whole audio
            stream, the first video frame) so that a truncated or corrupt file is
            reported here rather than later.
        name: the name used in errors and in the result (defaults to the path).

    Raises:
        MediaError: one of its typed subclasses, naming the file and the reason.
    """
    limits = limits or IntakeLimits()
    src, sniffed = identify(as_source(source, name), limits)
    if sniffed.kind is MediaKind.IMAGE:
        return probe_image(src, sniffed, limits, verify=verify)
    if sniffed.kind is MediaKind.AUDIO:
        return probe_audio(src, sniffed, limits, verify=verify)
    return probe_video(src, sniffed, limits, verify=verify)
