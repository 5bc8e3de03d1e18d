"""The face recipe's data: real photos split by identity, real fakes held out for evaluation.

Split rules:

1. Sources with real fakes in them (``ghost``, ``simswap``, ``stylegan_ffhq``...)
   are evaluation-only by default (``eval_sources``): the model is trained on
   pseudo-fakes of real photos alone, and these real face swaps and GAN faces,
   with the real photos published beside them, test whether that generalises.
2. The other (real-only) sources are split by identity, seeded, and written to
   ``split.json``. Sources whose people are not labelled but are all
   different (UTKFace) count each file as its own identity (``file_groups``).
3. With ``holdout_sources``, those real-only sources leave train and val
   entirely and form a ``holdout`` set (all their photos, with pseudo-fakes
   made from them): the cross-source test.
4. Pseudo-fakes are made from each split's own real faces only (a swap takes
   its second identity from the same split), so no test face is ever seen in
   training, not even as the donor of a swap.
"""

from __future__ import annotations

import dataclasses
import logging
from pathlib import Path
from typing import TYPE_CHECKING

from fakeguard.datasets import Sample, create_reader, split_by_group, write_split
from fakeguard.datasets.shared import SharedData

if TYPE_CHECKING:
    from .face import FaceDataConfig

log = logging.getLogger(__name__)


def build_face_splits(cfg: FaceDataConfig, split_path: Path | None = None) -> dict[str, list[Sample]]:
    """``train``, ``val``, ``test`` (real photos), ``real_fakes`` and maybe ``holdout`` (see the module docstring)."""
    if cfg.reader == "shared":
        samples = SharedData(cfg.root, modality="faces", sources=cfg.sources).samples()
    else:
        samples = create_reader(cfg.reader, cfg.root, **cfg.reader_args).samples()
    if not samples:
        raise ValueError("no face samples found: check data.root and data.sources")
    with_fakes = {s.source for s in samples if s.label == 1}
    eval_sources = set(cfg.eval_sources) if cfg.eval_sources is not None else with_fakes
    held = [s for s in samples if s.source in eval_sources]
    holdout_sources = set(cfg.holdout_sources)
    unknown = holdout_sources - {s.source for s in samples}
    if unknown:
        raise ValueError(f"holdout_sources not in the data: {sorted(unknown)}")
    pool, holdout = [], []
    for s in samples:
        if s.source in eval_sources:
            continue
        if s.label == 1:
            log.warning("fake %s in a training source is left out (the recipe trains on pseudo-fakes)", s.path)
            continue
        if s.source in cfg.file_groups:
            s = dataclasses.replace(s, group=f"{s.source}/{s.extra.get('relpath', s.path.name)}")
        (holdout if s.source in holdout_sources else pool).append(s)
    split = split_by_group(pool, cfg.fractions, seed=cfg.split_seed)
    parts = {name: list(split[name]) for name in split.names}
    parts["real_fakes"] = held
    if holdout:
        parts["holdout"] = holdout
    if split_path is not None:
        write_split(split_path, parts)
    for name, items in parts.items():
        log.info("%s: %d real, %d fake", name, sum(s.label == 0 for s in items), sum(s.label == 1 for s in items))
    return parts
