"""Would adaptive batching across requests pay in the service? Face classifier time per face by batch size.

BentoML can gather the model calls of concurrent requests into one batch
(``@bentoml.api(batchable=True)``). That only helps where a model call is a
large share of a request and gets cheaper per item in a batch. This measures
the second part: the shipped face classifier's time per face for batch sizes
1 to 16, on 1 and 2 torch threads (median of 7 runs after a warm-up), and the
voice model's time per 4 s window likewise. The service's own request cost
comes from ``bench/service_load.py``.

Run:  python bench/face_batching.py
Writes bench/results/face_batching.json.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import torch
from common import median_time  # bench/common.py

from fakeguard.detectors.pipelines.face import FaceForgeryDetector
from fakeguard.detectors.pipelines.voice import VoiceDetector
from fakeguard.detectors.runtime import set_threads

RESULTS = Path(__file__).resolve().parent / "results" / "face_batching.json"
SIZES = (1, 2, 4, 8, 16)


def main() -> None:
    face = FaceForgeryDetector.load()
    voice = VoiceDetector.load()
    rng = np.random.default_rng(0)
    crops = [rng.integers(0, 256, (face.size, face.size, 3), dtype=np.uint8) for _ in range(max(SIZES))]
    windows = torch.from_numpy(rng.standard_normal((max(SIZES), voice.window)).astype(np.float32) * 0.1)
    out: dict = {"face_ms_per_item": {}, "voice_ms_per_window": {}}
    for threads in (1, 2):
        set_threads(threads)
        for size in SIZES:
            seconds = median_time(lambda size=size: face.crop_logits(crops[:size], batch_size=size), repeats=7)
            out["face_ms_per_item"][f"{threads}t_b{size}"] = round(1000 * seconds / size, 1)
            with torch.inference_mode():
                seconds = median_time(lambda size=size: voice.model(windows[:size]), repeats=7)
            out["voice_ms_per_window"][f"{threads}t_b{size}"] = round(1000 * seconds / size, 2)
        print(threads, "thread(s):", {k: v for k, v in out["face_ms_per_item"].items() if k.startswith(f"{threads}t")})
        print("   voice:", {k: v for k, v in out["voice_ms_per_window"].items() if k.startswith(f"{threads}t")})
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(out, indent=2) + "\n")


if __name__ == "__main__":
    main()
