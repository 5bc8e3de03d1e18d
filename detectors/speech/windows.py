"""Fixed-length windows over a waveform: one rule for training crops and serving windows."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray


@dataclass(frozen=True)
class Window:
    """A window in samples ``[start, start + length)`` of the prepared waveform."""

    start: int
    length: int

    @property
    def end(self) -> int:
        return self.start + self.length


def plan_windows(n_samples: int, length: int, hop: int) -> list[Window]:
    """Windows of ``length`` every ``hop`` samples covering the whole waveform.

    The last window is aligned to the end so no tail is left unscored; audio
    shorter than one window gets a single window (filled by :func:`fit_length`).
    """
    if n_samples <= length:
        return [Window(0, length)]
    starts = list(range(0, n_samples - length + 1, hop))
    if starts[-1] + length < n_samples:
        starts.append(n_samples - length)
    return [Window(s, length) for s in starts]


def fit_length(samples: NDArray[np.float32], length: int, start: int = 0) -> NDArray[np.float32]:
    """``samples[start:start + length]``, tiled (repeated) when the audio is shorter.

    Repetition rather than zero padding, as in the ASVspoof baselines: a
    padded window would let the model key on the amount of digital silence.
    """
    if samples.size == 0:
        return np.zeros(length, np.float32)
    if samples.size < length:
        reps = -(-length // samples.size)
        return np.tile(samples, reps)[:length].astype(np.float32, copy=False)
    start = min(max(0, start), samples.size - length)
    return samples[start : start + length]
