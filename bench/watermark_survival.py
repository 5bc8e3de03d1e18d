"""Which re-encodings Stable Diffusion's invisible watermark survives, measured on real photos.

Issue 10's survival table: 200 images made from ../shared/data/faces (the
photos of at least 256 px on their shorter side, largest folders' order,
topped up with the largest smaller ones), each cut to 512x512 (a Stable
Diffusion 1 output's size), marked with each known DWT-DCT message
(``known_tools.yaml``) by :func:`fakeguard.detectors.provenance.watermark.embed`
(which mirrors ``invisible-watermark``'s encoder), then:

* ``lossless``: saved as PNG;
* ``jpeg_q90`` / ``jpeg_q75``: JPEG with Pillow's default 4:2:0 chroma subsampling (what
  most sites and phones do);
* ``jpeg_q90_444`` / ``jpeg_q75_444``: JPEG without chroma subsampling;
* ``half``: resized to 256x256 (area averaging).

For each step: the share of images where the reader detects the embedded
message, and the mean share of its bits read back. The false-positive line
is every known mark looked for in the unmarked images (PNG and q90 JPEG).

Run:  python bench/watermark_survival.py [--limit 200]
Writes bench/results/watermark_survival.json.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import statistics
import time
from collections.abc import Callable
from pathlib import Path

import cv2
import numpy as np
from PIL import Image

FACES = Path(__file__).resolve().parents[2] / "shared" / "data" / "faces"
RESULTS = Path(__file__).resolve().parent / "results" / "watermark_survival.json"
SIDE = 512


def pick_images(limit: int) -> list[Path]:
    """``limit`` photos from every folder's manifest: those of at least 256 px first, then the largest others."""
    rows = []
    for manifest in sorted(FACES.glob("*/manifest.csv")):
        with manifest.open(newline="") as f:
            for row in csv.DictReader(f):
                rows.append((min(int(row["width"]), int(row["height"])), manifest.parent / row["relpath"]))
    big = [path for side, path in rows if side >= 256]
    rest = [path for side, path in sorted(rows, key=lambda r: (-r[0], str(r[1]))) if side < 256]
    return (big + rest)[:limit]


def square(path: Path) -> np.ndarray:
    """The photo resized so its shorter side is 512 px and cut to the centred 512x512, RGB uint8."""
    pixels = np.asarray(Image.open(path).convert("RGB"))
    h, w = pixels.shape[:2]
    scale = SIDE / min(h, w)
    interpolation = cv2.INTER_AREA if scale < 1 else cv2.INTER_CUBIC
    pixels = cv2.resize(pixels, (max(SIDE, round(w * scale)), max(SIDE, round(h * scale))), interpolation=interpolation)
    h, w = pixels.shape[:2]
    y, x = (h - SIDE) // 2, (w - SIDE) // 2
    return np.ascontiguousarray(pixels[y : y + SIDE, x : x + SIDE])


def _round_trip(pixels: np.ndarray, fmt: str, **options) -> np.ndarray:
    buf = io.BytesIO()
    Image.fromarray(pixels).save(buf, fmt, **options)
    return np.asarray(Image.open(io.BytesIO(buf.getvalue())).convert("RGB"))


STEPS: dict[str, Callable[[np.ndarray], np.ndarray]] = {
    "lossless": lambda p: _round_trip(p, "PNG"),
    "jpeg_q90": lambda p: _round_trip(p, "JPEG", quality=90),
    "jpeg_q75": lambda p: _round_trip(p, "JPEG", quality=75),
    "jpeg_q90_444": lambda p: _round_trip(p, "JPEG", quality=90, subsampling=0),
    "jpeg_q75_444": lambda p: _round_trip(p, "JPEG", quality=75, subsampling=0),
    "half": lambda p: cv2.resize(p, (SIDE // 2, SIDE // 2), interpolation=cv2.INTER_AREA),
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--limit", type=int, default=200, help="number of images (default 200)")
    args = parser.parse_args()
    from fakeguard.detectors.provenance.tables import tables
    from fakeguard.detectors.provenance.watermark import embed, match_known

    paths = pick_images(args.limit)
    if not paths:
        raise SystemExit(f"no images under {FACES}: this benchmark needs ../shared/data/faces")
    t0 = time.perf_counter()
    marks = tables().watermarks
    detected = {m.name: {step: 0 for step in STEPS} for m in marks}
    accuracy: dict[str, dict[str, list[float]]] = {m.name: {step: [] for step in STEPS} for m in marks}
    false_positives = {"lossless": 0, "jpeg_q90": 0}
    for path in paths:
        original = square(path)
        for step in false_positives:
            false_positives[step] += any(m.detected for m in match_known(STEPS[step](original)))
        for mark in marks:
            marked = embed(original, mark.bits)
            for step, transform in STEPS.items():
                altered = transform(marked)
                (found,) = match_known(altered, (mark,)) or [None]
                detected[mark.name][step] += bool(found and found.detected)
                accuracy[mark.name][step].append(found.accuracy if found else 0.0)  # 0: too small to read
    n = len(paths)
    result = {
        "images": n,
        "source": f"../shared/data/faces: {len({p.parent.parent.name for p in paths})} folders, cut to {SIDE}x{SIDE}",
        "steps": list(STEPS),
        "detection_rate": {name: {s: c / n for s, c in steps.items()} for name, steps in detected.items()},
        "mean_bit_accuracy": {
            name: {s: statistics.fmean(v) for s, v in steps.items()} for name, steps in accuracy.items()
        },
        "false_positive_rate_unmarked": {s: c / n for s, c in false_positives.items()},
        "min_accuracy": {m.name: m.min_accuracy for m in marks},
        "wall_s": time.perf_counter() - t0,
    }
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(result, indent=2))
    print(f"{n} images; detection rate per step (mean bit accuracy)")
    print("| mark | " + " | ".join(STEPS) + " |")
    print("|---|" + "---|" * len(STEPS))
    for name in detected:
        cells = [f"{result['detection_rate'][name][s]:.0%} ({result['mean_bit_accuracy'][name][s]:.2f})" for s in STEPS]
        print(f"| {name} | " + " | ".join(cells) + " |")
    print(f"false positives on unmarked images: {result['false_positive_rate_unmarked']}")


if __name__ == "__main__":
    main()
