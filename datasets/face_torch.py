"""Torch datasets of face crops: real faces and the pseudo-fakes made from them.

Every item starts from a cached aligned crop of a real photo
(:class:`~fakeguard.datasets.face_store.FaceStore`, the serving crop). Half
the items stay real; the other half become a pseudo-fake of one of the
configured kinds:

* ``self_blend``: the face blended into itself after a colour/frequency/
  geometry change (:func:`fakeguard.datasets.pseudo.self_blend`);
* ``landmark_swap``: the face of another identity warped onto it and blended
  (:func:`fakeguard.datasets.pseudo.landmark_swap`).

Then both classes get the same degradations
(:func:`fakeguard.datasets.face_augment.degrade`) and a random horizontal
flip, so that compression and scale are no signal. Items are drawn from a
seeded generator per (epoch, index): a resumed run sees the same data.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import torch
from torch.utils.data import Dataset

from fakeguard.detectors.transforms import face_batch

from .face_augment import degrade
from .face_store import FaceStore
from .pseudo import landmark_swap, self_blend

PSEUDO_KINDS: tuple[str, ...] = ("self_blend", "landmark_swap")


@dataclass(frozen=True)
class FaceRef:
    """One face of one sample: its file, index among the file's faces, group (identity) and source."""

    path: str
    index: int
    group: str
    source: str


def face_refs(samples: Sequence, store: FaceStore, all_faces: bool = True) -> list[FaceRef]:
    """The faces of samples in the store (every face, or the largest of each file)."""
    refs = []
    for s in samples:
        n = store.count(s.path)
        for i in range(n if all_faces else min(n, 1)):
            refs.append(FaceRef(str(s.path), i, s.group, s.source))
    return refs


def check_kinds(kinds: Sequence[str]) -> list[str]:
    """The pseudo-fake kinds, checked against :data:`PSEUDO_KINDS`."""
    unknown = set(kinds) - set(PSEUDO_KINDS)
    if unknown or not kinds:
        raise ValueError(f"pseudo-fake kinds must be a non-empty subset of {PSEUDO_KINDS}, got {list(kinds)}")
    return list(kinds)


def make_fake(
    kind: str, refs: Sequence[FaceRef], store: FaceStore, target: FaceRef, rng: np.random.Generator
) -> np.ndarray:
    """A pseudo-fake of ``target`` (for a swap, the source face is another identity drawn from ``refs``)."""
    entry = store.get(target.path)
    image, landmarks = entry.crops[target.index], entry.landmarks[target.index]
    if kind == "self_blend":
        return self_blend(image, landmarks, rng)[0]
    if kind == "landmark_swap":
        for _ in range(20):
            other = refs[int(rng.integers(len(refs)))]
            if other.group != target.group:
                break
        source = store.get(other.path)
        return landmark_swap(image, landmarks, source.crops[other.index], source.landmarks[other.index], rng)[0]
    raise ValueError(f"unknown pseudo-fake kind {kind!r}")


class PseudoFakeFaces(Dataset):
    """Balanced real / pseudo-fake training items, drawn fresh each epoch.

    Args:
        refs: the real faces to draw from.
        store: their crops.
        kinds: pseudo-fake kinds to make (equal shares).
        epoch_size: items per epoch.
        mean, std: the model's normalisation.
        weights: draw probability per ref (None = uniform); the recipe weights
            sources by the square root of their size, so that 5,000 CelebA
            thumbnails do not drown 100 video frames.
        degrade_strength: scales the degradation probabilities (0 = none).
        seed: the run's seed.
    """

    def __init__(
        self,
        refs: Sequence[FaceRef],
        store: FaceStore,
        kinds: Sequence[str],
        epoch_size: int,
        mean: Sequence[float],
        std: Sequence[float],
        weights: np.ndarray | None = None,
        degrade_strength: float = 1.0,
        seed: int = 0,
    ) -> None:
        self.refs = list(refs)
        self.store = store
        self.kinds = check_kinds(kinds)
        self.epoch_size = epoch_size
        self.mean, self.std = tuple(mean), tuple(std)
        self.weights = None if weights is None else np.asarray(weights, dtype=np.float64) / np.sum(weights)
        self.degrade_strength = degrade_strength
        self.seed = seed
        self.epoch = 0

    def set_epoch(self, epoch: int) -> None:
        """Draw a new set of items (call before each epoch; workers are re-created per epoch)."""
        self.epoch = epoch

    def __len__(self) -> int:
        return self.epoch_size

    def __getitem__(self, index: int) -> tuple[torch.Tensor, int]:
        rng = np.random.default_rng([self.seed, self.epoch, index])
        target = self.refs[int(rng.choice(len(self.refs), p=self.weights))]
        label = index % 2
        if label:
            image = make_fake(self.kinds[int(rng.integers(len(self.kinds)))], self.refs, self.store, target, rng)
        else:
            entry = self.store.get(target.path)
            image = entry.crops[target.index]
        image = degrade(image, rng, strength=self.degrade_strength) if self.degrade_strength > 0 else image
        if rng.random() < 0.5:
            image = image[:, ::-1]
        return face_batch([np.ascontiguousarray(image)], self.mean, self.std)[0], label


@dataclass(frozen=True)
class EvalItem:
    """One fixed evaluation crop: the real face or a pseudo-fake made from it with a fixed seed."""

    ref: FaceRef
    label: int
    kind: str  # "real" or a pseudo-fake kind


def eval_items(refs: Sequence[FaceRef], kinds: Sequence[str]) -> list[EvalItem]:
    """Each real face once, plus one pseudo-fake of each kind made from it."""
    items = []
    for ref in refs:
        items.append(EvalItem(ref, 0, "real"))
        items += [EvalItem(ref, 1, kind) for kind in kinds]
    return items


def render_eval_item(
    item: EvalItem, position: int, refs: Sequence[FaceRef], store: FaceStore, seed: int, degrade_strength: float
) -> np.ndarray:
    """The crop of an evaluation item, the same on every call (seeded by its position)."""
    rng = np.random.default_rng([seed, 7919, position])
    if item.label:
        image = make_fake(item.kind, refs, store, item.ref, rng)
    else:
        image = store.get(item.ref.path).crops[item.ref.index]
    return degrade(image, rng, strength=degrade_strength) if degrade_strength > 0 else image
