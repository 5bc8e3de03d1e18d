"""Image scoring speed end to end (decode, detect, crop, classify) for 1080p JPEGs with one face.

Target (issue 4): at least 20 images/s on the project's 2-core machine, with
the time per stage and peak memory. Also, side by side on the same machine:
the classifier of DeepfakeBench's default baseline (Xception at 299 px,
timm ``legacy_xception``) against fakeguard's (EfficientNet-Lite0 at 224 px),
per face.

Each configuration runs in a fresh process (so peak RSS is its own):

* ``threads=1`` and ``threads=2``: one process scoring images one after another;
* ``processes=2``: two single-thread processes scoring halves of the images
  at once (how the batch scanner uses 2 cores), images/s counted over both.

Inputs: 1920x1080 JPEGs (quality 90), each with one face: a real photo from
../shared/data/faces/deepface_celebs placed on a blurred copy of itself,
or a drawn face without ../shared.

Run:  python bench/face_speed.py [--weights FOLDER] [--images 24]
Writes bench/results/face_speed.json; with ``FAKEGUARD_FACE_DETECT_SIDE=640``
(detection on the image shrunk to 640 px instead of 960), face_speed_side640.json.
"""

from __future__ import annotations

import argparse
import json
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

RESULTS = Path(__file__).resolve().parent / "results" / "face_speed.json"
SHARED_FACES = Path(__file__).resolve().parents[2] / "shared" / "data" / "faces" / "deepface_celebs" / "real"


def make_images(folder: Path, n: int) -> str:
    """``n`` 1080p JPEGs with one face each; returns where the faces came from."""
    import cv2

    from fakeguard.detectors.faces import FaceDetector
    from fakeguard.detectors.intake import as_source, load_image

    detector = FaceDetector()
    photos = []
    for path in sorted(SHARED_FACES.glob("*.jp*g")):
        pixels = load_image(as_source(path)).pixels
        if len(detector.detect(pixels)) == 1:
            photos.append(pixels)
        if len(photos) == n:
            break
    origin = "one-face photos from ../shared/data/faces/deepface_celebs"
    if not photos:
        sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
        import media_factory

        photos = [media_factory.cartoon_face(400, seed=i) for i in range(n)]
        origin = "drawn faces (../shared absent)"
    for i in range(n):
        photo = photos[i % len(photos)]
        scale = 1000 / photo.shape[0]
        fg = cv2.resize(photo, None, fx=scale, fy=scale, interpolation=cv2.INTER_CUBIC)[:, :1800]
        canvas = cv2.GaussianBlur(cv2.resize(photo, (1920, 1080)), (0, 0), 15)
        x = (1920 - fg.shape[1]) // 2
        canvas[40 : 40 + fg.shape[0], x : x + fg.shape[1]] = fg
        cv2.imwrite(str(folder / f"img{i:03d}.jpg"), canvas[..., ::-1], [cv2.IMWRITE_JPEG_QUALITY, 90])
    return origin


def run_child(files: list[str], weights: str | None, threads: int) -> dict:
    """Executed in a fresh process: load, warm up on the first image, then time every image."""
    from fakeguard.detectors.api import Detector
    from fakeguard.detectors.runtime import set_threads

    set_threads(threads)
    t0 = time.perf_counter()
    detector = Detector.load(face_model=weights)
    face = detector.face
    load_s = time.perf_counter() - t0
    detector.score(files[0])
    stages: dict[str, list[float]] = {}
    faces = 0
    t1 = time.perf_counter()
    for path in files:
        report = detector.score(path)
        faces += len(report.faces)
        for timing in report.timings:
            stages.setdefault(timing.stage, []).append(timing.seconds)
    wall = time.perf_counter() - t1
    return {
        "threads": threads,
        "images": len(files),
        "faces": faces,
        "wall_s": wall,
        "images_per_s": len(files) / wall,
        "model_load_s": load_s,
        "stages_median_ms": {k: 1000 * statistics.median(v) for k, v in stages.items()},
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "model": face.info.name if face.info else None,
    }


