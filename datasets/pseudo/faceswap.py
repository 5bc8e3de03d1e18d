"""Landmark face swaps between two real faces, in the manner of FaceForensics++'s FaceSwap.

FaceForensics++'s "FaceSwap" set (Rössler et al., ICCV 2019) was made by a
graphics pipeline, not a network: fit the source face to the target's
landmarks, warp it, correct its colour and blend it in. The same pipeline on
two real aligned crops gives a pseudo-fake with a *second identity* in it,
which self-blending (:mod:`.blend`) never has; the two together cover both
"a face pasted onto itself" and "someone else's face pasted in".

Steps (:func:`landmark_swap`):

1. Control points on each face: the five landmarks, the inner-face outline
   (:func:`.face_mask.face_polygon`) and the image's corners and edge
   midpoints, so that the triangulation covers the whole image.
2. Delaunay triangulation of the *target's* points; each source triangle is
   warped affinely onto its target triangle (``cv2.getAffineTransform`` and
   ``warpAffine`` on the triangle's bounding box, kept inside the triangle).
   A piecewise-affine warp follows the face's shape where one similarity
   transform would not; it starts from that similarity warp, so a triangle
   skipped as degenerate still holds a plausibly placed source.
3. Colour correction: the warped source's mean and standard deviation per
   LAB channel, inside the mask, are matched to the target's (Reinhard et al.,
   2001), with the ratio of standard deviations kept in [0.5, 2] so that a
   flat region cannot blow noise up.
4. Blending through a randomly deformed mask (:func:`.face_mask.face_mask`,
   clipped to the fixed mask, since outside the outline the warped source is
   stretched neck, collar or background):
   Poisson blending (``cv2.seamlessClone``, ``NORMAL_CLONE``) or a feathered
   alpha blend, drawn at random: the two leave different boundaries.

Faces partly outside the image, degenerate triangles and masks that touch
the image's edge (which ``seamlessClone`` cannot take) are all handled; the
function does not raise for any finite landmarks.
"""

from __future__ import annotations

from typing import Literal

import cv2
import numpy as np
from numpy.typing import NDArray
from scipy.spatial import Delaunay, QhullError

from fakeguard.detectors.faces.crop import similarity_matrix

from .face_mask import face_mask, face_polygon

Method = Literal["seamless", "alpha"]
METHODS: tuple[Method, ...] = ("seamless", "alpha")
"""The blending methods :func:`landmark_swap` draws from, with equal probability."""

STD_RATIO = (0.5, 2.0)
"""Bounds of the per-channel standard-deviation ratio in the colour correction."""
MIN_AREA = 0.5
"""Triangles with less area than this (square pixels), in the source or the target, are skipped."""
MAX_COORD = 1e5
"""Target triangles with a vertex further out than this (pixels) are skipped: no face is that large."""
CLONE_MARGIN = 2
"""Pixels cleared along the image's edge of the mask given to ``seamlessClone`` (its bounding box must not touch it)."""


def _border_points(shape: tuple[int, ...]) -> NDArray[np.float32]:
    """The four corners and four edge midpoints of an image of this shape."""
    h, w = float(shape[0] - 1), float(shape[1] - 1)
    return np.array([[0, 0], [w / 2, 0], [w, 0], [w, h / 2], [w, h], [w / 2, h], [0, h], [0, h / 2]], dtype=np.float32)


def control_points(landmarks: np.ndarray, shape: tuple[int, ...]) -> NDArray[np.float32]:
    """``(33, 2)`` float32: the landmarks, the inner-face outline and the image border points, in that order."""
    landmarks = np.asarray(landmarks, dtype=np.float32).reshape(5, 2)
    return np.vstack([landmarks, face_polygon(landmarks), _border_points(shape)])


def _areas(tris: np.ndarray) -> NDArray[np.float64]:
    """Areas of ``(T, 3, 2)`` triangles."""
    t = tris.astype(np.float64)
    u, v = t[:, 1] - t[:, 0], t[:, 2] - t[:, 0]
    return 0.5 * np.abs(u[:, 0] * v[:, 1] - u[:, 1] * v[:, 0])


def _warp_triangle(
    source: np.ndarray, out: np.ndarray, src_tri: np.ndarray, dst_tri: np.ndarray, box: tuple[int, int, int, int]
) -> None:
    """Warp ``source``'s triangle ``src_tri`` onto ``dst_tri`` of ``out``, in place, within ``box`` (x0, y0, x1, y1)."""
    x0, y0, x1, y1 = box
    local = (dst_tri - (x0, y0)).astype(np.float32)
    matrix = cv2.getAffineTransform(src_tri.astype(np.float32), local)
    if not np.all(np.isfinite(matrix)):
        return
    size = (x1 - x0, y1 - y0)
    patch = cv2.warpAffine(source, matrix, size, flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REFLECT101)
    inside = np.zeros((size[1], size[0]), dtype=np.uint8)
    cv2.fillConvexPoly(inside, np.round(local * 16).astype(np.int32), 1, lineType=cv2.LINE_8, shift=4)
    np.copyto(out[y0:y1, x0:x1], patch, where=inside[:, :, None].view(bool))


