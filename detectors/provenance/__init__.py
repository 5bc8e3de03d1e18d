"""Provenance: what a file declares about its own origin, beside what the detectors estimate.

One call, :func:`read_provenance`, runs every reader that applies to the
file's format and returns the report's ``provenance`` section:

* :mod:`.c2pa`: signed C2PA content credentials (images, video, audio);
* :mod:`.xmp`: IPTC digital source type, creator tool, camera, edit history;
* :mod:`.exif`: EXIF Software, Make/Model, and settings in text fields;
* :mod:`.png_text`: generator settings in PNG text chunks and JPEG comments;
* :mod:`.watermark`: Stable Diffusion's invisible DWT-DCT watermarks (images).

Readers never raise on bad metadata: a damaged block is a warning. How the
verdict follows the signals is :mod:`.verdict`. The names of generators,
editors, metadata keys and watermarks are data, in ``known_tools.yaml``.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

import numpy as np
from numpy.typing import NDArray
from PIL import Image

from ..errors import MediaError
from ..intake import IntakeLimits, MediaKind, MediaSource, Sniffed, load_image
from .blocks import Blocks, walk
from .c2pa import read_c2pa
from .exif import exif_signals
from .png_text import text_signals
from .types import (
    Indication,
    Provenance,
    ProvenanceConfig,
    ProvenanceReading,
    ProvenanceSignal,
    TrustLevel,
)
from .watermark import MIN_PIXELS, watermark_signals
from .xmp import xmp_signals

__all__ = [
    "Indication",
    "Provenance",
    "ProvenanceConfig",
    "ProvenanceReading",
    "ProvenanceSignal",
    "TrustLevel",
    "read_provenance",
    "summarise",
]

log = logging.getLogger(__name__)
T = TypeVar("T")

_TRUST_WORDS = {
    TrustLevel.SIGNED_VALID: "signed, trusted signer",
    TrustLevel.SIGNED_UNTRUSTED: "signed, untrusted signer",
    TrustLevel.SIGNED_TAMPERED: "signed but no longer valid",
    TrustLevel.UNSIGNED: "unsigned",
}


def read_provenance(
    src: MediaSource,
    sniffed: Sniffed,
    *,
    pixels: NDArray[np.uint8] | None = None,
    config: ProvenanceConfig | None = None,
    limits: IntakeLimits | None = None,
) -> ProvenanceReading:
    """Read every provenance signal of ``src``.

    Args:
        src: the file.
        sniffed: what intake found (``identify``): the format picks the readers.
        pixels: the image decoded at its stored size, ``(H, W, 3)`` uint8 RGB, for the
            watermark reader. When None (or decoded at another size), an image is
            decoded here, once, at full size.
        config: trust anchors and limits (default: :meth:`ProvenanceConfig.from_env`).
        limits: intake limits for that decode.

    Returns:
        The report section (signals strongest first, what was checked, a one-line
        summary) with the readers' warnings and the time taken.
    """
    t0 = time.perf_counter()
    config = config or ProvenanceConfig.from_env()
    signals: list[ProvenanceSignal] = []
    warnings: list[str] = []
    checked: list[str] = []

    c2pa = _safely("C2PA", warnings, lambda: read_c2pa(src, sniffed.format, config.trust_anchors))
    if c2pa is not None:
        signals += c2pa.signals
        warnings += c2pa.warnings
        if c2pa.checked:
            checked.append("c2pa")

    try:
        data = _metadata_bytes(src, sniffed, config.scan_bytes)
    except OSError as exc:
        warnings.append(f"metadata cannot be read ({exc.strerror or exc}): only C2PA was checked")
        data = None
    if data is not None:
        blocks = _safely("metadata", warnings, lambda: walk(data, sniffed.format, config.max_text_bytes))
        if blocks is not None:
            _safely("metadata", warnings, lambda: _read_blocks(blocks, signals, warnings, checked, sniffed))

    if sniffed.kind is MediaKind.IMAGE and config.watermark:
        pixels, note = _full_size_pixels(src, sniffed, pixels, limits)
        if note:
            warnings.append(note)
        elif pixels is not None and pixels.shape[0] * pixels.shape[1] >= MIN_PIXELS:
            marks = _safely("watermark", warnings, lambda: watermark_signals(pixels))
            if marks is not None:
                signals += marks
                checked.append("watermark")

    ranked = _ranked(signals)
    provenance = Provenance(ranked, checked, summarise(ranked, checked))
    return ProvenanceReading(provenance, warnings, time.perf_counter() - t0)


def _safely(reader: str, warnings: list[str], read: Callable[[], T]) -> T | None:
    """``read()``, or None and a warning if it fails in a way its reader did not foresee.

    Each reader turns the damage it knows into warnings; this is the net under them
    (an unexpected manifest shape, a library's new exception type): provenance
    must never stop a file from being scored.
    """
    try:
        return read()
    except Exception as exc:
        log.exception("provenance reader %s failed", reader)
        warnings.append(f"{reader} reader failed ({type(exc).__name__}: {exc}): its signals are missing")
        return None


def _read_blocks(
    blocks: Blocks, signals: list[ProvenanceSignal], warnings: list[str], checked: list[str], sniffed: Sniffed
) -> None:
    warnings += blocks.warnings
    found, notes = xmp_signals(blocks.xmp)
    signals += found
    warnings += notes
    checked.append("xmp")
    if sniffed.format in ("jpeg", "png", "webp", "tiff"):
        found, notes = exif_signals(blocks.exif)
        signals += found
        warnings += notes
        checked.append("exif")
    if sniffed.format in ("jpeg", "png"):
        signals += text_signals(blocks.texts)
        checked.append("text")


def _metadata_bytes(src: MediaSource, sniffed: Sniffed, scan_bytes: int) -> bytes:
    """The whole image, or the head and tail windows of an audio or video file."""
    if sniffed.kind is MediaKind.IMAGE:
        return src.data if src.data is not None else Path(src.path or "").read_bytes()
    size = src.size
    with src.open() as f:
        if size <= 2 * scan_bytes:
            return f.read()
        head = f.read(scan_bytes)
        f.seek(size - scan_bytes)
        return head + f.read()


def _full_size_pixels(
    src: MediaSource, sniffed: Sniffed, pixels: NDArray[np.uint8] | None, limits: IntakeLimits | None
) -> tuple[NDArray[np.uint8] | None, str]:
    """The pixels the watermark reader needs (None for an image too small to carry a mark), or a note
    saying why they cannot be had."""
    if pixels is not None:
        return pixels, ""
    try:
        with src.open() as f, Image.open(f) as header:  # the size alone: no decode for a small image
            width, height = header.size
    except Exception:  # Pillow raises many types on a broken header; load_image below names the problem
        width = height = MIN_PIXELS
    if width * height < MIN_PIXELS:
        return None, ""
    try:
        return load_image(src, limits, sniffed=sniffed).pixels, ""
    except MediaError as exc:
        return None, f"watermark not checked: the image cannot be decoded ({exc.reason})"


def _ranked(signals: list[ProvenanceSignal]) -> list[ProvenanceSignal]:
    """Strongest first, each distinct signal once (the same field can sit in EXIF and XMP alike)."""
    unique = list(dict.fromkeys(signals))
    return sorted(unique, key=lambda s: s.rank())


def summarise(signals: list[ProvenanceSignal], checked: list[str]) -> str:
    """One line for a table cell: the strongest signal, or what was looked for and not found.

    Args:
        signals: strongest first.
        checked: the readers that ran.
    """
    if not signals:
        looked = ", ".join(checked) or "nothing readable"
        return f"none found (checked: {looked}); absence says nothing about authenticity"
    top = signals[0]
    more = len(signals) - 1
    tail = f" (+{more} more)" if more else ""
    return f"{top.value} ({top.kind}, {_TRUST_WORDS[top.trust]}) in {top.source}{tail}"