def classifier_costs(threads: int, repeats: int = 10) -> dict:
    """Per-face forward time (batch of 1), parameters and GFLOPs: Lite0 at 224 against Xception at 299."""
    import timm
    import torch
    from torch.utils.flop_counter import FlopCounterMode

    from fakeguard.detectors.models import create_model
    from fakeguard.detectors.runtime import set_threads

    set_threads(threads)
    out = {}
    for name, model, size in (
        ("fakeguard face_effnet_lite0 @224", create_model("face_effnet_lite0"), 224),
        (
            "DeepfakeBench xception @299 (timm legacy_xception)",
            timm.create_model("legacy_xception", num_classes=1),
            299,
        ),
    ):
        model = model.eval()
        x = torch.randn(1, 3, size, size)
        with torch.inference_mode():
            for _ in range(3):
                model(x)
            times = []
            for _ in range(repeats):
                t0 = time.perf_counter()
                model(x)
                times.append(time.perf_counter() - t0)
        counter = FlopCounterMode(display=False)
        with counter, torch.no_grad():
            model(x)
        out[name] = {
            "ms_per_face": 1000 * statistics.median(times),
            "params_m": sum(p.numel() for p in model.parameters()) / 1e6,
            "gflops": counter.get_total_flops() / 2e9,  # multiply-adds counted once
        }
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--weights", default=None, help="face weight folder (default: the shipped model)")
    parser.add_argument("--images", type=int, default=24)
    parser.add_argument("--child", nargs="+", help=argparse.SUPPRESS)
    parser.add_argument("--child-threads", type=int, default=1, help=argparse.SUPPRESS)
    parser.add_argument("--costs", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.costs:
        print(json.dumps({t: classifier_costs(t) for t in (1, 2)}))
        return
    if args.child:
        print(json.dumps(run_child(args.child, args.weights, args.child_threads)))
        return
    extra = ["--weights", args.weights] if args.weights else []
    with tempfile.TemporaryDirectory() as tmp:
        origin = make_images(Path(tmp), args.images)
        files = sorted(str(p) for p in Path(tmp).glob("*.jpg"))
        runs = []
        for threads in (1, 2):
            cmd = [sys.executable, __file__, "--child", *files, "--child-threads", str(threads), *extra]
            out = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout
            runs.append({"mode": f"1 process x {threads} thread(s)", **json.loads(out.strip().splitlines()[-1])})
        halves = [files[0::2], files[1::2]]
        t0 = time.perf_counter()
        procs = [
            subprocess.Popen(
                [sys.executable, __file__, "--child", *half, "--child-threads", "1", *extra],
                stdout=subprocess.PIPE,
                text=True,
            )
            for half in halves
        ]
        outs = [json.loads(p.communicate()[0].strip().splitlines()[-1]) for p in procs]
        both = time.perf_counter() - t0
        runs.append(
            {
                "mode": "2 processes x 1 thread",
                "images": len(files),
                "images_per_s": sum(o["images"] / o["wall_s"] for o in outs),
                "wall_s_including_load": both,
                "stages_median_ms": outs[0]["stages_median_ms"],
                "peak_rss_mb": max(o["peak_rss_mb"] for o in outs),
            }
        )
    costs = json.loads(
        subprocess.run([sys.executable, __file__, "--costs"], check=True, capture_output=True, text=True)
        .stdout.strip()
        .splitlines()[-1]
    )
    from fakeguard.detectors.faces import DetectorConfig

    side = DetectorConfig().detect_max_side
    result = {
        "input": f"{args.images} JPEGs 1920x1080 q90, one face each: {origin}",
        "target_images_per_s": 20,
        "detect_max_side": side,
        "runs": runs,
        "classifier_per_face": costs,
    }
    out = RESULTS if side == 960 else RESULTS.with_name(f"face_speed_side{side}.json")
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result, indent=2))
    for r in runs:
        print(
            f"{r['mode']}: {r['images_per_s']:.1f} images/s; stages (median ms) {r['stages_median_ms']}; "
            f"peak RSS {r['peak_rss_mb']:.0f} MB"
        )
    for threads, table in costs.items():
        for name, c in table.items():
            print(
                f"threads={threads} {name}: {c['ms_per_face']:.1f} ms/face, {c['params_m']:.1f} M params, "
                f"{c['gflops']:.2f} GMAC"
            )


if __name__ == "__main__":
    main()
