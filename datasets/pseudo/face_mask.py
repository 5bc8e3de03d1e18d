"""The inner-face mask that face pseudo-fakes are blended through, built from dlib's five landmarks.

Blending-based pseudo-fakes (Face X-ray, Li et al. CVPR 2020; Self-Blended
Images, Shiohara & Yamasaki CVPR 2022) teach a detector the one thing every
face swap shares: a boundary where one face was pasted into another. They
need a mask of the region that is replaced. The papers take the convex hull
of 68 or 81 landmarks; fakeguard only has dlib's five (the 68-point model is
trained on non-commercial data and is never loaded), so the region is a fixed
polygon, :data:`POLYGON`, drawn once in the units of the crop template
(:data:`~fakeguard.detectors.faces.crop.TEMPLATE`: eye-distance units, origin
between the eyes, y down) and mapped onto each face by the similarity
transform that takes the template landmarks to the face's landmarks. Five
points fix position, size and roll, which is all the polygon can follow;
yaw and expression are left to the random deformation.

The polygon runs from just above the eyebrows (0.55 eye distances above the
eye line) down to the chin (1.78 below), and from cheek to cheek (1.0 either
side at eye level, narrowing to the chin): eyebrows, eyes, nose, mouth and
chin, and no hair or background on a frontal face. It was tuned by eye on 24
aligned LFW crops (``bench/face_pseudo_gallery.py`` draws it): a chin at 1.85
and cheeks at 1.05 reached the collar and the hair on closed-mouth and
narrow faces. A face turned far to one side still gets a frontal outline,
which then takes in background on the far side: five landmarks say nothing
about yaw.

With an ``rng``, :func:`face_mask` varies the mask as SBI does, so that the
detector does not learn one blending boundary: a smooth random displacement
of the polygon's points (SBI's elastic deformation, applied to the 20 points
instead of to every pixel), a random anisotropic scale, a random erosion or
dilation and a random Gaussian blur of the edge. Without one it returns the
same soft-edged mask every time, for evaluation and display.
"""

from __future__ import annotations

import cv2
import numpy as np
from numpy.typing import NDArray

from fakeguard.detectors.faces.crop import TEMPLATE, similarity_matrix

# One half of the outline, from the top centre clockwise (image-right side) to the chin, in
# template units. The other half is its mirror image.
_HALF: tuple[tuple[float, float], ...] = (
    (0.00, -0.55),  # forehead centre, just above the brows
    (0.40, -0.53),
    (0.70, -0.46),
    (0.90, -0.30),  # outer end of the eyebrow
    (1.00, 0.00),  # cheek at eye level
    (0.98, 0.40),
    (0.92, 0.80),
    (0.80, 1.15),  # jaw below the mouth corners
    (0.60, 1.48),
    (0.33, 1.70),
    (0.00, 1.78),  # chin
)

POLYGON: NDArray[np.float64] = np.array(
    list(_HALF) + [(-x, y) for x, y in reversed(_HALF[1:-1])],
    dtype=np.float64,
)
"""``(20, 2)`` outline of the inner face in template units, in order around the face."""

POLYGON_CENTRE: NDArray[np.float64] = np.array([0.0, 0.65])
"""The middle of :data:`POLYGON` (between the eyebrows and the chin): deformations scale about it."""

SOFT_EDGE = 0.06
"""Gaussian sigma of the fixed mask's edge, in eye distances (about 4 px in a 224 px crop)."""

MIN_EYE_DISTANCE = 2.0
"""Faces whose eyes are closer than this (pixels) get an empty mask: coincident or collapsed landmarks."""

# Ranges of the random deformation, all in eye distances unless stated.
ELASTIC = 0.06  # amplitude of the smooth displacement of the outline
JITTER = 0.015  # independent displacement of each point
SCALE = (0.92, 1.08)  # anisotropic scale of the outline, per axis (a ratio)
MORPH = (-0.08, 0.08)  # erosion (< 0) or dilation (> 0) radius
BLUR = (0.02, 0.14)  # Gaussian sigma of the edge


def _to_face(landmarks: np.ndarray) -> NDArray[np.float64]:
    """The ``(2, 3)`` similarity map from template units to the face's pixels."""
    landmarks = np.asarray(landmarks, dtype=np.float64)
    if landmarks.shape != (5, 2) or not np.all(np.isfinite(landmarks)):
        raise ValueError(f"expected (5, 2) finite landmarks, got {landmarks.shape}: {landmarks.tolist()}")
    return similarity_matrix(TEMPLATE, landmarks)


def _apply(matrix: np.ndarray, points: np.ndarray) -> NDArray[np.float32]:
    return (points @ matrix[:, :2].T + matrix[:, 2]).astype(np.float32)


def _pixels_per_unit(matrix: np.ndarray) -> float:
    """The face's eye distance in pixels, as the similarity map's scale."""
    return float(np.sqrt(abs(np.linalg.det(matrix[:, :2]))))


