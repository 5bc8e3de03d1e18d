"""Invisible DWT-DCT watermarks: the mark Stable Diffusion's reference pipelines embed.

The CompVis and Stability AI scripts, and diffusers' SDXL pipelines, mark
every image with ``invisible-watermark``'s ``dwtDct`` method: one Haar
wavelet level on the U (blue-difference) channel, 4x4 blocks of the
approximation band, and in each block the largest AC coefficient quantised
to step 36 so that its remainder encodes one bit. Bits repeat over the
blocks in raster order; reading averages each bit over its blocks.

This module is a vectorised port of that algorithm (invisible-watermark
0.2.0, ``imwatermark/maxDct.py``, MIT licence), not a dependency on the
package: ``invisible-watermark`` requires ``opencv-python``, which would
install a second, GUI build of OpenCV over the ``opencv-python-headless``
this project uses (both own the ``cv2`` folder), and its loop-per-block
decoder takes about 70 ms on a 1080p image where this one takes about 4 ms
of CPU (see :func:`block_bits` for how).

The port reads in exact integers where the package reads a floating-point
wavelet: a coefficient lying exactly on a quantisation boundary (common in
flat colour areas) is decided by the package's rounding error and here by
the arithmetic. On 30 photos from ``../shared/data/faces`` marked with each
of the three known messages by the package's own encoder, this reader found
every mark the package's decoder found and 7 more, and neither matched an
unmarked photo. ``tests/detectors/test_provenance_watermark.py`` checks both
directions against the package when it is importable.

The messages looked for, and how many of their bits must be read back, are
the ``watermarks`` table of ``known_tools.yaml``. A watermark is unsigned
evidence: the encoder is public (anyone can mark a real photo), and
resizing removes the mark (``bench/watermark_survival.py`` measures what
survives).
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np
from numpy.typing import NDArray

from .tables import Watermark, tables
from .types import Indication, ProvenanceSignal, TrustLevel

#: invisible-watermark's defaults for dwtDct: quantisation step of the U channel, block side.
SCALE = 36
BLOCK = 4
#: The reference refuses smaller images: too few blocks per bit.
MIN_PIXELS = 256 * 256
#: Pixels read at most per image (whole block rows, evenly spread): an SDXL output (1024x1024) is
#: read whole, a larger image on every k-th row (see :func:`block_bits`).
MAX_READ_PIXELS = 1 << 20


@dataclass(frozen=True)
class WatermarkMatch:
    """How well a known message was read back from an image.

    Attributes:
        mark: the table entry.
        accuracy: share of the message's bits read back correctly.
        detected: ``accuracy >= mark.min_accuracy``.
    """

    mark: Watermark
    accuracy: float

    @property
    def detected(self) -> bool:
        return self.accuracy >= self.mark.min_accuracy


def _blocks(approx: NDArray[np.float64]) -> NDArray[np.float64]:
    """``(n, 16)`` 4x4 blocks of the approximation band in raster order (partial blocks dropped)."""
    h, w = approx.shape[0] // BLOCK * BLOCK, approx.shape[1] // BLOCK * BLOCK
    blocks = approx[:h, :w].reshape(h // BLOCK, BLOCK, w // BLOCK, BLOCK).transpose(0, 2, 1, 3)
    return blocks.reshape(-1, BLOCK * BLOCK)


@dataclass(frozen=True)
class BlockBits:
    """The bits read from an image's blocks.

    Attributes:
        bits: ``(n,)`` the bit each block read carries.
        numbers: ``(n,)`` each block's number in the reference's raster order (all blocks,
            read or not), which decides the message bit it carries: ``number % length``.
    """

    bits: NDArray[np.bool_]
    numbers: NDArray[np.int64]


def block_bits(rgb: NDArray[np.uint8], max_pixels: int = MAX_READ_PIXELS) -> BlockBits:
    """The bit each 4x4 block of the approximation band carries.

    Works in integers and without locating the coefficient: the Haar approximation
    coefficient of a 2x2 pixel block is the sum of its four pixels over 2 (never
    negative, U being 0..255), the reference reads the largest AC coefficient of
    each block, and ``cA mod 36 > 18`` is ``2 cA mod 72 > 36``. So the bit is
    decided by each block's maximum over its 15 AC positions, taken as 15
    element-wise maxima of strided views.

    A block row covers 8 pixel rows. Beyond ``max_pixels``, only every k-th block
    row is read, spread over the whole image: a 1080p photo is read on every
    other row (still more than a hundred blocks per message bit), which halves
    the colour conversion that dominates the cost.

    Args:
        rgb: ``(H, W, 3)`` uint8 RGB at the size the mark was embedded in.
        max_pixels: pixels read at most (whole block rows).
    """
    side = 2 * BLOCK  # pixels per block side
    rows, cols = (rgb.shape[0] // 4 * 4) // 2 // BLOCK, (rgb.shape[1] // 4 * 4) // 2 // BLOCK
    step = max(1, -(-rows * cols * side * side // max_pixels))
    picked = np.arange(0, rows, step)
    bands = rgb[: rows * side, : cols * side].reshape(rows, side, cols * side, 3)
    bands = bands if step == 1 else bands[picked]
    u = cv2.cvtColor(np.ascontiguousarray(bands.reshape(-1, cols * side, 3)), cv2.COLOR_RGB2YUV)[:, :, 1]
    u = u.astype(np.uint16)
    approx2 = u[0::2, 0::2] + u[0::2, 1::2] + u[1::2, 0::2] + u[1::2, 1::2]
    largest = approx2[0::BLOCK, 1::BLOCK].copy()
    for i in range(BLOCK):
        for j in range(BLOCK):
            if (i, j) not in ((0, 0), (0, 1)):  # DC is not read; (0, 1) started the maximum
                np.maximum(largest, approx2[i::BLOCK, j::BLOCK], out=largest)
    numbers = (picked[:, None] * cols + np.arange(cols)[None, :]).ravel()
    return BlockBits((largest % (2 * SCALE) > SCALE).ravel(), numbers)


def decode_bits(blocks: BlockBits, length: int) -> NDArray[np.bool_]:
    """A ``length``-bit message: each bit is the rounded mean of the blocks that carry it."""
    index = blocks.numbers % length
    counts = np.bincount(index, minlength=length)
    means = np.bincount(index, weights=blocks.bits, minlength=length) / np.maximum(counts, 1)
    return means * 255 > 127


def match_known(rgb: NDArray[np.uint8], marks: tuple[Watermark, ...] | None = None) -> list[WatermarkMatch]:
    """Bit accuracy of every known message in ``rgb`` (empty for an image under 256x256 pixels)."""
    if rgb.ndim != 3 or rgb.shape[0] * rgb.shape[1] < MIN_PIXELS:
        return []
    bits = block_bits(rgb)
    marks = tables().watermarks if marks is None else marks
    return [WatermarkMatch(m, float(np.mean(decode_bits(bits, m.bits.size) == m.bits))) for m in marks]


def watermark_signals(rgb: NDArray[np.uint8]) -> list[ProvenanceSignal]:
    """A signal for each known watermark detected in ``rgb``."""
    return [
        ProvenanceSignal(
            "watermark",
            m.mark.name,
            "DWT-DCT invisible watermark (invisible-watermark dwtDct)",
            TrustLevel.UNSIGNED,
            Indication.AI_GENERATED,
            f"{m.accuracy:.0%} of {m.mark.bits.size} message bits read back (threshold {m.mark.min_accuracy:.0%})",
        )
        for m in match_known(rgb)
        if m.detected
    ]


def embed(rgb: NDArray[np.uint8], message: NDArray[np.bool_]) -> NDArray[np.uint8]:
    """Mark ``rgb`` the way ``invisible-watermark``'s ``dwtDct`` encoder does, for tests and benchmarks.

    Mirrors the reference step by step, its quirks included: the inverse
    wavelet receives the horizontal and vertical detail bands swapped (which
    transposes every 2x2 pixel block of the U channel), and the result is cast
    back to uint8 by truncation (clipped to 0..255 first, where the reference
    would wrap around).

    Args:
        rgb: ``(H, W, 3)`` uint8 RGB, at least 256x256.
        message: the bits to embed, repeated over the blocks.

    Returns:
        The marked image, ``(H, W, 3)`` uint8 RGB.
    """
    if rgb.shape[0] * rgb.shape[1] < MIN_PIXELS:
        raise ValueError("image too small: the dwtDct mark needs at least 256x256 pixels")
    h, w = rgb.shape[0] // 4 * 4, rgb.shape[1] // 4 * 4
    yuv = cv2.cvtColor(np.ascontiguousarray(rgb), cv2.COLOR_RGB2YUV)
    u = yuv[:h, :w, 1].astype(np.float64)
    a, b, c, d = u[0::2, 0::2], u[0::2, 1::2], u[1::2, 0::2], u[1::2, 1::2]
    approx = (a + b + c + d) / 2
    blocks = _blocks(approx).copy()
    pos = np.abs(blocks[:, 1:]).argmax(axis=1) + 1
    rows = np.arange(len(blocks))
    value = blocks[rows, pos]
    bit = np.resize(np.asarray(message, dtype=np.float64), len(blocks))
    quantised = (np.abs(value) // SCALE + 0.25 + 0.5 * bit) * SCALE
    blocks[rows, pos] = np.where(value >= 0, quantised, -quantised)
    bh, bw = approx.shape[0] // BLOCK * BLOCK, approx.shape[1] // BLOCK * BLOCK
    new_approx = approx.copy()
    new_approx[:bh, :bw] = blocks.reshape(bh // BLOCK, bw // BLOCK, BLOCK, BLOCK).transpose(0, 2, 1, 3).reshape(bh, bw)
    delta = (new_approx - approx) / 2  # an approximation coefficient spreads evenly over its 2x2 pixels
    out = np.empty_like(u)
    out[0::2, 0::2], out[0::2, 1::2] = a + delta, c + delta  # the swapped detail bands: b and c trade places
    out[1::2, 0::2], out[1::2, 1::2] = b + delta, d + delta
    # The reference assigns into its uint8 array (a truncating cast, wrapping out-of-range values); clip first.
    yuv[:h, :w, 1] = np.clip(out, 0, 255)
    return cv2.cvtColor(yuv, cv2.COLOR_YUV2RGB)
