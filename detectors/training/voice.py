"""``fakeguard train voice`` / ``fakeguard eval voice``: the voice anti-spoofing recipe.

Data: the shared speech manifests (and any reader's samples), split by
speaker with real/fake pairs kept together, optionally with one generator
family held out of training and validation entirely. Training: balanced
random crops with codec, channel, noise and reverberation augmentation
applied to both classes. Model selection and calibration on the validation
split at file level, with the serving code path. Evaluation: EER, AUC and ECE
overall, per source and per generator, DET/ROC plots.
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
from ..pipelines.voice import VoiceDetector
from ..runtime import set_threads
from ..speech import prepare_speech
from .checkpoint import load_checkpoint, save_checkpoint
from .config import resolve_config, save_config
from .results import Evaluation, TrainResult
from .tables import metrics_table, sample_row, train_epoch, write_scores

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class AugmentConfig:
    """Probabilities and ranges of the degradations applied to training crops of both classes."""

    p_codec: float = 0.4
    p_telephone: float = 0.15
    p_lowpass: float = 0.25
    p_noise: float = 0.3
    snr_db: tuple[float, float] = (5.0, 35.0)
    p_reverb: float = 0.2


@dataclass(frozen=True)
class VoiceDataConfig:
    """Which data, and how it is split.

    Attributes:
        reader: a registered dataset reader (``fakeguard.datasets.list_readers()``):
            ``shared`` (the default), ``asvspoof2019_la``, ``wavefake``, ``in_the_wild``,
            ``folder``...
        reader_args: options of that reader (for ``folder``: ``{"modality": "audio"}``...).
        root: the dataset root (for ``shared``, default ``$FAKEGUARD_DATA`` or ``../shared/data``).
        sources: with ``shared``, the speech source folders to use (None = all).
        pseudo_fakes: pseudo-fake methods to add to training (see fakeguard.datasets.pseudo).
        split_seed: seed of the speaker split.
        fractions: train/val/test shares.
        val_from_train: share of the train part moved into validation after the split (whole
            speaker groups, seeded), so that validation grows while the test set stays the one
            ``fractions`` made: runs with different values remain comparable on test.
        holdout_family: an attack family kept out of train and val, tested alone.
    """

    reader: str = "shared"
    reader_args: dict[str, Any] = field(default_factory=dict)
    root: str | None = None
    sources: list[str] | None = None
    pseudo_fakes: list[str] = field(default_factory=list)
    split_seed: int = 0
    fractions: dict[str, float] = field(default_factory=lambda: {"train": 0.7, "val": 0.1, "test": 0.2})
    val_from_train: float = 0.0
    holdout_family: str | None = None


@dataclass(frozen=True)
class VoiceTrainConfig:
    """A voice training run (``detectors/configs/voice_*.yaml`` hold the shipped ones)."""

    model: str = "voice_lcnn_small"
    model_args: dict[str, Any] = field(default_factory=dict)
    data: VoiceDataConfig = field(default_factory=VoiceDataConfig)
    augment: AugmentConfig = field(default_factory=AugmentConfig)
    epochs: int = 20
    epoch_size: int = 4096
    batch_size: int = 32
    lr: float = 2e-3
    weight_decay: float = 1e-4
    seed: int = 0
    threads: int = 1
    workers: int = 1
    calibration: str = "platt"
    out_dir: str = "runs/voice"


def default_config_path() -> Path:
    """The shipped voice model's training config."""
    return Path(__file__).resolve().parents[1] / "configs" / "voice_lcnn_small.yaml"


def voice_config(
    config: VoiceTrainConfig | str | Path | Mapping[str, Any] | None = None,
    overrides: Sequence[str] = (),
    **values: Any,
) -> VoiceTrainConfig:
    """The resolved config of a run: a YAML path, mapping or config (None: the shipped one), then overrides."""
    return resolve_config(VoiceTrainConfig, default_config_path() if config is None else config, overrides, values)


def _prepared(store, samples):
    """PreparedSpeech for evaluation from the store's cached (already prepared) waveforms."""
    for sample in samples:
        wave = store.get(sample.path)
        yield sample, prepare_speech(wave, store.sample_rate, trim=False)


def score_samples(detector: VoiceDetector, store, samples: Sequence, progress: bool = False) -> list[dict[str, Any]]:
    """File-level logits for samples through the serving path (VoiceDetector.score_prepared)."""
    rows = []
    iterator = _prepared(store, samples)
    if progress:
        iterator = tqdm(iterator, total=len(samples), desc="scoring", leave=False)
    for sample, prepared in iterator:
        rows.append(sample_row(sample, detector.score_prepared(prepared).file_logit))
    return rows


