"""Image decoding: upright RGB pixels, limits read from the header, typed errors for broken files."""

from __future__ import annotations

import struct
import tracemalloc

import media_factory as mf
import numpy as np
import pytest
from PIL import Image

from fakeguard.detectors.errors import CorruptMedia, MediaError, MediaTooLarge, UnsupportedMedia
from fakeguard.detectors.intake import IntakeLimits, as_source, load_image, probe

LOSSLESS = ("png", "webp", "bmp", "tiff")


def _mad(a: np.ndarray, b: np.ndarray) -> float:
    """Mean absolute difference of two uint8 images of the same shape."""
    assert a.shape == b.shape, (a.shape, b.shape)
    return float(np.abs(a.astype(np.int16) - b.astype(np.int16)).mean())


@pytest.mark.parametrize("key", LOSSLESS)
def test_lossless_formats_decode_exactly(key, catalogue):
    decoded = load_image(as_source(catalogue[key]))
    assert decoded.pixels.dtype == np.uint8
    assert decoded.pixels.shape == (mf.H, mf.W, 3)
    np.testing.assert_array_equal(decoded.pixels, mf.gradient_rgb())
    assert (decoded.width, decoded.height, decoded.original_size) == (mf.W, mf.H, (mf.W, mf.H))
    assert decoded.format == mf.SNIFF_EXPECTED[key][1]
    assert decoded.file == str(catalogue[key])
    assert decoded.warnings == ()


def test_jpeg_decodes_close_to_the_original(catalogue):
    decoded = load_image(as_source(catalogue["jpeg"]))
    assert decoded.pixels.shape == (mf.H, mf.W, 3)
    assert _mad(decoded.pixels, mf.gradient_rgb()) < 3.0
    assert decoded.format == "jpeg"


@pytest.mark.parametrize("fmt", ["PNG", "JPEG", "BMP", "GIF", "WEBP", "TIFF"])
def test_one_pixel_image_decodes_to_1x1x3(tmp_path, fmt):
    path = tmp_path / f"dot.{fmt.lower()}"
    colour = (200, 40, 90)
    Image.new("RGB", (1, 1), colour).save(path, fmt)
    decoded = load_image(as_source(path))
    assert decoded.pixels.shape == (1, 1, 3)
    assert decoded.pixels.dtype == np.uint8
    tolerance = 0 if fmt in ("PNG", "BMP", "TIFF") else 40  # GIF palette, JPEG/WebP chroma
    assert np.abs(decoded.pixels[0, 0].astype(int) - np.array(colour)).max() <= tolerance


def test_greyscale_and_rgba_images_come_out_rgb(tmp_path):
    grey = tmp_path / "grey.png"
    Image.fromarray(np.full((10, 20), 77, np.uint8), "L").save(grey)
    rgba = tmp_path / "rgba.png"
    Image.fromarray(np.full((10, 20, 4), (10, 20, 30, 128), np.uint8), "RGBA").save(rgba)
    g = load_image(as_source(grey)).pixels
    assert g.shape == (10, 20, 3) and (g == 77).all()
    r = load_image(as_source(rgba)).pixels
    assert r.shape == (10, 20, 3) and (r[0, 0] == (10, 20, 30)).all()


@pytest.mark.parametrize(("orientation", "k"), [(3, 2), (6, -1), (8, 1)])
def test_exif_orientation_is_applied(tmp_path, orientation, k):
    marker = mf.marker_rgb()
    path = mf.write_jpeg(tmp_path, f"o{orientation}.jpg", orientation=orientation, pixels=marker)
    decoded = load_image(as_source(path))
    expected = np.rot90(marker, k=k)
    assert decoded.pixels.shape == expected.shape
    assert _mad(decoded.pixels, expected) < 3.0
    assert decoded.original_size == (mf.W, mf.H)  # the stored, unrotated size


def test_exif_orientation_6_gives_a_transposed_image(catalogue):
    decoded = load_image(as_source(catalogue["jpeg_exif6"]))
    # Orientation 6: the stored image must be turned 90 degrees clockwise to be upright,
    # so the marker stored top-left ends up top-right and width and height swap.
    assert decoded.pixels.shape == (mf.W, mf.H, 3)
    assert mf.bright_quadrant(decoded.pixels) == "tr"
    assert _mad(decoded.pixels, np.rot90(mf.marker_rgb(), k=-1)) < 3.0
    info = probe(catalogue["jpeg_exif6"])
    assert (info.width, info.height) == (mf.H, mf.W)


