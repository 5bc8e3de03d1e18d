"""Arrays and Pillow images as inputs: encoded losslessly in memory, then read like any file.

A notebook often holds media already decoded: a frame as a NumPy array, a
photo as a ``PIL.Image``, a waveform. Encoding it to PNG (pixels) or to WAV
(samples, 32-bit float or 16-bit PCM as given) costs a few milliseconds and
keeps one path to a score: the same sniffing, intake limits, decoders and
pipelines as a file, so a report of an array is the report of the same
pixels saved as a PNG. The report's ``sha256`` is that of the encoded bytes.
"""

from __future__ import annotations

import io
import os
from typing import Any

import numpy as np

from .source import MediaSource, as_source

#: Names reported for inputs without one.
ARRAY_NAME = "<array>"
IMAGE_NAME = "<image>"
#: zlib level of the in-memory PNG: fast (the bytes never leave memory), still lossless.
PNG_COMPRESS_LEVEL = 1


def is_pil_image(obj: Any) -> bool:
    """Whether ``obj`` is a ``PIL.Image.Image`` (without importing Pillow for other inputs)."""
    try:
        from PIL import Image
    except ImportError:  # pragma: no cover - Pillow is a dependency
        return False
    return isinstance(obj, Image.Image)


def encode_image_array(pixels: np.ndarray) -> bytes:
    """PNG bytes of ``(H, W)`` grey, ``(H, W, 3)`` RGB or ``(H, W, 4)`` RGBA uint8 pixels.

    Raises:
        ValueError: another shape or dtype (floats are refused rather than guessed at:
            ``[0, 1]`` and ``[0, 255]`` conventions both exist).
    """
    from PIL import Image

    arr = np.asarray(pixels)
    if arr.ndim == 1:
        raise ValueError(f"a 1-D array ({arr.shape[0]} values) is read as audio: give its sample_rate=")
    if arr.dtype != np.uint8:
        raise ValueError(f"an image array must be uint8 (H, W, 3) RGB, got dtype {arr.dtype}")
    if arr.ndim == 3 and arr.shape[2] == 1:
        arr = arr[:, :, 0]
    if not (arr.ndim == 2 or (arr.ndim == 3 and arr.shape[2] in (3, 4))):
        raise ValueError(
            f"an image array must be (H, W), (H, W, 3) or (H, W, 4) uint8, got shape {arr.shape}; "
            "for audio, pass sample_rate="
        )
    buffer = io.BytesIO()
    Image.fromarray(np.ascontiguousarray(arr)).save(buffer, "PNG", compress_level=PNG_COMPRESS_LEVEL)
    return buffer.getvalue()


def encode_audio_array(samples: np.ndarray, sample_rate: int) -> bytes:
    """WAV bytes of ``(n,)`` mono or ``(n, channels)`` samples: float as 32-bit float, int16 as 16-bit PCM.

    Raises:
        ValueError: a bad shape, dtype or rate.
    """
    import soundfile as sf

    arr = np.asarray(samples)
    if int(sample_rate) <= 0:
        raise ValueError(f"sample_rate must be positive, got {sample_rate}")
    if arr.ndim not in (1, 2) or arr.size == 0:
        raise ValueError(f"an audio array must be (n,) or (n, channels) and not empty, got shape {arr.shape}")
    if arr.ndim == 2 and arr.shape[1] > arr.shape[0]:
        raise ValueError(f"an audio array is (n, channels): got shape {arr.shape}, transpose it")
    if arr.dtype == np.int16:
        subtype = "PCM_16"
    elif np.issubdtype(arr.dtype, np.floating):
        arr, subtype = arr.astype(np.float32), "FLOAT"
    else:
        raise ValueError(f"an audio array must be float or int16, got dtype {arr.dtype}")
    buffer = io.BytesIO()
    sf.write(buffer, arr, int(sample_rate), subtype=subtype, format="WAV")
    return buffer.getvalue()


def encode_pil_image(image: Any) -> bytes:
    """PNG bytes of a Pillow image, turned upright by its EXIF orientation first (as a decoded file would be)."""
    from PIL import ImageOps

    upright = ImageOps.exif_transpose(image) or image
    if upright.mode not in ("RGB", "RGBA", "L"):
        upright = upright.convert("RGBA" if "A" in upright.getbands() or "transparency" in upright.info else "RGB")
    buffer = io.BytesIO()
    upright.save(buffer, "PNG", compress_level=PNG_COMPRESS_LEVEL)
    return buffer.getvalue()


def array_source(obj: Any, name: str | None = None, sample_rate: int | None = None) -> MediaSource:
    """A :class:`MediaSource` holding a NumPy array or Pillow image, encoded losslessly.

    Args:
        obj: an image array (uint8 ``(H, W, 3)`` RGB, ``(H, W)`` grey, ``(H, W, 4)`` RGBA),
            an audio array (``(n,)`` or ``(n, channels)``, float or int16, with ``sample_rate``),
            or a ``PIL.Image.Image``.
        name: what the report calls the input (default ``<array>`` or ``<image>``).
        sample_rate: Hz; given for audio arrays, and only for them.

    Raises:
        ValueError: an array that is neither, or ``sample_rate`` with an image.
        TypeError: not an array or a Pillow image.
    """
    if is_pil_image(obj):
        if sample_rate is not None:
            raise ValueError("sample_rate is for audio arrays; a Pillow image has none")
        return MediaSource(name=name or IMAGE_NAME, data=encode_pil_image(obj))
    if isinstance(obj, np.ndarray):
        data = encode_image_array(obj) if sample_rate is None else encode_audio_array(obj, sample_rate)
        return MediaSource(name=name or ARRAY_NAME, data=data)
    raise TypeError(f"cannot score a {type(obj).__name__}: give a path, bytes, a NumPy array or a PIL image")


def media_source(source: Any, name: str | None = None, sample_rate: int | None = None) -> MediaSource:
    """A :class:`MediaSource` for anything the Python API scores: a path, bytes, a source, an array, an image.

    Paths and buffers go to :func:`~fakeguard.detectors.intake.as_source`, arrays and Pillow
    images to :func:`array_source`.

    Raises:
        MediaNotFound: a path that cannot be read.
        ValueError: ``sample_rate`` with a path or buffer (they carry their own), or a bad array.
        TypeError: an unknown input type.
    """
    if isinstance(source, (str, os.PathLike, bytes, bytearray, memoryview, MediaSource)):
        if sample_rate is not None:
            raise ValueError("sample_rate is for audio arrays; a file or buffer carries its own")
        return as_source(source, name)
    return array_source(source, name, sample_rate)
