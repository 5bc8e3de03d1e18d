"""A picture of the face pseudo-fakes, to check them by eye: writes docs/img/face_pseudo_gallery.jpg.

Columns are real LFW photos (``../shared/data/faces/lfw_deepfunneled_150/real/``),
found with :class:`~fakeguard.detectors.faces.FaceDetector` and aligned with
:func:`~fakeguard.detectors.faces.crop_face`. Rows, top to bottom:

1. the aligned crop;
2. the fixed mask (green tint) and the random SBI mask's 0.5 contour (yellow);
3. :func:`~fakeguard.datasets.pseudo.self_blend`;
4. :func:`~fakeguard.datasets.pseudo.landmark_swap` with the next column's face as source
   (Poisson blending in even columns, alpha blending in odd ones);
5. :func:`~fakeguard.datasets.face_augment.degrade` of the crop.

Without the shared photos it falls back to synthetic faces (as in the tests).

Run:  python bench/face_pseudo_gallery.py [--faces 6] [--seed 0]
"""

from __future__ import annotations

import argparse
from pathlib import Path

import cv2
import numpy as np

from fakeguard.datasets.face_augment import degrade
from fakeguard.datasets.pseudo import face_mask, landmark_swap, self_blend
from fakeguard.detectors.faces import FaceDetector, crop_face, template_landmarks

ROOT = Path(__file__).resolve().parents[1]
PHOTOS = ROOT.parent / "shared" / "data" / "faces" / "lfw_deepfunneled_150" / "real"
OUT = ROOT / "docs" / "img" / "face_pseudo_gallery.jpg"
SIZE = 224


def real_crops(n: int, rng: np.random.Generator) -> list[tuple[np.ndarray, np.ndarray]]:
    """``n`` aligned crops and their landmarks from the shared LFW photos (fewer if faces are missed)."""
    files = sorted(PHOTOS.glob("*.jpg"))
    if not files:
        return []
    detector = FaceDetector()
    crops = []
    for i in rng.permutation(len(files)):
        image = cv2.imread(str(files[i]), cv2.IMREAD_COLOR)[:, :, ::-1]
        faces = detector.detect(np.ascontiguousarray(image))
        if faces:
            crop = crop_face(image, faces[0].landmarks, SIZE)
            crops.append((crop.image, crop.landmarks))
        if len(crops) == n:
            break
    return crops


def synthetic_crops(n: int, rng: np.random.Generator) -> list[tuple[np.ndarray, np.ndarray]]:
    """Cartoon faces at the template landmarks (the test suite's stand-in for real crops)."""
    lm = template_landmarks(SIZE)
    crops = []
    for _ in range(n):
        img = rng.integers(40, 120, size=(SIZE, SIZE, 3), dtype=np.uint8)
        skin = tuple(int(v) for v in rng.integers(90, 230, size=3))
        cv2.ellipse(img, (112, 125), (72, 95), 0, 0, 360, skin, -1)
        for eye in (lm[0:2].mean(axis=0), lm[2:4].mean(axis=0)):
            cv2.ellipse(img, (int(eye[0]), int(eye[1])), (12, 6), 0, 0, 360, (30, 20, 20), -1)
        nose = lm[4]
        cv2.circle(img, (int(nose[0]), int(nose[1]) - 6), 7, (skin[0] // 2, skin[1] // 2, skin[2] // 2), -1)
        cv2.ellipse(img, (int(nose[0]), int(nose[1]) + 28), (22, 7), 0, 0, 360, (150, 40, 50), -1)
        crops.append((img, lm.copy()))
    return crops


def mask_panel(image: np.ndarray, landmarks: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    fixed = face_mask(landmarks, image.shape[:2])
    tint = image.astype(np.float32)
    tint[:, :, 1] = tint[:, :, 1] * (1 - 0.5 * fixed) + 255 * 0.5 * fixed
    panel = np.clip(tint, 0, 255).astype(np.uint8)
    drawn = (face_mask(landmarks, image.shape[:2], rng) > 0.5).astype(np.uint8)
    contours, _ = cv2.findContours(drawn, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_NONE)
    cv2.drawContours(panel, contours, -1, (255, 255, 0), 1)
    for x, y in landmarks:
        cv2.circle(panel, (int(round(x)), int(round(y))), 2, (255, 0, 0), -1)
    return panel


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--faces", type=int, default=6)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    rng = np.random.default_rng(args.seed)
    crops = real_crops(args.faces, rng) or synthetic_crops(args.faces, rng)
    columns = []
    for i, (image, landmarks) in enumerate(crops):
        source, source_landmarks = crops[(i + 1) % len(crops)]
        blended, _ = self_blend(image, landmarks, rng)
        method = "seamless" if i % 2 == 0 else "alpha"
        swapped, _ = landmark_swap(image, landmarks, source, source_landmarks, rng, method=method)
        rows = [image, mask_panel(image, landmarks, rng), blended, swapped, degrade(image, rng)]
        columns.append(np.vstack(rows))
    sheet = np.hstack(columns)
    OUT.parent.mkdir(parents=True, exist_ok=True)
    cv2.imwrite(str(OUT), sheet[:, :, ::-1], [cv2.IMWRITE_JPEG_QUALITY, 88])
    print(f"wrote {OUT.relative_to(ROOT)} ({sheet.shape[1]}x{sheet.shape[0]}, {len(crops)} faces)")


if __name__ == "__main__":
    main()
