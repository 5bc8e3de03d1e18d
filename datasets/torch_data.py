"""Torch datasets over reader samples, through the detectors' own preprocessing.

Audio goes through :func:`fakeguard.detectors.intake.load_audio` and
:func:`fakeguard.detectors.speech.prepare_speech`, exactly as in serving; the
prepared waveforms are cached on disk (keyed by path, size, mtime and the
preprocessing version) so that later epochs and later sessions skip decoding.
"""

from __future__ import annotations

import hashlib
import logging
import os
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np
import torch
from torch.utils.data import Dataset

from fakeguard.detectors.errors import MediaError
from fakeguard.detectors.intake import as_source, load_audio
from fakeguard.detectors.speech import fit_length, prepare_speech

from .base import Sample

log = logging.getLogger(__name__)

#: Bump when load_audio/prepare_speech change what they return, to invalidate caches.
PREP_VERSION = "speech-v2"


def default_cache_dir() -> Path:
    """``$FAKEGUARD_CACHE`` or ``~/.cache/fakeguard``."""
    return Path(os.environ.get("FAKEGUARD_CACHE", Path.home() / ".cache" / "fakeguard"))


class AudioStore:
    """Prepared (trimmed, loudness-normalised) 16 kHz waveforms of samples, cached in memory and on disk.

    Args:
        sample_rate: the model's rate.
        cache_dir: where ``.npy`` files go; ``None`` keeps everything in memory only.
    """

    def __init__(self, sample_rate: int = 16000, cache_dir: Path | None = None) -> None:
        self.sample_rate = sample_rate
        self.cache_dir = Path(cache_dir) / f"audio_{PREP_VERSION}_{sample_rate}" if cache_dir else None
        self._memory: dict[Path, np.ndarray] = {}
        self.failures: dict[Path, str] = {}

    def _key(self, path: Path) -> str:
        stat = path.stat()
        raw = f"{path.resolve()}|{stat.st_size}|{stat.st_mtime_ns}|{PREP_VERSION}|{self.sample_rate}"
        return hashlib.sha1(raw.encode()).hexdigest()

    def get(self, path: Path) -> np.ndarray:
        """The prepared waveform of one file.

        Raises:
            MediaError: the file cannot be decoded (the caller decides to skip it).
        """
        path = Path(path)
        if path in self._memory:
            return self._memory[path]
        cached = self.cache_dir / f"{self._key(path)}.npy" if self.cache_dir else None
        if cached is not None and cached.is_file():
            wave = np.load(cached)
        else:
            decoded = load_audio(as_source(path), sample_rate=self.sample_rate)
            wave = prepare_speech(decoded.samples, self.sample_rate).samples
            if cached is not None:
                cached.parent.mkdir(parents=True, exist_ok=True)
                tmp = cached.with_suffix(".tmp.npy")
                np.save(tmp, wave)
                os.replace(tmp, cached)
        self._memory[path] = wave
        return wave

    def preload(
        self, samples: Sequence[Sample], progress: Callable[[Sequence[Sample]], Sequence[Sample]] | None = None
    ) -> list[Sample]:
        """Decode every sample once; returns the samples that decoded (failures are logged and kept in ``failures``)."""
        ok = []
        for sample in progress(samples) if progress else samples:
            try:
                self.get(sample.path)
                ok.append(sample)
            except MediaError as exc:
                self.failures[sample.path] = str(exc)
                log.warning("skipping %s", exc)
        return ok


class BalancedVoiceCrops(Dataset):
    """Random fixed-length crops, balanced by class and then by source.

    Each item draws a class (real or fake) with equal probability, then a
    source within the class with probability proportional to the square root
    of its file count, then a file, then a crop. Equal class odds keep the
    model from learning the class prior; square-root source weights keep one
    large source from dominating while a source of four files is not drawn as
    often as one of two hundred (which plain per-source balance would do).

    Args:
        samples: training samples (decodable: see :meth:`AudioStore.preload`).
        store: the audio store.
        crop_samples: crop length (the model's window).
        epoch_size: items per epoch.
        augment: called as ``augment(wave, rng)`` on each crop (both classes alike).
        seed: base seed; items are reproducible from (seed, epoch, index).
    """

    def __init__(
        self,
        samples: Sequence[Sample],
        store: AudioStore,
        crop_samples: int,
        epoch_size: int,
        augment: Callable[[np.ndarray, np.random.Generator], np.ndarray] | None = None,
        seed: int = 0,
    ) -> None:
        self.store = store
        self.crop_samples = crop_samples
        self.epoch_size = epoch_size
        self.augment = augment
        self.seed = seed
        self.epoch = 0
        self.by_class: dict[int, dict[str, list[Sample]]] = {}
        for sample in samples:
            self.by_class.setdefault(sample.label, {}).setdefault(sample.source, []).append(sample)
        if set(self.by_class) != {0, 1}:
            raise ValueError("training needs both real and fake samples")
        self._source_weights = {}
        for label, sources in self.by_class.items():
            names = sorted(sources)
            weights = np.sqrt([len(sources[n]) for n in names])
            self._source_weights[label] = (names, weights / weights.sum())

    def set_epoch(self, epoch: int) -> None:
        self.epoch = epoch

    def __len__(self) -> int:
        return self.epoch_size

    def __getitem__(self, index: int) -> tuple[torch.Tensor, torch.Tensor]:
        rng = np.random.default_rng([self.seed, self.epoch, index])
        label = int(rng.integers(2))
        names, weights = self._source_weights[label]
        files = self.by_class[label][names[int(rng.choice(len(names), p=weights))]]
        sample = files[int(rng.integers(len(files)))]
        wave = self.store.get(sample.path)
        start = int(rng.integers(max(1, wave.size - self.crop_samples + 1)))
        crop = fit_length(wave, self.crop_samples, start).copy()
        if self.augment is not None:
            crop = self.augment(crop, rng)
        # Re-level after augmentation exactly as serving levels a file: RMS over the
        # active regions that the VAD finds (not over the whole crop, whose pauses
        # would make training crops louder than what the model sees in service).
        crop = prepare_speech(crop.astype(np.float32), self.store.sample_rate, trim=False).samples
        return torch.from_numpy(crop), torch.tensor(float(label))
