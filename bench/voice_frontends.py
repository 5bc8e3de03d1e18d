"""Why a spectral front-end: the cost of the raw-waveform front-ends of RawNet2 and AASIST on this CPU.

RawNet2 (Tak et al., ICASSP 2021) opens with 20 (or 128) sinc filters of 1024
taps over the raw waveform; AASIST and AASIST-L (Jung et al., ICASSP 2022)
with 70 sinc filters of 129 taps. Before any learned layer, that first
convolution alone has to fit the voice detector's budget (200x real time: 0.3 s
per 60 s of audio). This script times just those first convolutions on 60 s
of 16 kHz audio (as fifteen 4 s windows, no overlap), beside the whole
LFCC-LCNN model that fakeguard ships, with one torch thread.

Run:  python bench/voice_frontends.py
Writes bench/results/voice_frontends.json.
"""

from __future__ import annotations

import json
from pathlib import Path

import torch
import torch.nn.functional as F
from common import median_time

from fakeguard.detectors.models import create_model

RESULTS = Path(__file__).resolve().parent / "results" / "voice_frontends.json"


def main() -> None:
    torch.set_num_threads(1)
    windows = torch.randn(15, 1, 64000) * 0.1
    results = {}
    with torch.inference_mode():
        for name, (filters, taps) in {
            "rawnet2_sinc_20x1024": (20, 1024),
            "rawnet2_sinc_128x1024": (128, 1024),
            "aasist_sinc_70x129": (70, 129),
        }.items():
            kernel = torch.randn(filters, 1, taps)
            results[name] = median_time(lambda k=kernel: F.conv1d(windows, k), repeats=3)
        model = create_model("voice_lcnn_small").eval()
        wave = windows.reshape(-1)
        starts = list(range(0, wave.numel() - 64000 + 1, 32000))
        results["lfcc_lcnn_small_whole_model_hop_2s"] = median_time(
            lambda: model.forward_windows(wave, starts, 64000), repeats=3
        )
    out = {"seconds_per_60s_audio": results, "budget_s": 0.3, "threads": 1}
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(out, indent=2))
    for name, seconds in results.items():
        print(f"{name:40s} {seconds * 1000:8.0f} ms per 60 s  ({60 / seconds:6.0f}x real time)")


if __name__ == "__main__":
    main()