def train_voice(
    config: VoiceTrainConfig | str | Path | Mapping[str, Any] | None = None,
    *,
    overrides: Sequence[str] = (),
    resume: bool = True,
    splits=None,
    store=None,
    **values: Any,
) -> TrainResult:
    """Train, select on validation, calibrate, test, and write the run folder (``fakeguard train voice``).

    The run folder (``cfg.out_dir``) gets ``config.yaml``, ``split.json``,
    ``last.safetensors`` (resumable checkpoint), ``weights/`` (the best model
    as a weight folder), ``metrics.json``, ``test_scores.csv`` and ``det_roc.png``.

    Args:
        config: a YAML config path (the CLI's ``--config``), the same as a mapping, a
            :class:`VoiceTrainConfig`, or None for the shipped model's config.
        overrides: ``--set``-style ``key=value`` strings.
        resume: continue from ``last.safetensors`` when present.
        splits: prepared splits (``{"train","val","test"}`` -> samples); built from cfg.data when None.
        store: an :class:`AudioStore` (built when None).
        values: more overrides as Python values (``epochs=2``, ``data={"sources": ["pwg_demo"]}``,
            ``**{"data.split_seed": 1}``); see :func:`~.config.resolve_config`.

    Raises:
        ValueError: an unknown config key or a value of the wrong type, or no data found.
    """
    from fakeguard.datasets.audio_augment import AudioAugment
    from fakeguard.datasets.torch_data import AudioStore, BalancedVoiceCrops, default_cache_dir

    from .voice_data import build_splits

    cfg = voice_config(config, overrides, **values)
    set_threads(cfg.threads)
    torch.manual_seed(cfg.seed)
    out = Path(cfg.out_dir)
    out.mkdir(parents=True, exist_ok=True)
    save_config(cfg, out / "config.yaml")
    model = create_model(cfg.model, **cfg.model_args)
    store = store or AudioStore(model.cfg.frontend.sample_rate, default_cache_dir())
    if splits is None:
        splits = build_splits(cfg.data, out / "split.json")
    for name in splits:
        splits[name] = store.preload(
            splits[name], progress=lambda s, n=name: tqdm(s, desc=f"decoding {n}", leave=False)
        )
        log.info("%s: %d files", name, len(splits[name]))
    crop = int(round(model.cfg.window_s * model.cfg.frontend.sample_rate))
    train_set = BalancedVoiceCrops(
        splits["train"],
        store,
        crop,
        cfg.epoch_size,
        augment=AudioAugment(cfg.augment, model.cfg.frontend.sample_rate),
        seed=cfg.seed,
    )
    loader = torch.utils.data.DataLoader(
        train_set, batch_size=cfg.batch_size, num_workers=cfg.workers, persistent_workers=False
    )
    optimizer = torch.optim.AdamW(model.parameters(), lr=cfg.lr, weight_decay=cfg.weight_decay)
    scheduler = torch.optim.lr_scheduler.CosineAnnealingLR(optimizer, T_max=cfg.epochs)
    rng = np.random.default_rng(cfg.seed)
    history: list[dict[str, Any]] = []
    best = {"val_eer": math.inf, "epoch": -1}
    start_epoch = 0
    last = out / "last.safetensors"
    if resume and last.is_file():
        start_epoch, info = load_checkpoint(last, model=model, optimizer=optimizer, scheduler=scheduler, rng=rng)
        history, best = info["history"], info["best"]
        log.info("resumed from %s at epoch %d", last, start_epoch)
    for epoch in range(start_epoch, cfg.epochs):
        t0 = time.perf_counter()
        loss = train_epoch(model, loader, optimizer, epoch)
        scheduler.step()
        model.eval()
        rows = score_samples(VoiceDetector(model), store, splits["val"])
        val = metrics_table(rows, Calibration())["overall"]
        entry = {
            "epoch": epoch,
            "loss": loss,
            "val_eer": val["eer"],
            "val_auc": val["auc"],
            "seconds": time.perf_counter() - t0,
        }
        history.append(entry)
        log.info("epoch %d: %s", epoch, entry)
        tqdm.write(
            f"epoch {epoch}: loss {loss:.4f} val EER {val['eer']:.4f} AUC {val['auc']:.4f} ({entry['seconds']:.0f} s)"
        )
        if val["eer"] is not None and val["eer"] <= best["val_eer"]:
            best = {"val_eer": val["eer"], "epoch": epoch}
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
    return finish_run(cfg, model, store, splits, history, best)


