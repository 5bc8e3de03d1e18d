"""The DWT-DCT watermark reader: marks embedded here, then re-encoded and resized, read back.

The image is drawn here (a textured 512x512 scene, the size of a Stable
Diffusion 1 output). What survives each step is recorded as a test, and
measured on 200 real photos by ``bench/watermark_survival.py``. When
``invisible-watermark`` itself is importable, its encoder and decoder are
checked against this module's.
"""

from __future__ import annotations

import io

import cv2
import numpy as np
import pytest
from PIL import Image

from fakeguard.detectors.intake import as_source, identify
from fakeguard.detectors.provenance import Indication, ProvenanceConfig, TrustLevel, read_provenance
from fakeguard.detectors.provenance.tables import tables
from fakeguard.detectors.provenance.watermark import BlockBits, block_bits, decode_bits, embed, match_known


@pytest.fixture(scope="module")
def scene() -> np.ndarray:
    """A 512x512 RGB picture with texture in every block (smooth areas are where dwtDct marks fail)."""
    rng = np.random.default_rng(7)
    base = cv2.resize(rng.integers(30, 225, (32, 32, 3), dtype=np.uint8), (512, 512), interpolation=cv2.INTER_CUBIC)
    noise = rng.normal(0, 12, (512, 512, 3))
    return np.clip(base + noise, 0, 255).astype(np.uint8)


@pytest.fixture(scope="module")
def sdxl():
    return next(m for m in tables().watermarks if m.name.startswith("SDXL"))


def _jpeg(pixels: np.ndarray, quality: int, subsampling: int = -1) -> bytes:
    buf = io.BytesIO()
    Image.fromarray(pixels).save(buf, "JPEG", quality=quality, subsampling=subsampling)
    return buf.getvalue()


def _png(pixels: np.ndarray) -> bytes:
    buf = io.BytesIO()
    Image.fromarray(pixels).save(buf, "PNG")
    return buf.getvalue()


def _read(data: bytes):
    src, sniffed = identify(as_source(data))
    return read_provenance(src, sniffed, config=ProvenanceConfig())


@pytest.mark.parametrize("index", range(3))
def test_every_known_mark_is_read_back_and_only_that_one(scene, index):
    mark = tables().watermarks[index]
    matches = {m.mark.name: m for m in match_known(embed(scene, mark.bits))}
    assert matches[mark.name].accuracy >= 0.95 and matches[mark.name].detected
    assert [name for name, m in matches.items() if m.detected] == [mark.name]


def test_an_unmarked_image_matches_no_mark(scene):
    assert not any(m.detected for m in match_known(scene))
    assert all(m.accuracy < 0.7 for m in match_known(scene))


def test_a_marked_png_reports_an_unsigned_ai_watermark(scene, sdxl):
    reading = _read(_png(embed(scene, sdxl.bits)))
    (signal,) = reading.provenance.signals
    assert signal.kind == "watermark" and signal.value == sdxl.name
    assert signal.trust is TrustLevel.UNSIGNED and signal.indicates is Indication.AI_GENERATED
    assert "100% of 48 message bits" in signal.detail
    assert "watermark" in reading.provenance.checked


def test_what_survives_re_encoding_and_resizing(scene, sdxl):
    """Recorded on this picture: JPEG with 4:4:4 chroma keeps the mark, the usual 4:2:0 and a resize do not.

    The mark lives in the 2x2 sums of the U channel, exactly what 4:2:0 chroma subsampling
    averages and re-quantises, and on a 4-pixel block grid that any resize shifts.
    """
    marked = embed(scene, sdxl.bits)
    steps = {
        "png": _png(marked),
        "jpeg q90 4:4:4": _jpeg(marked, 90, subsampling=0),
        "jpeg q90": _jpeg(marked, 90),
        "jpeg q75": _jpeg(marked, 75),
        "half size": _png(cv2.resize(marked, (256, 256), interpolation=cv2.INTER_AREA)),
    }
    found = {step: any(s.kind == "watermark" for s in _read(data).provenance.signals) for step, data in steps.items()}
    assert found == {"png": True, "jpeg q90 4:4:4": True, "jpeg q90": False, "jpeg q75": False, "half size": False}


def test_an_image_under_256_pixels_square_is_not_checked():
    reading = _read(_png(np.zeros((200, 300, 3), np.uint8)))
    assert "watermark" not in reading.provenance.checked and reading.warnings == []


def test_the_watermark_reader_can_be_switched_off(scene, sdxl):
    src, sniffed = identify(as_source(_png(embed(scene, sdxl.bits))))
    reading = read_provenance(src, sniffed, config=ProvenanceConfig(watermark=False))
    assert reading.provenance.signals == [] and "watermark" not in reading.provenance.checked


def test_decode_bits_takes_the_majority_of_each_bits_blocks():
    # Message bit k of 3 is carried by blocks k, k + 3, k + 6.
    bits = np.array([1, 0, 1, 1, 0, 0, 1, 0, 1], dtype=bool)
    assert decode_bits(BlockBits(bits, np.arange(9)), 3).tolist() == [True, False, True]
    # Blocks not read (here 3 to 5) leave each bit to the blocks that were.
    kept = np.array([0, 1, 2, 6, 7, 8])
    assert decode_bits(BlockBits(bits[kept], kept), 3).tolist() == [True, False, True]


def test_a_large_image_is_read_on_spread_rows_and_still_found(sdxl):
    rng = np.random.default_rng(3)
    base = cv2.resize(rng.integers(30, 225, (40, 64, 3), dtype=np.uint8), (1920, 1080), interpolation=cv2.INTER_CUBIC)
    photo = np.clip(base + rng.normal(0, 12, base.shape), 0, 255).astype(np.uint8)
    marked = embed(photo, sdxl.bits)
    read = block_bits(marked)
    assert read.numbers.size < 135 * 240  # not every block row of the 1080p image
    assert np.array_equal(np.unique(read.numbers // 240), np.arange(0, 135, 2))
    (match,) = match_known(marked, (sdxl,))
    assert match.accuracy == 1.0


def test_invisible_watermark_reads_our_marks_and_we_read_its(scene):
    """Against the package itself, when it is importable (it is not a dependency: see watermark.py)."""
    imwatermark = pytest.importorskip("imwatermark", reason="invisible-watermark is not installed")
    for mark in tables().watermarks:
        encoder = imwatermark.WatermarkEncoder()
        encoder.set_watermark("bits", mark.bits.astype(int).tolist())
        theirs = np.ascontiguousarray(encoder.encode(scene[:, :, ::-1].copy(), "dwtDct")[:, :, ::-1])
        (ours_on_theirs,) = match_known(theirs, (mark,))
        assert ours_on_theirs.detected
        decoder = imwatermark.WatermarkDecoder("bits", mark.bits.size)
        read = np.asarray(decoder.decode(embed(scene, mark.bits)[:, :, ::-1].copy(), "dwtDct"), dtype=bool)
        assert np.mean(read == mark.bits) >= mark.min_accuracy
