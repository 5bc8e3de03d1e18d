"""Model cards for trained weights, written from a run's own metrics and config.

A card is generated, not typed, so its numbers are the run's numbers:
``python -m fakeguard.detectors.training.model_card RUN_DIR`` (also done by
:func:`ship`). Hand-written notes (known failure cases beyond the worst
generators, licences) come from the ``notes`` argument.
"""

from __future__ import annotations

import json
import shutil
import sys
from pathlib import Path
from typing import Any

import yaml

from ..weights import CARD_NAME, CONFIG_NAME, WEIGHTS_DIR, file_sha256

VOICE_DATA_LICENCES = """\
| source | licence (from ../shared/data SOURCE.txt) |
|---|---|
| yourtts (VCTK, LibriTTS, MLS originals; YourTTS/SC-GlowTTS outputs) | CC BY-NC-ND 4.0: non-commercial |
| resemblyzer (LibriSpeech) | CC BY 4.0 |
| coqui_ljspeech (LJSpeech) | public domain |
| hifigan_demo, universal_melgan_demo, pwg_demo, rtvc_samples | demo pages, some unlicensed: research only |
| local_tts (espeak-ng, flite, festival, Piper voice) | made offline from Debian and PyPI packages |

Because part of the training data is non-commercial, these weights are for
research and evaluation; a commercial user must retrain on data they may use
(the command above retrains on any data a fakeguard reader can list)."""


def _pct(x: float | None) -> str:
    return "n/a" if x is None else f"{100 * x:.2f}%"


def _f(x: float | None, digits: int = 3) -> str:
    return "n/a" if x is None else f"{x:.{digits}f}"


def _metrics_rows(table: dict[str, dict[str, Any]]) -> str:
    lines = ["| subset | fakes | reals | EER | AUC | ECE |", "|---|---:|---:|---:|---:|---:|"]
    for name, m in sorted(table.items(), key=lambda kv: -(kv[1]["eer"] or 0)):
        lines.append(f"| {name} | {m['n_fake']} | {m['n_real']} | {_pct(m['eer'])} | {_f(m['auc'])} | {_f(m['ece'])} |")
    return "\n".join(lines)


