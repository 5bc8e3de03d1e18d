"""Do compressed real videos look forged to the face model? Real and swapped clips from ../shared frames.

Every talking-head video in ``faces/talking_head_frames`` (18 real videos, six
frames each) and roop's demo target (eight real frames) becomes a 10 s 720p
H.264 clip (the frames in turn, drifting and zooming, hard cuts), at CRF 23
(x264's default, a typical upload) and CRF 30 (a messenger's re-encode); roop's
eight swapped frames of the same target make one fake clip, and DeepFaceLab's
four before/after frames four real and four fake clips. Each clip is scored by
the video pipeline (faces only: no audio track), and its frames as the JPEGs
they came from by the image pipeline, so that the cost of video compression
shows beside the model's view of the clean frames.

Reported per model: the mean face score of the real clips, the share scored
``fake`` (at least 0.7: false alarms) and ``real`` (under 0.3), the same for
the JPEG frames, and the fake clips' scores.

Run:  python bench/video_real_clips.py [--models face_effnet_lite0.shared_v1 ...]
Writes bench/results/video_real_clips.json.
"""

from __future__ import annotations

import argparse
import csv
import json
import sys
import tempfile
from pathlib import Path

import cv2
import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from video_media import SHARED, write_talking_clip  # noqa: E402

RESULTS = HERE / "results" / "video_real_clips.json"


def frame_sets() -> list[tuple[str, int, list[Path]]]:
    """``(name, label, frame paths)`` of every clip to make."""
    sets: dict[tuple[str, int], list[Path]] = {}
    for folder in ("talking_head_frames", "roop", "deepfacelab"):
        with open(SHARED / "faces" / folder / "manifest.csv", newline="") as fh:
            for row in csv.DictReader(fh):
                if folder == "roop" and row["identity"] == "source_woman":
                    continue  # the swap's source photo, not a video frame
                label = int(row["label"] == "fake")
                key = row["identity"].split(";")[0] if folder == "deepfacelab" else row["identity"]
                name = f"{folder}/{key}/{'fake' if label else 'real'}"
                sets.setdefault((name, label), []).append(SHARED / "faces" / folder / row["relpath"])
    return [(name, label, paths) for (name, label), paths in sorted(sets.items())]


def rgb(path: Path) -> np.ndarray:
    image = cv2.imread(str(path))
    side = max(image.shape[:2])  # pad to square so the clip's face keeps its aspect
    top, left = (side - image.shape[0]) // 2, (side - image.shape[1]) // 2
    image = cv2.copyMakeBorder(
        image,
        top,
        side - image.shape[0] - top,
        left,
        side - image.shape[1] - left,
        cv2.BORDER_CONSTANT,
        value=(70, 60, 50),
    )
    return cv2.cvtColor(image, cv2.COLOR_BGR2RGB)


def summarise(scores: list[float | None]) -> dict:
    valid = [s for s in scores if s is not None]
    return {
        "n": len(scores),
        "no_face": len(scores) - len(valid),
        "mean": float(np.mean(valid)) if valid else None,
        "share_fake": float(np.mean([s >= 0.7 for s in valid])) if valid else None,
        "share_real": float(np.mean([s < 0.3 for s in valid])) if valid else None,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument(
        "--models", nargs="+", default=[None], help="face weights (arch.tag or folder); default: shipped"
    )
    parser.add_argument("--crf", type=int, nargs="+", default=[23, 30])
    parser.add_argument("--seconds", type=float, default=10.0)
    args = parser.parse_args()
    from fakeguard.detectors.api import Detector

    sets = frame_sets()
    out: dict = {"clips": [s[0] for s in sets], "models": {}}
    with tempfile.TemporaryDirectory() as tmp:
        clips = {}
        for crf in args.crf:
            for name, _, paths in sets:
                path = Path(tmp) / f"{name.replace('/', '_')}_crf{crf}.mp4"
                write_talking_clip(path, args.seconds, faces=[rgb(p) for p in paths], with_audio=False, crf=crf)
                clips[(name, crf)] = path
        for model in args.models:
            detector = Detector.load(face_model=model)
            per_model: dict = {"per_clip": {}}
            frame_scores = {name: [detector.score(p).face_score for p in paths] for name, _, paths in sets}
            for crf in args.crf:
                for name, _, _ in sets:
                    report = detector.score(clips[(name, crf)])
                    per_model["per_clip"][f"{name} crf{crf}"] = {
                        "video": report.face_score,
                        "jpeg_frames_mean": float(np.mean([s for s in frame_scores[name] if s is not None])),
                    }
                for label, word in ((0, "real"), (1, "fake")):
                    names = [n for n, lab, _ in sets if lab == label]
                    per_model[f"{word}_clips_crf{crf}"] = summarise(
                        [per_model["per_clip"][f"{n} crf{crf}"]["video"] for n in names]
                    )
            for label, word in ((0, "real"), (1, "fake")):
                per_model[f"{word}_jpeg_frames"] = summarise(
                    [s for n, lab, _ in sets if lab == label for s in frame_scores[n]]
                )
            key = model or detector.face.model_info.name
            out["models"][key] = per_model
            print(key, json.dumps({k: v for k, v in per_model.items() if k != "per_clip"}, indent=1), flush=True)
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(out, indent=2) + "\n")


if __name__ == "__main__":
    main()
