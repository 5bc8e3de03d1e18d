"""Energy VAD (the service's) against silero-vad (a packaged neural VAD): speed and agreement.

Issue 3 asks for a measured choice. For each detector this reports the time
to process 60 s of 16 kHz speech (1 torch thread) and, on clips from the
shared speech data, the frame-level agreement (10 ms frames) and the
agreement of the per-window decision the voice pipeline actually makes (a
4 s window is scored when at least 20% of it is active).

Run:  python bench/voice_vad.py [--clips 60]      (needs `pip install silero-vad`, in the dev extra)
Writes bench/results/voice_vad.json.
"""

from __future__ import annotations

import argparse
import json
import statistics
from pathlib import Path

import numpy as np
import torch
from common import median_time  # bench/common.py (scripts run from bench/ or the repo root)

from fakeguard.datasets.shared import SharedData
from fakeguard.detectors.intake import as_source, load_audio
from fakeguard.detectors.pipelines.voice import MIN_SPEECH_FRACTION
from fakeguard.detectors.speech import detect_speech, plan_windows

RESULTS = Path(__file__).resolve().parent / "results" / "voice_vad.json"
SR = 16000


def energy_mask(wave: np.ndarray) -> np.ndarray:
    mask = np.zeros(wave.size, bool)
    for a, b in detect_speech(wave, SR).intervals:
        mask[a:b] = True
    return mask


def silero_mask(model, get_speech_timestamps, wave: np.ndarray) -> np.ndarray:
    mask = np.zeros(wave.size, bool)
    for seg in get_speech_timestamps(torch.from_numpy(wave), model, sampling_rate=SR):
        mask[seg["start"] : seg["end"]] = True
    return mask


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clips", type=int, default=60)
    args = parser.parse_args()
    torch.set_num_threads(1)
    from silero_vad import get_speech_timestamps, load_silero_vad

    model = load_silero_vad()
    samples = SharedData(modality="speech").samples()
    rng = np.random.default_rng(0)
    chosen = [samples[i] for i in rng.choice(len(samples), size=min(args.clips, len(samples)), replace=False)]
    waves = [load_audio(as_source(s.path), SR).samples for s in chosen]
    minute = np.tile(np.concatenate(waves), 2)[: 60 * SR]
    speed = {
        "energy_s_per_60s": median_time(lambda: energy_mask(minute)),
        "silero_s_per_60s": median_time(lambda: silero_mask(model, get_speech_timestamps, minute), repeats=3),
    }
    frame_agree, window_agree, energy_share, silero_share = [], [], [], []
    window, hop = 4 * SR, 2 * SR
    for wave in waves:
        e, s = energy_mask(wave), silero_mask(model, get_speech_timestamps, wave)
        n = wave.size // 160 * 160
        ef, sf_ = e[:n].reshape(-1, 160).mean(1) > 0.5, s[:n].reshape(-1, 160).mean(1) > 0.5
        frame_agree.append(float(np.mean(ef == sf_)))
        energy_share.append(float(ef.mean()))
        silero_share.append(float(sf_.mean()))
        for w in plan_windows(wave.size, window, hop):
            a, b = w.start, min(w.end, wave.size)
            window_agree.append((e[a:b].mean() >= MIN_SPEECH_FRACTION) == (s[a:b].mean() >= MIN_SPEECH_FRACTION))
    result = {
        "speed": speed,
        "clips": len(waves),
        "frame_agreement": statistics.mean(frame_agree),
        "window_decision_agreement": float(np.mean(window_agree)),
        "active_share_energy": statistics.mean(energy_share),
        "active_share_silero": statistics.mean(silero_share),
    }
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(result, indent=2))
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
