"""H.264 round trips in the face-crop degradations (``datasets/face_augment.py``: ``h264`` and ``degrade``)."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from fakeguard.datasets import face_augment
from fakeguard.datasets.face_augment import degrade, h264


def _textured(height: int, width: int, seed: int = 0) -> np.ndarray:
    """A colour image with fine detail: a sine pattern plus lightly blurred noise."""
    rng = np.random.default_rng(seed)
    y, x = np.mgrid[0:height, 0:width].astype(np.float64)
    base = 128 + 50 * np.sin(x / 4.0) * np.cos(y / 6.0)
    noise = cv2.GaussianBlur(rng.normal(0, 15, (height, width, 3)), (0, 0), 1.0)
    return np.clip(base[..., None] + noise + np.array([20.0, 0.0, -20.0]), 0, 255).astype(np.uint8)


def _mae(a: np.ndarray, b: np.ndarray) -> float:
    return float(np.abs(a.astype(np.int16) - b.astype(np.int16)).mean())


@pytest.fixture(scope="module")
def image() -> np.ndarray:
    return _textured(96, 128)


@pytest.mark.parametrize("shape", [(96, 128), (221, 223), (223, 221), (65, 64), (3, 3)])
@pytest.mark.parametrize("shift", [None, (2, 1)])
def test_h264_keeps_shape_and_dtype_odd_sizes_too(shape, shift):
    src = _textured(*shape, seed=1)
    out = h264(src, 23, shift=shift)
    assert out.shape == src.shape and out.dtype == np.uint8
    assert _mae(out, src) < 12


def test_h264_odd_sizes_pad_the_lost_row_and_column_by_replication():
    src = _textured(221, 223, seed=2)
    out = h264(src, 23)
    # 4:2:0 needs even sizes: the last row and column are the encoded ones repeated.
    np.testing.assert_array_equal(out[-1], out[-2])
    np.testing.assert_array_equal(out[:, -1], out[:, -2])
    # Everything else is the encoded picture, close to the source.
    assert _mae(out[:-1, :-1], src[:-1, :-1]) < 8


def test_h264_does_not_modify_its_input(image):
    before = image.copy()
    h264(image, 30, shift=(2, 1))
    np.testing.assert_array_equal(image, before)


def test_h264_changes_the_pixels(image):
    out = h264(image, 23)
    assert not np.array_equal(out, image)


def test_higher_crf_loses_more_detail(image):
    errors = {crf: _mae(h264(image, crf), image) for crf in (18, 28, 40)}
    assert errors[18] < errors[28] < errors[40], errors
    assert errors[40] > 1.5 * errors[18], errors


def test_flat_image_survives_almost_exactly():
    flat = np.full((64, 80, 3), (120, 90, 60), np.uint8)
    out = h264(flat, 23)
    assert np.abs(out.astype(int) - flat).max() <= 3


def test_p_frame_path_gives_the_image_not_its_shifted_reference(image):
    shifted = np.roll(image, (2, 1), axis=(0, 1))
    out = h264(image, 23, shift=(2, 1))
    keyframe = h264(image, 23)
    assert _mae(out, image) < 8
    # Close to the input (the second, displayed-last frame), far from the reference it was predicted from.
    assert _mae(out, image) < 0.6 * _mae(out, shifted)
    # As good as coding it as a keyframe, within a margin.
    assert _mae(out, image) < 1.25 * _mae(keyframe, image) + 0.5
    # And really a different encoding from the keyframe one.
    assert not np.array_equal(out, keyframe)


@pytest.mark.parametrize("preset", face_augment.H264_PRESETS)
def test_each_preset_degrade_draws_from_works(image, preset):
    out = h264(image, 30, preset=preset, shift=(-3, 3))
    assert out.shape == image.shape and _mae(out, image) < 10


def test_h264_is_deterministic(image):
    np.testing.assert_array_equal(h264(image, 26, shift=(1, -2)), h264(image, 26, shift=(1, -2)))
    np.testing.assert_array_equal(h264(image, 26), h264(image, 26))


def test_degrade_with_the_same_seed_is_identical_and_runs_h264(image, monkeypatch):
    calls = []
    real_h264 = face_augment.h264

    def spy(*args, **kwargs):
        calls.append((args[1:], kwargs))
        return real_h264(*args, **kwargs)

    monkeypatch.setattr(face_augment, "h264", spy)
    # strength 3 makes every probability, H.264's 0.35 included, reach 1.
    outs = []
    for seed in (7, 7, 8):
        outs.append(degrade(image, np.random.default_rng(seed), strength=3.0))
    assert len(calls) == 3
    assert calls[0] == calls[1] != calls[2]
    np.testing.assert_array_equal(outs[0], outs[1])
    assert not np.array_equal(outs[0], outs[2])
    for out in outs:
        assert out.shape == image.shape and out.dtype == np.uint8
    # The drawn parameters are in the documented ranges.
    for (crf, preset, shift), _ in calls:
        assert face_augment.H264_CRF[0] <= crf <= face_augment.H264_CRF[1]
        assert preset in face_augment.H264_PRESETS
        assert shift is None or all(-3 <= s <= 3 for s in shift)


def test_degrade_same_seed_identical_over_many_seeds_at_default_strength(image):
    # Whatever mix of degradations a seed draws (H.264 for about a third of them).
    small = image[:48, :64]
    for seed in range(12):
        a = degrade(small, np.random.default_rng(seed))
        b = degrade(small, np.random.default_rng(seed))
        np.testing.assert_array_equal(a, b)


def test_degrade_at_strength_zero_returns_an_equal_copy(image):
    out = degrade(image, np.random.default_rng(0), strength=0.0)
    np.testing.assert_array_equal(out, image)
    assert out is not image


def test_h264_leaves_images_too_thin_for_420_unchanged():
    thin = np.arange(15, dtype=np.uint8).reshape(1, 5, 3)
    assert np.array_equal(h264(thin, 23), thin)
