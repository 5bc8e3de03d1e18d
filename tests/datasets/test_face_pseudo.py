"""Face pseudo-fakes (inner-face mask, self-blending, landmark swap) and the face degradations.

The faces are cartoons drawn at the template landmarks of a 224 px crop: a
skin ellipse, two dark eyes, a nose and a mouth on a noisy background. That
is enough to check where things land; how real the fakes look is checked by
eye with ``bench/face_pseudo_gallery.py``.
"""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from fakeguard.datasets.face_augment import degrade
from fakeguard.datasets.pseudo import face_mask, face_polygon, landmark_swap, self_blend
from fakeguard.detectors.faces import template_landmarks

SIZE = 224
LANDMARKS = template_landmarks(SIZE, 1.3)
EYES = (LANDMARKS[0:2].mean(axis=0), LANDMARKS[2:4].mean(axis=0))
NOSE = LANDMARKS[4]
MOUTH = NOSE + (0.0, 28.0)  # about 0.4 eye distances below the nose base
CORNERS = [(0, 0), (0, SIZE - 1), (SIZE - 1, 0), (SIZE - 1, SIZE - 1)]


def _pt(p: np.ndarray) -> tuple[int, int]:
    return int(round(float(p[0]))), int(round(float(p[1])))


def synthetic_face(
    seed: int,
    skin: tuple[int, int, int] = (220, 170, 140),
    eye: tuple[int, int, int] = (40, 25, 20),
    mouth: tuple[int, int, int] = (160, 40, 50),
    stripes: bool = False,
) -> np.ndarray:
    """A 224 px RGB cartoon face at :data:`LANDMARKS` on a textured background."""
    rng = np.random.default_rng(seed)
    img = rng.integers(30, 110, size=(SIZE, SIZE, 3), dtype=np.uint8)  # noisy background
    centre = _pt((EYES[0] + EYES[1]) / 2 + (0.0, 35.0))
    cv2.ellipse(img, centre, (74, 100), 0, 0, 360, skin, -1)
    if stripes:  # a texture only this face has, to recognise it after the swap
        band = (np.arange(SIZE) // 6 % 2).astype(bool)
        inside = np.zeros((SIZE, SIZE), np.uint8)
        cv2.ellipse(inside, centre, (74, 100), 0, 0, 360, 1, -1)
        img[(inside > 0) & band[None, :]] = np.clip(np.array(skin) - 60, 0, 255)
    for e in EYES:
        cv2.ellipse(img, _pt(e), (13, 7), 0, 0, 360, eye, -1)
    cv2.ellipse(img, _pt(NOSE - (0.0, 8.0)), (7, 12), 0, 0, 360, tuple(c // 2 for c in skin), -1)
    cv2.ellipse(img, _pt(MOUTH), (22, 7), 0, 0, 360, mouth, -1)
    return img


@pytest.fixture(scope="module")
def face() -> np.ndarray:
    return synthetic_face(0)


def _at(mask: np.ndarray, p: np.ndarray) -> float:
    x, y = _pt(p)
    return float(mask[y, x])


# ---- face_mask ----


def test_polygon_is_a_closed_outline_around_the_landmarks() -> None:
    poly = face_polygon(LANDMARKS)
    assert poly.shape[1] == 2 and 16 <= len(poly) <= 24 and poly.dtype == np.float32
    for p in (*EYES, NOSE, MOUTH):
        assert cv2.pointPolygonTest(poly.reshape(-1, 1, 2), (float(p[0]), float(p[1])), False) > 0


def test_fixed_mask_covers_the_inner_face_and_not_the_corners() -> None:
    mask = face_mask(LANDMARKS, (SIZE, SIZE))
    assert mask.shape == (SIZE, SIZE) and mask.dtype == np.float32
    assert mask.min() >= 0.0 and mask.max() <= 1.0
    for p in (*EYES, *LANDMARKS, MOUTH):
        assert _at(mask, p) > 0.99
    for x, y in CORNERS:
        assert mask[y, x] == 0.0
    assert np.array_equal(mask, face_mask(LANDMARKS, (SIZE, SIZE)))  # no rng: always the same


def test_mask_follows_the_face() -> None:
    """Landmarks moved, rotated and scaled: the mask moves with them."""
    angle, scale, shift = np.deg2rad(20), 0.7, np.array([-30.0, 15.0])
    rot = scale * np.array([[np.cos(angle), -np.sin(angle)], [np.sin(angle), np.cos(angle)]])
    centre = LANDMARKS.mean(axis=0)
    moved = (LANDMARKS - centre) @ rot.T + centre + shift
    mask = face_mask(moved, (SIZE, SIZE))
    for p in moved:
        assert _at(mask, p) > 0.99
    assert 0.3 < mask.sum() / face_mask(LANDMARKS, (SIZE, SIZE)).sum() / scale**2 < 1.7


def test_random_masks_vary_and_repeat_by_seed() -> None:
    draws = [face_mask(LANDMARKS, (SIZE, SIZE), np.random.default_rng(seed)) for seed in range(6)]
    for mask in draws:
        assert mask.dtype == np.float32 and mask.min() >= 0.0 and mask.max() <= 1.0
        for p in (*EYES, NOSE, MOUTH):
            assert _at(mask, p) > 0.9
        for x, y in CORNERS:
            assert mask[y, x] == 0.0
    assert all(not np.allclose(draws[0], other, atol=1e-3) for other in draws[1:])
    again = face_mask(LANDMARKS, (SIZE, SIZE), np.random.default_rng(3))
    assert np.array_equal(again, draws[3])


def test_mask_of_a_face_off_the_image_is_empty() -> None:
    assert not face_mask(LANDMARKS + 1000.0, (SIZE, SIZE)).any()
    assert not face_mask(np.zeros((5, 2)), (SIZE, SIZE), np.random.default_rng(0)).any()


def test_mask_rejects_bad_landmarks() -> None:
    bad = LANDMARKS.copy()
    bad[0, 0] = np.nan
    for landmarks in (bad, LANDMARKS[:4]):
        with pytest.raises(ValueError):
            face_mask(landmarks, (SIZE, SIZE))


# ---- self_blend ----


def test_self_blend_changes_only_inside_its_mask(face: np.ndarray) -> None:
    changed = 0
    for seed in range(8):
        fake, alpha = self_blend(face, LANDMARKS, np.random.default_rng(seed))
        assert fake.dtype == np.uint8 and fake.shape == face.shape
        assert alpha.dtype == np.float32 and alpha.shape == face.shape[:2]
        assert alpha.min() >= 0.0 and alpha.max() <= 1.0 and alpha.max() >= 0.25 - 1e-6
        diff = np.abs(fake.astype(int) - face.astype(int)).max(axis=2)
        assert diff[alpha == 0].max() == 0  # outside the mask's support: the input, exactly
        changed += int(diff[alpha > 0.5 * alpha.max()].mean() > 1.0)
        for p in (*EYES, NOSE):
            assert _at(alpha, p) > 0.2
    assert changed == 8  # every draw visibly alters the face


def test_self_blend_is_reproducible(face: np.ndarray) -> None:
    a = self_blend(face, LANDMARKS, np.random.default_rng(42))
    b = self_blend(face, LANDMARKS, np.random.default_rng(42))
    c = self_blend(face, LANDMARKS, np.random.default_rng(43))
    assert np.array_equal(a[0], b[0]) and np.array_equal(a[1], b[1])
    assert not np.array_equal(a[0], c[0])


def test_self_blend_rejects_non_rgb() -> None:
    with pytest.raises(ValueError):
        self_blend(np.zeros((SIZE, SIZE), np.uint8), LANDMARKS, np.random.default_rng(0))


# ---- landmark_swap ----


@pytest.fixture(scope="module")
def source() -> np.ndarray:
    """Another 'identity': other colours and a striped face."""
    return synthetic_face(1, skin=(90, 150, 220), eye=(200, 220, 40), mouth=(40, 160, 60), stripes=True)


@pytest.mark.parametrize("method", ["seamless", "alpha"])
def test_swap_puts_the_source_face_in_and_keeps_the_corners(face, source, method) -> None:
    # the source is a smaller, shifted copy of the same cartoon: the warp must find it
    small = cv2.warpAffine(source, np.float32([[0.8, 0, 20], [0, 0.8, 30]]), (SIZE, SIZE), borderValue=(60, 60, 60))
    small_landmarks = LANDMARKS * 0.8 + (20.0, 30.0)
    fake, mask = landmark_swap(face, LANDMARKS, small, small_landmarks, np.random.default_rng(0), method=method)
    assert fake.dtype == np.uint8 and fake.shape == face.shape
    assert mask.dtype == np.float32 and mask.shape == face.shape[:2]
    for x, y in CORNERS:
        assert np.array_equal(fake[y, x], face[y, x])
    assert np.array_equal(fake[mask == 0], face[mask == 0])
    # the source's stripes are inside the face: columns alternate as in the source
    rows = slice(int(EYES[0][1]) + 12, int(NOSE[1]) - 24)  # between the eyes and the nose
    cols = slice(int(EYES[1][0]), int(EYES[0][0]))
    profile = fake[rows, cols].astype(float).mean(axis=(0, 2))
    expected = source[rows, cols].astype(float).mean(axis=(0, 2))
    assert np.corrcoef(profile, expected)[0, 1] > 0.6
    assert face[rows, cols].reshape(-1, 3).std(axis=0).max() < 1.0  # the target's face there is flat


def test_swap_without_colour_correction_keeps_the_source_colours(face, source) -> None:
    fake, mask = landmark_swap(
        face, LANDMARKS, source, LANDMARKS, np.random.default_rng(1), method="alpha", colour_strength=0.0
    )
    cheek = (slice(int(EYES[0][1]) + 12, int(NOSE[1]) - 24), slice(int(EYES[1][0]), int(EYES[0][0])))
    got = fake[cheek].reshape(-1, 3).mean(axis=0)
    assert np.abs(got - source[cheek].reshape(-1, 3).mean(axis=0)).max() < 12
    assert got[2] > got[0] + 40  # bluish like the source, where the target is reddish
    # with full correction the face takes the target's colour
    matched, _ = landmark_swap(face, LANDMARKS, source, LANDMARKS, np.random.default_rng(1), method="alpha")
    assert matched[cheek].reshape(-1, 3).mean(axis=0)[0] > got[0] + 40


def test_swap_never_raises_on_jittered_or_odd_landmarks(face, source) -> None:
    rng = np.random.default_rng(7)
    centre = LANDMARKS.mean(axis=0)
    for i in range(50):
        angle = rng.uniform(-0.6, 0.6)
        rot = rng.uniform(0.3, 1.6) * np.array([[np.cos(angle), -np.sin(angle)], [np.sin(angle), np.cos(angle)]])
        target_lm = (LANDMARKS - centre) @ rot.T + centre + rng.uniform(-150, 150, size=2)  # often near the border
        target_lm += rng.normal(0, rng.choice([0.5, 5.0, 25.0]), size=(5, 2))  # up to badly placed landmarks
        source_lm = LANDMARKS + rng.normal(0, 4.0, size=(5, 2)) + rng.uniform(-60, 60, size=2)
        if i == 0:
            target_lm = np.full((5, 2), 100.0)  # all landmarks at one point
        if i == 1:
            source_lm = np.full((5, 2), 50.0)
        if i == 2:
            target_lm = LANDMARKS * 3.0  # a face larger than the image
        if i == 3:
            target_lm = (LANDMARKS - centre) * 1e6 + centre  # absurdly large: no huge kernels either
        fake, mask = landmark_swap(face, target_lm, source, source_lm, rng)
        assert fake.shape == face.shape and fake.dtype == np.uint8
        assert mask.shape == face.shape[:2] and np.isfinite(mask).all()
        assert np.array_equal(fake[mask == 0], face[mask == 0])


def test_swap_is_reproducible_and_accepts_another_source_size(face, source) -> None:
    big = cv2.resize(source, (300, 300))
    big_landmarks = LANDMARKS * (300 / SIZE)
    a = landmark_swap(face, LANDMARKS, big, big_landmarks, np.random.default_rng(5))
    b = landmark_swap(face, LANDMARKS, big, big_landmarks, np.random.default_rng(5))
    assert np.array_equal(a[0], b[0]) and np.array_equal(a[1], b[1])
    assert a[0].shape == face.shape


# ---- degrade ----


def test_degrade_keeps_shape_and_type_and_repeats_by_seed(face: np.ndarray) -> None:
    outs = [degrade(face, np.random.default_rng(seed)) for seed in range(12)]
    for out in outs:
        assert out.shape == face.shape and out.dtype == np.uint8
    assert sum(not np.array_equal(out, face) for out in outs) >= 8
    assert np.array_equal(degrade(face, np.random.default_rng(4)), outs[4])
    assert np.array_equal(degrade(face, np.random.default_rng(4), strength=0.0), face)
    original = face.copy()
    degrade(face, np.random.default_rng(0))
    assert np.array_equal(face, original)  # the input is not modified


def test_degrade_strength_scales_the_damage(face: np.ndarray) -> None:
    def damage(strength: float) -> float:
        return float(
            np.mean(
                [np.abs(degrade(face, np.random.default_rng(s), strength).astype(int) - face).mean() for s in range(20)]
            )
        )

    assert damage(0.25) < damage(1.0)
