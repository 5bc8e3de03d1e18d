"""The classic baseline beside the shipped voice model: LFCC-GMM, on the same split and machine.

As the ASVspoof 2019 LFCC-GMM baseline (Todisco et al., Interspeech 2019):
two Gaussian mixtures with diagonal covariances, one fitted to the LFCC
frames (20 cepstra + deltas + double deltas) of bona fide training speech,
one to spoofed training speech; a file's score is the mean per-frame
log-likelihood ratio. Differences: 64 components instead of 512 and at most
60,000 frames per class (CPU budget), and the frames come from the project's
own LFCC module and prepared audio, so the comparison with the LCNN isolates
the classifier.

Run:  python bench/voice_baseline_gmm.py [--config detectors/configs/voice_lcnn_small.yaml]
Writes bench/results/voice_baseline_gmm.json.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import time
from pathlib import Path

import numpy as np
import torch
from sklearn.mixture import GaussianMixture

from fakeguard.datasets.torch_data import AudioStore, default_cache_dir
from fakeguard.detectors.calibration import Calibration, fit_calibration
from fakeguard.detectors.models.frontends import LFCC, LFCCConfig
from fakeguard.detectors.runtime import set_threads
from fakeguard.detectors.training.config import load_config
from fakeguard.detectors.training.tables import metrics_table, sample_row
from fakeguard.detectors.training.voice import VoiceTrainConfig, default_config_path
from fakeguard.detectors.training.voice_data import build_splits

RESULTS = Path(__file__).resolve().parent / "results" / "voice_baseline_gmm.json"


def lfcc_frames(frontend: LFCC, wave: np.ndarray) -> np.ndarray:
    with torch.inference_mode():
        return frontend(torch.from_numpy(wave).unsqueeze(0))[0].T.numpy()  # (T, 60)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--config", default=str(default_config_path()))
    parser.add_argument("--components", type=int, default=64)
    parser.add_argument("--frames-per-class", type=int, default=60000)
    parser.add_argument("--set", dest="overrides", action="append", default=[])
    args = parser.parse_args()
    set_threads(1)
    cfg = load_config(VoiceTrainConfig, args.config, args.overrides)
    splits = build_splits(dataclasses.replace(cfg.data, pseudo_fakes=[]))
    store = AudioStore(16000, default_cache_dir())
    frontend = LFCC(LFCCConfig())
    rng = np.random.default_rng(0)
    gmms = {}
    t0 = time.perf_counter()
    for label in (0, 1):
        files = [s for s in store.preload(splits["train"]) if s.label == label]
        frames = np.concatenate([lfcc_frames(frontend, store.get(s.path)) for s in files])
        frames = frames[rng.permutation(len(frames))[: args.frames_per_class]]
        # reg_covar: digital silence gives identical frames, which collapse a component otherwise.
        gmms[label] = GaussianMixture(
            args.components, covariance_type="diag", max_iter=100, reg_covar=1e-2, random_state=0
        ).fit(frames.astype(np.float64))
    fit_s = time.perf_counter() - t0

    def score(split: str) -> list[dict]:
        rows = []
        for s in store.preload(splits[split]):
            f = lfcc_frames(frontend, store.get(s.path))
            llr = float(np.mean(gmms[1].score_samples(f) - gmms[0].score_samples(f)))
            rows.append(sample_row(s, llr))
        return rows

    val = score("val")
    calibration = fit_calibration([r["logit"] for r in val], [r["label"] for r in val], "platt")
    test = score("test")
    # Speed on 60 s of audio (feature extraction + both GMMs), model already fitted.
    wave = np.tile(store.get(splits["test"][0].path), 20)[: 60 * 16000]
    t1 = time.perf_counter()
    f = lfcc_frames(frontend, wave)
    _ = gmms[1].score_samples(f) - gmms[0].score_samples(f)
    speed_s = time.perf_counter() - t1
    result = {
        "model": f"LFCC-GMM ({args.components} diag components per class)",
        "fit_seconds": fit_s,
        "seconds_per_60s_audio": speed_s,
        "x_real_time": 60.0 / speed_s,
        "val": metrics_table(val, calibration)["overall"],
        "test": metrics_table(test, calibration),
        "calibration": calibration.to_dict() if isinstance(calibration, Calibration) else None,
    }
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(result, indent=2))
    overall = result["test"]["overall"]
    print(
        f"LFCC-GMM test EER {overall['eer']:.4f} AUC {overall['auc']:.4f} ECE {overall['ece']:.4f}; "
        f"{result['x_real_time']:.0f}x real time; written to {RESULTS}"
    )


if __name__ == "__main__":
    main()