def test_gif_gives_its_first_frame(catalogue):
    decoded = load_image(as_source(catalogue["gif"]))
    assert decoded.pixels.shape == (mf.H, mf.W, 3)
    red = decoded.pixels.reshape(-1, 3).mean(axis=0)
    assert red[0] > 240 and red[1] < 10 and red[2] < 10
    info = probe(catalogue["gif"])
    assert info.streams[0].frames == 2


def test_16_bit_png_is_scaled_not_clipped(catalogue, tmp_path):
    _, values = mf.write_png16(tmp_path)
    decoded = load_image(as_source(catalogue["png16"]))
    px = decoded.pixels
    assert px.shape == (mf.H, mf.W, 3)
    assert (px[..., 0] == px[..., 1]).all() and (px[..., 1] == px[..., 2]).all()
    row = px[0, :, 0].astype(int)
    # Clipping would turn every value over 255 (all of them here) white.
    assert (px == 255).mean() < 0.05
    assert row[0] == 0 and row[-1] == 255
    assert (np.diff(row) >= 0).all()
    expected = (values[0].astype(float) - values.min()) / (values.max() - values.min()) * 255
    assert np.abs(row - expected).max() <= 1.0


def test_png_claiming_100000x100000_pixels_is_refused_before_allocating():
    data = mf.png_bomb_bytes(100_000)
    assert len(data) < 200
    tracemalloc.start()
    try:
        with pytest.raises(MediaTooLarge) as err:
            load_image(as_source(data, name="bomb.png"))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert err.value.limit == "max_pixels"
    assert err.value.file == "bomb.png" and "bomb.png" in str(err.value)
    assert peak < 20 * 2**20  # 30 GB of pixels were never allocated
    with pytest.raises(MediaTooLarge) as err:
        probe(data, name="bomb.png")
    assert err.value.limit == "max_pixels"


def test_png_header_over_the_pixel_limit_reports_value_and_maximum():
    data = mf.png_header_bytes(8000, 8000, b"x")  # 64 MP: over 50 MP, under Pillow's own bomb limit
    with pytest.raises(MediaTooLarge) as err:
        probe(data, name="big.png")
    e = err.value
    assert (e.limit, e.value, e.maximum) == ("max_pixels", 64_000_000, 50_000_000)
    assert e.to_dict()["limit"] == "max_pixels"
    assert e.code == "too_large"


def test_max_pixels_limit_is_configurable(catalogue):
    with pytest.raises(MediaTooLarge) as err:
        load_image(as_source(catalogue["png"]), IntakeLimits(max_pixels=mf.W * mf.H - 1))
    assert (err.value.limit, err.value.value) == ("max_pixels", mf.W * mf.H)
    assert load_image(as_source(catalogue["png"]), IntakeLimits(max_pixels=mf.W * mf.H)).pixels.shape[0] == mf.H


def test_max_bytes_limit_is_enforced_before_decoding(catalogue):
    size = catalogue["bmp"].stat().st_size
    with pytest.raises(MediaTooLarge) as err:
        load_image(as_source(catalogue["bmp"]), IntakeLimits(max_bytes=size - 1))
    assert (err.value.limit, err.value.value, err.value.maximum) == ("max_bytes", size, size - 1)
    assert load_image(as_source(catalogue["bmp"]), IntakeLimits(max_bytes=size)).pixels.shape == (mf.H, mf.W, 3)


def test_max_side_decodes_large_jpegs_at_a_reduced_scale(tmp_path):
    path = mf.write_jpeg(tmp_path, "big.jpg", pixels=mf.gradient_rgb(128, 96))
    decoded = load_image(as_source(path), max_side=32)
    assert decoded.original_size == (128, 96)
    assert 32 <= max(decoded.width, decoded.height) < 128
    assert decoded.width / decoded.height == pytest.approx(128 / 96, rel=0.05)
    # PNG ignores max_side: full size
    png = mf.write_image(tmp_path, "PNG")
    assert load_image(as_source(png), max_side=32).pixels.shape == (mf.H, mf.W, 3)


