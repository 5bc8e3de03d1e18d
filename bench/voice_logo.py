"""Leave-one-generator-family-out evaluation of the voice recipe.

For each attack family in the shared speech data (gan_vocoder, flow_vocoder,
autoregressive_vocoder, e2e_tts, formant, concatenative_or_hts), train the
shipped recipe with that family's fakes removed from training and
validation, then measure the EER of the held-out family's fakes against the
test split's real speech. The mean over families is the generalisation
figure of issue 3 (target: at most 10%).

Each family is a resumable training run in ``runs/voice_logo/<family>``;
finished families are read back, not retrained, so the script can be
stopped and started again across sessions.

Run:  python bench/voice_logo.py [--set epochs=8 ...] [--families formant e2e_tts]
Writes bench/results/voice_logo.json.
"""

from __future__ import annotations

import argparse
import json
import statistics
from pathlib import Path

from fakeguard.detectors.training.config import load_config
from fakeguard.detectors.training.voice import VoiceTrainConfig, default_config_path, train_voice

RESULTS = Path(__file__).resolve().parent / "results" / "voice_logo.json"
FAMILIES = ("gan_vocoder", "flow_vocoder", "autoregressive_vocoder", "e2e_tts", "formant", "concatenative_or_hts")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--config", default=str(default_config_path()))
    parser.add_argument("--set", dest="overrides", action="append", default=[])
    parser.add_argument("--families", nargs="*", default=list(FAMILIES))
    parser.add_argument("--runs", default="runs/voice_logo")
    args = parser.parse_args()
    table = {}
    for family in args.families:
        out = Path(args.runs) / family
        metrics_path = out / "metrics.json"
        if metrics_path.is_file():
            results = json.loads(metrics_path.read_text())
        else:
            cfg = load_config(
                VoiceTrainConfig, args.config, [*args.overrides, f"data.holdout_family={family}", f"out_dir={out}"]
            )
            results = train_voice(cfg).metrics
        held = results["holdout"]["overall"]
        table[family] = {
            "eer": held["eer"],
            "auc": held["auc"],
            "ece": held["ece"],
            "n_fake": held["n_fake"],
            "n_real": held["n_real"],
            "in_domain_test_eer": results["test"]["overall"]["eer"],
        }
        print(
            f"{family}: held-out EER {held['eer']:.4f} AUC {held['auc']:.4f} "
            f"({held['n_fake']} fakes vs {held['n_real']} real)",
            flush=True,
        )
    eers = [row["eer"] for row in table.values() if row["eer"] is not None]
    summary = {
        "families": table,
        "mean_eer": statistics.mean(eers) if eers else None,
        "target_mean_eer": 0.10,
        "overrides": args.overrides,
    }
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(summary, indent=2))
    print(f"mean held-out EER over {len(eers)} families: {summary['mean_eer']:.4f}")


if __name__ == "__main__":
    main()