def voice_card(run_dir: Path, name: str, logo: dict[str, Any] | None = None, notes: str = "") -> str:
    """The Markdown card of a voice run (``metrics.json`` and ``config.yaml`` in ``run_dir``)."""
    metrics = json.loads((run_dir / "metrics.json").read_text())
    config = yaml.safe_load((run_dir / "config.yaml").read_text())
    weights_config = json.loads((run_dir / "weights" / CONFIG_NAME).read_text())
    test, val = metrics["test"], metrics["val"]
    counts = "\n".join(f"| {split} | {c['real']} | {c['fake']} |" for split, c in metrics["counts"].items())
    logo_text = "Not measured for this run."
    if logo:
        rows = "\n".join(
            f"| {fam} | {row['n_fake']} | {_pct(row['eer'])} | {_f(row['auc'])} |"
            for fam, row in logo["families"].items()
        )
        logo_text = (
            f"Each family's fakes removed from training and validation, then tested against the test "
            f"split's real speech (`bench/voice_logo.py`, overrides {logo.get('overrides') or 'none'}):\n\n"
            f"| held-out family | fakes | EER | AUC |\n|---|---:|---:|---:|\n{rows}\n\n"
            f"Mean EER: **{_pct(logo['mean_eer'])}** (target at most 10%)."
        )
    worst = sorted(
        ((g, m) for g, m in test["per_generator"].items() if m["eer"] is not None), key=lambda kv: -kv[1]["eer"]
    )[:3]
    worst_text = "\n".join(f"- {g}: EER {_pct(m['eer'])} on {m['n_fake']} fakes" for g, m in worst)
    history = metrics["history"]
    return f"""# {name}

Voice anti-spoofing detector of fakeguard: scores 16 kHz speech windows
({weights_config["model_args"]["window_s"]} s, hop {weights_config["model_args"]["hop_s"]} s) for synthetic or
converted voice; a file's score is the calibrated mean of its top quarter of window logits.

- Architecture: `{weights_config["arch"]}` (LFCC front-end, LCNN trunk with max-feature-map, mean+std pooling),
  width {weights_config["model_args"]["width"]}. Paper lineage: Wang & Yamagishi, Interspeech 2021; Lavrentyeva et
  al., Interspeech 2019.
- Weights: `model.safetensors`, sha256 `{file_sha256(run_dir / "weights" / "model.safetensors")}`.
- Version: {weights_config["version"]}; best epoch {metrics["best_epoch"]} of {len(history)}.
- Calibration (fitted on validation, file level): {metrics["calibration"]}.
- Label convention: score = P(synthetic voice); 1 = fake.

## Intended use

Flagging likely cloned, synthesized or converted speech in uploads, voicemails and call recordings for a person
to review, with the windows that drive the score. Not a proof: a low score does not show a voice is genuine, and
generators unlike those below may pass.

## Training data and splits

The shared speech data (`../shared/data/speech`, 8 sources, 20+ generators), read by
`fakeguard.datasets.SharedData`, split by speaker group with real/fake pairs kept together (seed
{config["data"]["split_seed"]}, fractions {config["data"]["fractions"]}); the split is written to the run's
`split.json`. Pseudo-fakes: {config["data"]["pseudo_fakes"] or "none"}. Augmentation of both classes:
{config["augment"]}.

| split | real | fake |
|---|---:|---:|
{counts}

Caveat: the LJSpeech speaker appears in four sources under different group names, so that one voice can be on
both sides of the split (as real and as vocoded fakes of other sentences).

## Command

```bash
fakeguard train voice --config detectors/configs/{Path(str(config.get("model"))).name}.yaml
```

({config["epochs"]} epochs of {config["epoch_size"]} balanced crops, batch {config["batch_size"]}, AdamW lr
{config["lr"]}, {config["threads"]} torch thread(s); resumable from the run folder's `last.safetensors`.)

## Metrics (held-out speakers, test split, file level, calibrated)

Overall: EER **{_pct(test["overall"]["eer"])}**, AUC {_f(test["overall"]["auc"], 4)}, ECE
{_f(test["overall"]["ece"])}, accuracy at 0.5 {_f(test["overall"]["accuracy_at_half"])}
({test["overall"]["n_real"]} real, {test["overall"]["n_fake"]} fake). Validation EER
{_pct(val["overall"]["eer"])}.

Per attack family (each family's fakes against all real test files):

{_metrics_rows(test["per_family"])}

Per generator:

{_metrics_rows(test["per_generator"])}

## Generalisation: leave one generator family out

{logo_text}

## Known failure cases

Worst generators on the test split:
{worst_text}

- The energy VAD treats loud non-speech (music, noise) as active: such windows are scored.
- Mostly English read speech; other languages (Portuguese, Japanese, Mandarin) are few.
- No telephone-channel real calls in training beyond simulated 8 kHz band-limiting.
{notes}

## Licences of the training data

{VOICE_DATA_LICENCES}
"""


def ship(run_dir: str | Path, name: str, logo_json: str | Path | None = None, notes: str = "") -> Path:
    """Copy a run's weight folder into the package as ``weights/<name>/`` with its model card."""
    run_dir = Path(run_dir)
    arch, _, tag = name.partition(".")
    dest = WEIGHTS_DIR / name
    if dest.exists():
        shutil.rmtree(dest)
    shutil.copytree(run_dir / "weights", dest)
    config = json.loads((dest / CONFIG_NAME).read_text())
    if config["arch"] != arch:
        raise ValueError(f"run trained {config['arch']}, not {arch}")
    config["tag"] = tag
    (dest / CONFIG_NAME).write_text(json.dumps(config, indent=2, sort_keys=True) + "\n")
    logo = json.loads(Path(logo_json).read_text()) if logo_json and Path(logo_json).is_file() else None
    (dest / CARD_NAME).write_text(voice_card(run_dir, name, logo, notes))
    return dest


if __name__ == "__main__":  # pragma: no cover
    print(ship(sys.argv[1], sys.argv[2], sys.argv[3] if len(sys.argv) > 3 else None))
