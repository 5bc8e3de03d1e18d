"""Voice detector speed and memory on a 60 s file, in-process, with 1 and 2 torch threads.

Target (issue 3): at least 200x real time for a 60 s file on the project's
2-core machine, model load timed separately, peak memory under 1 GB.

Each thread count runs in its own fresh process (so peak RSS is that run's
alone): it loads the detector (timed), scores the file once to warm up, then
``--repeats`` times; the median time per stage is reported.

Run:  python bench/voice_speed.py [--weights FOLDER] [--repeats 7]
Writes bench/results/voice_speed.json.
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

import numpy as np
import soundfile as sf

RESULTS = Path(__file__).resolve().parent / "results" / "voice_speed.json"
SHARED_SPEECH = Path(__file__).resolve().parents[2] / "shared" / "data" / "speech" / "resemblyzer"


def make_minute(path: Path) -> str:
    """60 s of real speech (LibriSpeech clips from ../shared, joined) or, without it, a synthetic voice-like tone."""
    clips = sorted(SHARED_SPEECH.rglob("*.flac"))[:12]
    if clips:
        from fakeguard.detectors.intake import as_source, load_audio

        wave = np.concatenate([load_audio(as_source(c)).samples for c in clips])
        origin = "LibriSpeech clips from ../shared/data/speech/resemblyzer"
    else:
        t = np.arange(60 * 16000) / 16000
        wave = 0.1 * np.sin(2 * np.pi * 140 * t) * (1 + np.sin(2 * np.pi * 3 * t))
        origin = "synthetic tone (../shared absent)"
    wave = np.tile(wave, int(np.ceil(60 * 16000 / wave.size)))[: 60 * 16000]
    sf.write(path, wave.astype(np.float32), 16000)
    return origin


def run_child(path: str, weights: str | None, threads: int, repeats: int) -> dict:
    """Executed in a fresh process: load, warm up, time."""
    from fakeguard.detectors.api import Detector
    from fakeguard.detectors.runtime import set_threads

    set_threads(threads)
    t0 = time.perf_counter()
    detector = Detector.load(voice_model=weights)
    load_s = time.perf_counter() - t0
    detector.score(path)
    totals, stages = [], {}
    for _ in range(repeats):
        t1 = time.perf_counter()
        report = detector.score(path)
        totals.append(time.perf_counter() - t1)
        for timing in report.timings:
            stages.setdefault(timing.stage, []).append(timing.seconds)
    median = statistics.median(totals)
    return {
        "threads": threads,
        "model_load_s": load_s,
        "median_s": median,
        "min_s": min(totals),
        "x_real_time": 60.0 / median,
        "stages_median_s": {k: statistics.median(v) for k, v in stages.items()},
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "model": report.models[0].name if report.models else None,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--weights", default=None, help="voice weight folder (default: the shipped model)")
    parser.add_argument("--repeats", type=int, default=7)
    parser.add_argument("--child", nargs=2, metavar=("FILE", "THREADS"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(run_child(args.child[0], args.weights, int(args.child[1]), args.repeats)))
        return
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "minute.flac"
        origin = make_minute(path)
        runs = []
        for threads in (1, 2):
            cmd = [sys.executable, __file__, "--child", str(path), str(threads), "--repeats", str(args.repeats)]
            if args.weights:
                cmd += ["--weights", args.weights]
            out = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout
            runs.append(json.loads(out.strip().splitlines()[-1]))
    result = {
        "input": f"60 s FLAC, 16 kHz mono: {origin}",
        "target_x_real_time": 200,
        "target_peak_rss_mb": 1024,
        "runs": runs,
    }
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(result, indent=2))
    for r in runs:
        print(
            f"threads={r['threads']}: {r['median_s'] * 1000:.0f} ms per 60 s file = {r['x_real_time']:.0f}x real time; "
            f"load {r['model_load_s']:.2f} s; peak RSS {r['peak_rss_mb']:.0f} MB; stages {r['stages_median_s']}"
        )


if __name__ == "__main__":
    main()
