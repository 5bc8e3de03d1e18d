"""Voice activity detection by frame energy.

An energy detector (frames within ``top_db`` of the loudest frame, exactly
``librosa.effects.split``'s rule) plus an absolute floor, so that a file of
faint hiss is not called speech. It was chosen over silero-vad for the service path by
measurement (``bench/voice_vad.py``, docs/benchmarks.md): about 15 ms per
minute of audio against 2.3 s for silero-vad on one thread (which alone would
break the voice detector's 200x-real-time budget), while on 60 shared clips
the two agreed on 91% of 10 ms frames and on every window's scored-or-not
decision. Its weakness is that loud non-speech (music, noise) counts as
active: such windows are scored, and the report says what it scored.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

#: Frames quieter than the loudest frame by more than this are silence.
TOP_DB = 40.0
#: A file whose loudest frame is under this RMS level (dBFS) has no activity at all.
FLOOR_DBFS = -55.0
FRAME_S = 0.025
HOP_S = 0.010


@dataclass(frozen=True)
class SpeechRegions:
    """Active regions of a waveform.

    Attributes:
        intervals: ``(k, 2)`` sample indices ``[start, end)`` of active audio.
        n_samples: length of the analysed waveform.
        sample_rate: its rate.
    """

    intervals: NDArray[np.int64]
    n_samples: int
    sample_rate: int

    @property
    def total_s(self) -> float:
        return (
            float((self.intervals[:, 1] - self.intervals[:, 0]).sum()) / self.sample_rate
            if len(self.intervals)
            else 0.0
        )

    def active_fraction(self, start: int, end: int) -> float:
        """Share of samples in ``[start, end)`` that are active."""
        if end <= start or not len(self.intervals):
            return 0.0
        overlap = np.clip(np.minimum(self.intervals[:, 1], end) - np.maximum(self.intervals[:, 0], start), 0, None)
        return float(overlap.sum()) / (end - start)


def frame_rms(samples: NDArray[np.float32], frame: int, hop: int) -> NDArray[np.float64]:
    """RMS of centred, zero-padded frames: ``librosa.feature.rms(center=True, pad_mode="constant")``.

    Written with NumPy instead of calling librosa because librosa's first call
    in a process costs about 3 s (lazy submodule loading and numba
    compilation), which every ``fakeguard score`` and every service cold start
    would pay; ``tests/detectors/test_speech.py`` checks it against librosa.
    """
    padded = np.pad(samples.astype(np.float64), frame // 2)
    frames = np.lib.stride_tricks.sliding_window_view(padded, frame)[::hop]
    return np.sqrt(np.mean(frames**2, axis=1))


def nonsilent_intervals(rms: NDArray[np.float64], n_samples: int, hop: int, top_db: float) -> NDArray[np.int64]:
    """Sample intervals of frames within ``top_db`` of the loudest: ``librosa.effects.split``'s rule."""
    power = rms**2
    db = 10 * np.log10(np.maximum(1e-10, power)) - 10 * np.log10(max(1e-10, float(power.max())))
    active = db > -top_db
    edges = [np.flatnonzero(np.diff(active.astype(int))) + 1]
    if active[0]:
        edges.insert(0, np.array([0]))
    if active[-1]:
        edges.append(np.array([active.size]))
    bounds = np.minimum(np.concatenate(edges) * hop, n_samples)
    return bounds.reshape(-1, 2).astype(np.int64)


def detect_speech(
    samples: NDArray[np.float32], sample_rate: int, *, top_db: float = TOP_DB, floor_dbfs: float = FLOOR_DBFS
) -> SpeechRegions:
    """Find the active regions of a mono waveform.

    Args:
        samples: mono float32 audio.
        sample_rate: its rate in Hz.
        top_db: relative threshold below the loudest frame.
        floor_dbfs: absolute threshold on the loudest frame (below it: no activity).
    """
    frame = max(16, int(FRAME_S * sample_rate))
    hop = max(8, int(HOP_S * sample_rate))
    if samples.size < frame:
        return SpeechRegions(np.zeros((0, 2), np.int64), int(samples.size), sample_rate)
    rms = frame_rms(samples, frame, hop)
    if float(rms.max()) <= 10 ** (floor_dbfs / 20):
        return SpeechRegions(np.zeros((0, 2), np.int64), int(samples.size), sample_rate)
    # The floor only decides whether anything is active at all; the regions come from
    # the relative threshold alone, so that the same recording at another gain gets
    # the same regions (and so the same loudness normalisation and the same score).
    intervals = nonsilent_intervals(rms, int(samples.size), hop, top_db)
    return SpeechRegions(intervals, int(samples.size), sample_rate)