def test_load_image_refuses_audio_and_video(catalogue):
    for key in ("wav16", "mp4"):
        with pytest.raises(UnsupportedMedia) as err:
            load_image(as_source(catalogue[key]))
        assert err.value.file == str(catalogue[key])


@pytest.mark.filterwarnings("ignore:Corrupt EXIF data:UserWarning")
@pytest.mark.parametrize("key", mf.IMAGE_KEYS)
@pytest.mark.parametrize("cut", ["half", "20"])
def test_truncated_images_give_corrupt_media_naming_the_file(key, cut, catalogue_bytes):
    data = catalogue_bytes[key]
    part = data[: len(data) // 2] if cut == "half" else data[:20]
    name = f"truncated-{key}-{cut}.img"
    with pytest.raises(MediaError) as err:
        load_image(as_source(part, name=name))
    assert isinstance(err.value, CorruptMedia)
    assert err.value.file == name and name in str(err.value)
    with pytest.raises(CorruptMedia):
        probe(part, name=name)


def test_png_with_a_broken_idat_is_corrupt():
    data = mf.png_header_bytes(16, 16, b"definitely not zlib data")
    # (Pillow's PNG getexif() loads the pixels; a failure there once left a
    # black image that the real load accepted, with only an EXIF warning.)
    with pytest.raises(CorruptMedia) as err:
        load_image(as_source(data, name="broken.png"))
    assert "broken.png" in str(err.value)
    with pytest.raises(CorruptMedia):
        probe(data, name="broken.png")


def test_png_with_zero_width_header_is_corrupt():
    with pytest.raises(CorruptMedia):
        load_image(as_source(mf.png_header_bytes(0, 16, b""), name="zero.png"))


def test_gif_whose_second_frame_is_damaged_still_probes(catalogue_bytes):
    """Counting frames walks every frame header; a broken later frame must not escape as a Pillow error."""
    data = bytearray(catalogue_bytes["gif"])
    gce = [i for i in range(len(data) - 1) if data[i : i + 2] == b"\x21\xf9"]  # graphic control extensions
    descriptor = gce[1] + 8  # frame 2's image descriptor follows its 8-byte extension
    assert data[descriptor] == 0x2C
    data[descriptor + 9] = 0xFF  # claims a 256-colour local palette that is not there
    info = probe(bytes(data), name="damaged.gif")
    assert (info.kind.value, info.width, info.height) == ("image", mf.W, mf.H)
    assert info.streams[0].frames is None
    assert any("frame count" in w for w in info.warnings)
    # The first frame, which is what fakeguard scores, is intact.
    assert load_image(as_source(bytes(data), name="damaged.gif")).pixels[..., 0].mean() > 240


@pytest.mark.filterwarnings("ignore:Corrupt EXIF data:UserWarning")
def test_tiff_with_a_garbage_next_directory_pointer_still_probes(catalogue_bytes):
    data = bytearray(catalogue_bytes["tiff"])
    assert data[:4] == b"II*\x00"
    ifd = struct.unpack("<I", data[4:8])[0]
    entries = struct.unpack("<H", data[ifd : ifd + 2])[0]
    next_ifd = ifd + 2 + 12 * entries
    assert data[next_ifd : next_ifd + 4] == bytes(4)  # a single-page TIFF
    data[next_ifd : next_ifd + 4] = struct.pack("<I", 0x00FFFFFF)  # points past the end of the file
    info = probe(bytes(data), name="pages.tif")
    assert info.streams[0].frames is None
    assert any("frame count" in w for w in info.warnings)
    np.testing.assert_array_equal(load_image(as_source(bytes(data))).pixels, mf.gradient_rgb())


def test_jpeg_max_side_decodes_at_the_dct_scale_that_still_covers_it(tmp_path):
    """max_side=128 on a 256x128 JPEG gives the 1/2-scale decode (128x64), not the full image."""
    import numpy as np
    from PIL import Image

    from fakeguard.detectors.intake import as_source, load_image

    path = tmp_path / "wide.jpg"
    Image.fromarray((np.arange(256 * 128 * 3) % 251).reshape(128, 256, 3).astype(np.uint8)).save(path)
    assert load_image(as_source(path), max_side=128).pixels.shape == (64, 128, 3)
    assert load_image(as_source(path), max_side=129).pixels.shape == (128, 256, 3)
    assert load_image(as_source(path)).original_size == (256, 128)