def face_polygon(landmarks: np.ndarray) -> NDArray[np.float32]:
    """:data:`POLYGON` on this face: ``(20, 2)`` float32 pixel coordinates, in order around the face.

    Args:
        landmarks: ``(5, 2)`` landmarks in dlib order, in pixels.
    """
    return _apply(_to_face(landmarks), POLYGON)


def face_centre(landmarks: np.ndarray) -> NDArray[np.float64]:
    """:data:`POLYGON_CENTRE` on this face, ``(2,)`` pixels: the point the face is scaled about."""
    return _apply(_to_face(landmarks), POLYGON_CENTRE[None, :])[0].astype(np.float64)


def _deform_outline(rng: np.random.Generator) -> NDArray[np.float64]:
    """:data:`POLYGON` with a smooth random displacement, per-point jitter and an anisotropic scale.

    The smooth part is a random Fourier series of orders 1 to 3 around the
    outline, so that neighbouring points move together (an elastic warp, not
    a jagged edge); higher orders get smaller amplitudes.
    """
    n = len(POLYGON)
    angle = np.linspace(0.0, 2.0 * np.pi, n, endpoint=False)[:, None]
    shift = np.zeros((n, 2))
    for order in (1, 2, 3):
        amplitude = rng.normal(0.0, ELASTIC / order, size=2)
        phase = rng.uniform(0.0, 2.0 * np.pi, size=2)
        shift += amplitude * np.cos(order * angle + phase)
    shift += rng.normal(0.0, JITTER, size=(n, 2))
    scale = rng.uniform(*SCALE, size=2)
    return POLYGON_CENTRE + (POLYGON - POLYGON_CENTRE) * scale + shift


def _fill(points: np.ndarray, shape: tuple[int, int]) -> NDArray[np.uint8]:
    """The polygon filled with 1 on a ``shape`` zero image (sub-pixel vertices, 4 fractional bits)."""
    mask = np.zeros(shape, dtype=np.uint8)
    if np.all(np.isfinite(points)):
        fixed = np.round(np.clip(points, -(2**20), 2**20) * 16).astype(np.int32)
        cv2.fillPoly(mask, [fixed], 1, lineType=cv2.LINE_8, shift=4)
    return mask


def _morph(mask: NDArray[np.uint8], radius: float) -> NDArray[np.uint8]:
    """Erode (``radius < 0``) or dilate by ``|radius|`` pixels with a disc; under a pixel does nothing."""
    r = int(round(abs(radius)))
    if r < 1:
        return mask
    disc = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (2 * r + 1, 2 * r + 1))
    return cv2.dilate(mask, disc) if radius > 0 else cv2.erode(mask, disc)


def _soften(mask: NDArray[np.uint8], sigma: float) -> NDArray[np.float32]:
    """Gaussian-blur a 0/1 mask into float32 in [0, 1]."""
    soft = mask.astype(np.float32)
    if sigma >= 0.3:
        soft = cv2.GaussianBlur(soft, (0, 0), sigmaX=sigma, sigmaY=sigma, borderType=cv2.BORDER_CONSTANT)
    return np.clip(soft, 0.0, 1.0)


def face_mask(
    landmarks: np.ndarray, shape: tuple[int, int], rng: np.random.Generator | None = None
) -> NDArray[np.float32]:
    """The inner face (eyebrows to chin, cheek to cheek) as a soft float32 ``shape`` mask in [0, 1].

    Args:
        landmarks: ``(5, 2)`` landmarks in dlib order, in pixels of the image the mask is for.
        shape: ``(height, width)`` of that image.
        rng: draws an SBI-style deformation (outline warp, erosion or dilation,
            edge blur); ``None`` gives the fixed mask with a :data:`SOFT_EDGE` edge.

    Returns:
        1 inside the face, 0 away from it, a Gaussian ramp across the outline.
        All zero if the face lies outside the image (or its landmarks coincide).
    """
    height, width = int(shape[0]), int(shape[1])
    matrix = _to_face(landmarks)
    unit = _pixels_per_unit(matrix)
    if not (np.isfinite(unit) and unit >= MIN_EYE_DISTANCE):
        return np.zeros((height, width), dtype=np.float32)
    limit = max(height, width) / 8.0  # a face far larger than the image must not ask for a huge kernel
    if rng is None:
        return _soften(_fill(_apply(matrix, POLYGON), (height, width)), min(SOFT_EDGE * unit, limit))
    hard = _fill(_apply(matrix, _deform_outline(rng)), (height, width))
    hard = _morph(hard, float(np.clip(rng.uniform(*MORPH) * unit, -limit, limit)))
    soft = _soften(hard, min(rng.uniform(*BLUR) * unit, limit))
    peak = float(soft.max())
    if 0.0 < peak < 1.0:  # a small face blurred hard: SBI rescales so that the centre is fully blended
        soft /= peak
    return soft