def finish_run(cfg: VoiceTrainConfig, model, store, splits, history, best) -> TrainResult:
    """Load the best epoch, calibrate on validation, evaluate on test, write weights and metrics."""
    from safetensors.torch import load_file

    from ..weights import save_weight_folder

    out = Path(cfg.out_dir)
    model.load_state_dict(load_file(str(out / "best.safetensors")))
    model.eval()
    val_rows = score_samples(VoiceDetector(model), store, splits["val"])
    val_valid = [r for r in val_rows if math.isfinite(r["logit"])]
    calibration = fit_calibration([r["logit"] for r in val_valid], [r["label"] for r in val_valid], cfg.calibration)
    test_rows = score_samples(VoiceDetector(model, calibration=calibration), store, splits["test"], progress=True)
    results = {
        "config": cfg.model,
        "best_epoch": best["epoch"],
        "history": history,
        "calibration": calibration.to_dict(),
        "counts": {
            k: {"real": sum(s.label == 0 for s in v), "fake": sum(s.label == 1 for s in v)} for k, v in splits.items()
        },
        "val": metrics_table(val_rows, calibration),
        "test": metrics_table(test_rows, calibration),
    }
    scored = {"val": val_rows, "test": test_rows}
    if "holdout" in splits:
        scored["holdout"] = score_samples(VoiceDetector(model, calibration=calibration), store, splits["holdout"])
        results["holdout"] = metrics_table(scored["holdout"], calibration)
    (out / "metrics.json").write_text(json.dumps(results, indent=2))
    write_scores(test_rows, calibration, out / "test_scores.csv", out / "det_roc.png", "test", f"{cfg.model} test")
    save_weight_folder(
        model,
        out / "weights",
        arch=cfg.model,
        tag="run",
        model_args=model.cfg.to_dict(),
        calibration=calibration,
        version=time.strftime("%Y%m%d"),
        metadata={"test_eer": results["test"]["overall"]["eer"], "best_epoch": best["epoch"]},
    )
    evaluations = {name: Evaluation.from_rows(name, results[name], rows, calibration) for name, rows in scored.items()}
    return TrainResult(out, out / "weights", results, evaluations, cfg)


def evaluate_voice(
    weights: str | Path,
    config: VoiceTrainConfig | str | Path | Mapping[str, Any] | None = None,
    *,
    split: str = "test",
    out_dir: str | Path | None = None,
    overrides: Sequence[str] = (),
    **values: Any,
) -> Evaluation:
    """Evaluate weights on one split of the config's data (``fakeguard eval voice``).

    The split is rebuilt from the config's ``data`` with the same seed as training (without
    pseudo-fakes), so the test files of a run are the test files here.

    Args:
        weights: a weight folder, a run folder, or a shipped ``arch.tag``.
        config: as for :func:`train_voice` (the run's ``config.yaml`` reproduces its split).
        split: ``test``, ``val``, ``train`` or ``holdout``.
        out_dir: also write ``metrics.json``, ``scores.csv`` and ``det_roc.png`` here.
        overrides, values: as for :func:`train_voice`.

    Raises:
        ValueError: a bad config, or a split the data does not have.
    """
    import dataclasses

    from fakeguard.datasets.torch_data import AudioStore, default_cache_dir

    from .voice_data import build_splits

    cfg = voice_config(config, overrides, **values)
    set_threads(cfg.threads)
    detector = VoiceDetector.load(str(weights))
    data = dataclasses.replace(cfg.data, pseudo_fakes=[])
    splits = build_splits(data)
    if split not in splits:
        raise ValueError(f"no split {split!r}; have {', '.join(splits)}")
    store = AudioStore(detector.sample_rate, default_cache_dir())
    samples = store.preload(splits[split])
    rows = score_samples(detector, store, samples, progress=True)
    metrics = metrics_table(rows, detector.calibration)
    if out_dir is not None:
        out = Path(out_dir)
        out.mkdir(parents=True, exist_ok=True)
        (out / "metrics.json").write_text(json.dumps(metrics, indent=2))
        title = detector.info.name if detector.info else str(weights)
        write_scores(rows, detector.calibration, out / "scores.csv", out / "det_roc.png", split, title)
    return Evaluation.from_rows(split, metrics, rows, detector.calibration)