def _triangulate(points: np.ndarray) -> NDArray[np.int32] | None:
    """Delaunay triangles of ``points`` as ``(T, 3)`` indices; ``None`` if there are none (coincident points)."""
    try:
        # QJ joggles the input so that duplicate or collinear points still triangulate
        return Delaunay(points.astype(np.float64), qhull_options="QJ").simplices.astype(np.int32)
    except (QhullError, ValueError):
        return None


def warp_face(
    source: np.ndarray,
    source_landmarks: np.ndarray,
    target_landmarks: np.ndarray,
    shape: tuple[int, ...],
    region: NDArray[np.float32] | None = None,
) -> NDArray[np.uint8]:
    """``source`` warped piecewise-affinely so that its control points land on the target's, at ``shape``.

    Args:
        source: ``(H', W', 3)`` uint8 RGB.
        source_landmarks: ``(5, 2)`` its landmarks.
        target_landmarks: ``(5, 2)`` landmarks of the face it is to cover.
        shape: ``(H, W)`` (or ``(H, W, 3)``) of the target image.
        region: optional ``(H, W)`` mask; triangles whose bounding box misses
            its support are left at the similarity warp (saves time).
    """
    h, w = int(shape[0]), int(shape[1])
    src_pts = control_points(source_landmarks, source.shape)
    dst_pts = control_points(target_landmarks, (h, w))
    similarity = similarity_matrix(src_pts[:5], dst_pts[:5])
    if not np.all(np.isfinite(similarity)):
        similarity = np.eye(2, 3)
    out = cv2.warpAffine(source, similarity, (w, h), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REFLECT101)
    if not (np.all(np.isfinite(src_pts)) and np.all(np.isfinite(dst_pts))):
        return out
    triangles = _triangulate(dst_pts)
    if triangles is None:
        return out
    src_tris, dst_tris = src_pts[triangles], dst_pts[triangles]
    # boxes of the target triangles, clipped to the image (or to the region's box)
    lo = np.floor(dst_tris.min(axis=1)).clip(-MAX_COORD, MAX_COORD).astype(np.int64)
    hi = np.ceil(dst_tris.max(axis=1)).clip(-MAX_COORD, MAX_COORD).astype(np.int64) + 1
    x0, y0, x1, y1 = 0, 0, w, h
    if region is not None:
        x0, y0, bw, bh = cv2.boundingRect((region > 0).astype(np.uint8))
        x1, y1 = x0 + bw, y0 + bh
    lo = np.maximum(lo, (x0, y0))
    hi = np.minimum(hi, (x1, y1))
    keep = (
        (hi > lo).all(axis=1)
        & (_areas(src_tris) >= MIN_AREA)
        & (_areas(dst_tris) >= MIN_AREA)
        & (np.abs(dst_tris).max(axis=(1, 2)) <= MAX_COORD)
    )
    for i in np.flatnonzero(keep):
        _warp_triangle(source, out, src_tris[i], dst_tris[i], (lo[i, 0], lo[i, 1], hi[i, 0], hi[i, 1]))
    return out


def match_colour(source: np.ndarray, target: np.ndarray, mask: np.ndarray, strength: float = 1.0) -> NDArray[np.uint8]:
    """``source`` with each LAB channel's mean and spread inside ``mask`` moved to ``target``'s.

    Works on OpenCV's 8-bit LAB (a linear rescaling of CIELAB, so matching
    means and spreads there is the same as in CIELAB, to within 8-bit
    rounding) and only inside the bounding box of the mask's support: a
    quarter of the time of float LAB on the whole image.

    Args:
        source, target: ``(H, W, 3)`` uint8 RGB of the same shape.
        mask: ``(H, W)``; pixels where it exceeds 0.5 are measured.
        strength: 0 leaves ``source`` as it is, 1 matches fully.

    Returns:
        A copy of ``source``, changed inside the bounding box of ``mask > 0``.
    """
    inside = (mask > 0.5).astype(np.uint8)
    if strength <= 0 or np.count_nonzero(inside) < 16:
        return source
    x, y, w, h = cv2.boundingRect((mask > 0).astype(np.uint8))  # all of the mask's support is corrected
    box = (slice(y, y + h), slice(x, x + w))
    sel = np.ascontiguousarray(inside[box])
    src = cv2.cvtColor(np.ascontiguousarray(source[box]), cv2.COLOR_RGB2LAB)
    dst = cv2.cvtColor(np.ascontiguousarray(target[box]), cv2.COLOR_RGB2LAB)
    src_mean, src_std = (v.ravel() for v in cv2.meanStdDev(src, mask=sel))
    dst_mean, dst_std = (v.ravel() for v in cv2.meanStdDev(dst, mask=sel))
    ratio = np.clip(dst_std / np.maximum(src_std, 0.5), *STD_RATIO)
    # (src - src_mean) * ratio + dst_mean, mixed with src by strength: one gain and offset per channel
    gain = 1.0 - strength + strength * ratio
    offset = strength * (dst_mean - ratio * src_mean)
    lab = cv2.transform(src, np.hstack([np.diag(gain), offset[:, None]]))  # rounds and saturates to uint8
    out = source.copy()
    out[box] = cv2.cvtColor(lab, cv2.COLOR_LAB2RGB)
    return out


