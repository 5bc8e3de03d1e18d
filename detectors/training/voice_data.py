"""The voice recipe's data: shared speech, speaker split, optional held-out family, pseudo-fakes.

Split rules, in order:

1. All speech samples (the shared manifests, or any registered reader's)
   are split by speaker group with real/fake pairs kept together
   (:func:`fakeguard.datasets.split_by_group`), seeded, and the result is
   written to ``split.json`` in the run folder.
2. With ``holdout_family``, that family's fakes leave train and val; the
   ``holdout`` set is the test split's real files plus every fake of the
   family (none of which the model has seen).
3. Pseudo-fakes are made only from the training split's real files and
   added to training only: validation and test hold real generators alone.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import TYPE_CHECKING

from fakeguard.datasets import Sample, create_reader, split_by_group, write_split
from fakeguard.datasets.shared import SharedData

if TYPE_CHECKING:
    from .voice import VoiceDataConfig

log = logging.getLogger(__name__)


def build_splits(cfg: VoiceDataConfig, split_path: Path | None = None) -> dict[str, list[Sample]]:
    """Train, val, test (and holdout) sample lists for a voice run (see the module docstring)."""
    if cfg.reader == "shared":
        samples = SharedData(cfg.root, modality="speech", sources=cfg.sources).samples()
    else:
        samples = create_reader(cfg.reader, cfg.root, **cfg.reader_args).samples()
    if not samples:
        raise ValueError("no speech samples found: check data.root and data.sources")
    split = split_by_group(samples, cfg.fractions, seed=cfg.split_seed)
    parts = {name: list(split[name]) for name in split.names}
    if cfg.val_from_train > 0:
        if not 0 < cfg.val_from_train < 1:
            raise ValueError(f"data.val_from_train must be between 0 and 1, got {cfg.val_from_train}")
        moved = split_by_group(
            parts["train"], {"train": 1 - cfg.val_from_train, "val": cfg.val_from_train}, seed=cfg.split_seed + 1
        )
        parts["train"], parts["val"] = list(moved["train"]), parts["val"] + list(moved["val"])
    if cfg.holdout_family:
        family = cfg.holdout_family
        held = [s for s in samples if s.label == 1 and s.attack_family == family]
        if not held:
            families = sorted({s.attack_family for s in samples if s.label == 1 and s.attack_family})
            raise ValueError(f"no fakes of family {family!r}; families: {', '.join(families)}")
        for name in ("train", "val"):
            parts[name] = [s for s in parts[name] if not (s.label == 1 and s.attack_family == family)]
        parts["holdout"] = [s for s in parts["test"] if s.label == 0] + held
    if split_path is not None:
        write_split(split_path, parts)
    if cfg.pseudo_fakes:
        from fakeguard.datasets.pseudo import generate_pseudo_fakes
        from fakeguard.datasets.torch_data import default_cache_dir

        reals = [s for s in parts["train"] if s.label == 0]
        parts["train"] += generate_pseudo_fakes(reals, cfg.pseudo_fakes, default_cache_dir() / "pseudo")
    for name, items in parts.items():
        log.info("%s: %d real, %d fake", name, sum(s.label == 0 for s in items), sum(s.label == 1 for s in items))
    return parts
