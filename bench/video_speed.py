"""Speed and memory of video scoring, end to end, and how they grow with clip length.

Clips: talking-head H.264 720p (25 fps, keyframe every 2 s) with AAC speech,
made by ``bench/video_media.py`` from ../shared/data, 10 s, 60 s and 10 min
long. Each (clip, threads) pair runs in a fresh process, which loads the
shipped models (timed apart), scores a 2 s clip once to warm up (dlib's
models, torch's first call), then scores the clip: the median of 3 runs for
clips up to a minute, one run for longer. Peak RSS is the child process's
maximum resident set. Stage timings come from the report; stages run
concurrently (frames, faces, audio), so they add up to more than ``total``.

Target (issue 5): a 60 s 720p clip in at most 6 s at the default sampling,
under 1.5 GB.

Run:  python bench/video_speed.py [--lengths 10 60 600] [--threads 1 2] [--clips DIR]
Writes bench/results/video_speed.json.
"""

from __future__ import annotations

import argparse
import json
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
RESULTS = HERE / "results" / "video_speed.json"


def child(clip: Path, warm: Path, threads: int, repeats: int) -> dict:
    """Runs in the child process: load, warm up, time."""
    from fakeguard.detectors.api import Detector
    from fakeguard.detectors.runtime import set_threads

    set_threads(threads)
    t0 = time.perf_counter()
    detector = Detector.load()
    _ = detector.face
    load_s = time.perf_counter() - t0
    detector.score(warm)
    runs, report = [], None
    for _ in range(repeats):
        t0 = time.perf_counter()
        report = detector.score(clip)
        runs.append(time.perf_counter() - t0)
    assert report is not None
    return {
        "seconds": statistics.median(runs),
        "runs": runs,
        "model_load_s": load_s,
        "stages": {t.stage: round(t.seconds, 3) for t in report.timings},
        "frames_sampled": len({f.time_s for f in report.faces}) or None,
        "tracks": len(report.face_tracks),
        "score": report.score,
        "face_score": report.face_score,
        "voice_score": report.voice_score,
        "verdict": report.verdict.value,
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--lengths", type=float, nargs="+", default=[10.0, 60.0, 600.0])
    parser.add_argument("--threads", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--clips", type=Path, default=Path("/tmp/fakeguard-bench-clips"))
    parser.add_argument("--child", nargs=4, metavar=("CLIP", "WARM", "THREADS", "REPEATS"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        clip, warm, threads, repeats = args.child
        print(json.dumps(child(Path(clip), Path(warm), int(threads), int(repeats))))
        return
    sys.path.insert(0, str(HERE))
    from video_media import write_talking_clip

    args.clips.mkdir(parents=True, exist_ok=True)
    warm = args.clips / "warm_2s.mp4"
    if not warm.exists():
        write_talking_clip(warm, 2.0)
    rows = []
    for length in args.lengths:
        clip = args.clips / f"talk_{int(length)}s_720p.mp4"
        if not clip.exists():
            print(f"making {clip} ...", flush=True)
            write_talking_clip(clip, length)
        for threads in args.threads:
            repeats = 3 if length <= 60 else 1
            out = subprocess.run(
                [sys.executable, __file__, "--child", str(clip), str(warm), str(threads), str(repeats)],
                check=True,
                capture_output=True,
                text=True,
            )
            result = json.loads(out.stdout.strip().splitlines()[-1])
            result.update({"clip_s": length, "threads": threads, "clip": clip.name})
            rows.append(result)
            print(
                f"{length:>5.0f} s clip, {threads} thread(s): {result['seconds']:.2f} s "
                f"({length / result['seconds']:.1f}x real time), peak RSS {result['peak_rss_mb']:.0f} MB, "
                f"{result['frames_sampled']} frames, stages {result['stages']}",
                flush=True,
            )
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(rows, indent=2) + "\n")


if __name__ == "__main__":
    main()