def _seamless(source: np.ndarray, target: np.ndarray, mask: np.ndarray) -> tuple[np.ndarray, np.ndarray] | None:
    """Poisson-blend ``source`` into ``target`` where ``mask`` > 0.5; ``None`` if there is too little to clone."""
    hard = (mask > 0.5).astype(np.uint8)
    m = CLONE_MARGIN
    if min(hard.shape) <= 2 * m + 2:
        return None
    hard[:m], hard[-m:], hard[:, :m], hard[:, -m:] = 0, 0, 0, 0
    x, y, w, h = cv2.boundingRect(hard)
    if w < 3 or h < 3:
        return None
    try:
        # with the centre at the box's centre, OpenCV puts the cloned box exactly where it was
        blended = cv2.seamlessClone(source, target, hard * 255, (x + w // 2, y + h // 2), cv2.NORMAL_CLONE)
    except cv2.error:
        return None
    used = hard.astype(np.float32)
    # seamlessClone's result is only meaningful under the mask: keep the target everywhere else
    return np.where(hard[:, :, None] > 0, blended, target), used


def landmark_swap(
    target: np.ndarray,
    target_landmarks: np.ndarray,
    source: np.ndarray,
    source_landmarks: np.ndarray,
    rng: np.random.Generator,
    *,
    method: Method | None = None,
    colour_strength: float = 1.0,
) -> tuple[NDArray[np.uint8], NDArray[np.float32]]:
    """Put ``source``'s inner face onto ``target``'s face.

    Args:
        target: ``(H, W, 3)`` uint8 RGB: the image the fake is made from.
        target_landmarks: ``(5, 2)`` its landmarks (dlib order, pixels).
        source: ``(H', W', 3)`` uint8 RGB of another person (normally another crop of the same size).
        source_landmarks: ``(5, 2)`` its landmarks.
        rng: draws the mask's deformation and, unless ``method`` is given, the blending method.
        method: ``"seamless"`` or ``"alpha"`` to fix the blending (for tests and figures).
        colour_strength: how far the colour correction goes (0 none, 1 full).

    Returns:
        ``(fake, mask)``: the uint8 RGB fake, of ``target``'s shape, and the
        float32 ``(H, W)`` weight of the source at each pixel: the soft mask
        for the alpha blend, the 0/1 cloned region for Poisson blending
        (which also shifts colours inside it). Where the mask is 0 the fake
        equals ``target``; an all-zero mask means nothing was swapped.
    """
    target = np.asarray(target)
    source = np.asarray(source)
    for name, img in (("target", target), ("source", source)):
        if img.dtype != np.uint8 or img.ndim != 3 or img.shape[2] != 3:
            raise ValueError(f"expected {name} (H, W, 3) uint8 RGB, got {img.shape} {img.dtype}")
    shape = target.shape[:2]
    # the random mask, kept within the fixed one: beyond the outline the warped source is stretched
    # neck, collar or background, not face
    mask = np.minimum(face_mask(target_landmarks, shape, rng), face_mask(target_landmarks, shape))
    chosen = method if method is not None else METHODS[int(rng.integers(len(METHODS)))]
    if not mask.any():
        return target.copy(), mask
    warped = warp_face(source, source_landmarks, target_landmarks, shape, region=mask)
    warped = match_colour(warped, target, mask, colour_strength)
    if chosen == "seamless":
        cloned = _seamless(warped, target, mask)
        if cloned is not None:
            return cloned
    a = mask[:, :, None]
    fake = a * warped.astype(np.float32) + (1 - a) * target.astype(np.float32)
    return np.rint(fake).astype(np.uint8), mask
