"""Image decoding: bytes to upright RGB pixels, under the intake limits.

Pillow does the work (libjpeg-turbo, libpng, libwebp and libtiff inside its
wheels). It is used rather than OpenCV's ``imdecode`` because Pillow reads the
header without decoding pixels (so a decompression bomb is refused before it
allocates anything), applies EXIF orientation, reads the first frame of GIF and
animated WebP/PNG, and can decode JPEGs at a reduced size through DCT scaling.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Iterator
from contextlib import contextmanager

import numpy as np
from PIL import Image, ImageOps

from ..errors import CorruptMedia, MediaError, MediaTooLarge, UnsupportedMedia
from .info import DecodedImage, MediaInfo, StreamInfo
from .limits import IntakeLimits
from .sniff import MediaKind, Sniffed, sniff
from .source import MediaSource, check_size

_EXIF_ORIENTATION = 0x0112
# Orientations 5 to 8 swap width and height when applied.
_TRANSPOSING_ORIENTATIONS = {5, 6, 7, 8}
_PIL_FORMATS = {"JPEG", "MPO", "PNG", "WEBP", "BMP", "DIB", "TIFF", "GIF"}


@contextmanager
def _open(src: MediaSource, limits: IntakeLimits) -> Iterator[Image.Image]:
    """Open lazily (header only) and refuse images over the pixel limit."""
    with src.open() as fh:
        try:
            with warnings.catch_warnings():
                # Our own pixel limit applies below; Pillow's global bomb limit
                # stays untouched (it belongs to the user's process).
                warnings.simplefilter("ignore", Image.DecompressionBombWarning)
                img = Image.open(fh)
        except Image.DecompressionBombError as exc:
            raise MediaTooLarge(
                src.name, f"image too large to decode safely: {exc}", limit="max_pixels", maximum=limits.max_pixels
            ) from exc
        except Exception as exc:  # Pillow raises many types for broken headers
            raise CorruptMedia(src.name, f"unreadable image header: {exc}") from exc
        with img:
            if img.format not in _PIL_FORMATS:
                raise UnsupportedMedia(src.name, f"image format {img.format} is not supported")
            width, height = img.size
            if width <= 0 or height <= 0:
                raise CorruptMedia(src.name, f"image header declares an empty size {width}x{height}")
            if width * height > limits.max_pixels:
                raise MediaTooLarge(
                    src.name,
                    f"{img.format} header declares {width}x{height} pixels "
                    f"({width * height}), over the limit of {limits.max_pixels}",
                    limit="max_pixels",
                    value=width * height,
                    maximum=limits.max_pixels,
                )
            yield img


def _orientation(img: Image.Image) -> tuple[int, str | None]:
    """EXIF orientation tag (1 = upright) and a warning if the EXIF block is unreadable."""
    try:
        return int(img.getexif().get(_EXIF_ORIENTATION, 1) or 1), None
    except Exception as exc:  # a corrupt EXIF block must not stop an otherwise good image
        return 1, f"unreadable EXIF metadata ignored ({exc})"


def _to_rgb(img: Image.Image) -> np.ndarray:
    """Pillow image of any mode to (H, W, 3) uint8 RGB."""
    if img.mode in ("I;16", "I;16B", "I;16L", "I", "F"):
        # High bit-depth greyscale (16-bit PNG/TIFF): scale the real range to 8 bits
        # instead of letting convert() clip everything above 255 to white.
        arr = np.asarray(img, dtype=np.float64)
        finite = arr[np.isfinite(arr)]
        lo, hi = (float(finite.min()), float(finite.max())) if finite.size else (0.0, 1.0)
        scaled = np.nan_to_num((arr - lo) / max(hi - lo, 1e-12) * 255.0)
        grey = np.clip(scaled, 0, 255).astype(np.uint8)
        return np.repeat(grey[:, :, None], 3, axis=2)
    if img.mode != "RGB":
        img = img.convert("RGB")
    return np.asarray(img, dtype=np.uint8).copy()


def probe_image(src: MediaSource, sniffed: Sniffed, limits: IntakeLimits, *, verify: bool = True) -> MediaInfo:
    """Facts about an image; with ``verify`` the pixels are decoded once to prove the file is whole."""
    size = check_size(src, limits)
    with _open(src, limits) as img:
        width, height = img.size
        orientation, warning = _orientation(img)
        frames_warning: tuple[str, ...] = ()
        try:
            # Counting frames walks every frame header of a GIF or TIFF, past
            # the first frame that decoding uses; a damaged later frame must
            # not escape as a Pillow exception.
            frames: int | None = int(getattr(img, "n_frames", 1) or 1)
        except Exception as exc:
            frames = None
            frames_warning = (f"frame count unreadable ({exc or type(exc).__name__})",)
        if orientation in _TRANSPOSING_ORIENTATIONS:
            width, height = height, width
    if verify:
        decoded = load_image(src, limits, sniffed=sniffed)
        warns = decoded.warnings + frames_warning
    else:
        warns = ((warning,) if warning else ()) + frames_warning
    stream = StreamInfo(index=0, type="image", codec=sniffed.format, width=width, height=height, frames=frames)
    return MediaInfo.describe(
        src,
        sniffed,
        MediaKind.IMAGE,
        size,
        width=width,
        height=height,
        streams=(stream,),
        warnings=warns,
    )


def load_image(
    src: MediaSource, limits: IntakeLimits | None = None, *, sniffed: Sniffed | None = None, max_side: int | None = None
) -> DecodedImage:
    """Decode an image to upright RGB.

    Args:
        src: the input.
        limits: intake limits (defaults: :class:`IntakeLimits`).
        sniffed: the sniffer's answer when the caller already has it.
        max_side: if set, JPEGs larger than this are decoded at a reduced
            power-of-two scale whose longer side is still at least ``max_side``
            (much faster for 4K photos when only faces of moderate size matter).
            Other formats decode at full size.

    Raises:
        UnsupportedMedia: the bytes are not an image fakeguard reads.
        CorruptMedia: broken header or pixel data (a truncated file, for instance).
        MediaTooLarge: over ``max_bytes`` or ``max_pixels``.
    """
    limits = limits or IntakeLimits()
    sniffed = sniffed or sniff(src)
    if sniffed.kind is not MediaKind.IMAGE:
        raise UnsupportedMedia(src.name, f"expected an image, the bytes are {sniffed.format} ({sniffed.kind.value})")
    check_size(src, limits)
    with _open(src, limits) as img:
        original_size = img.size
        if max_side and img.format == "JPEG" and max(img.size) > max_side:
            scale = max_side / max(img.size)
            # draft() picks the smallest DCT scale (1/2, 1/4, 1/8) whose size is still at least this.
            img.draft("RGB", (math.ceil(img.size[0] * scale), math.ceil(img.size[1] * scale)))
        try:
            img.seek(0)
            img.load()
            # EXIF only after the pixels: Pillow's PNG getexif() loads the image
            # to look for a trailing eXIf chunk, and a failure there (caught as
            # an EXIF warning) would leave a blank image that load() accepts.
            orientation, warning = _orientation(img)
            if orientation != 1:
                img = ImageOps.exif_transpose(img) or img
            pixels = _to_rgb(img)
        except MediaError:
            raise
        except Exception as exc:
            raise CorruptMedia(src.name, f"{sniffed.format} pixel data cannot be decoded: {exc}") from exc
    return DecodedImage(
        pixels=pixels,
        file=src.name,
        format=sniffed.format,
        original_size=original_size,
        warnings=(warning,) if warning else (),
    )
