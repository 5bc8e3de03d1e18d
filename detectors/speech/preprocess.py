"""From decoded audio to the waveform the voice model sees.

Two things a careless model would learn instead of spoofing artefacts are
removed here, for training and serving alike: loudness (fakes in public data
are often louder or quieter than the real recordings) and leading or trailing
silence (generators trim, recordings do not).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from .vad import SpeechRegions, detect_speech

#: RMS level of the active audio after normalisation.
TARGET_DBFS = -26.0
#: Peaks are kept under this after normalisation.
PEAK_LIMIT = 0.99
#: Silence kept before the first and after the last active sample.
TRIM_MARGIN_S = 0.1


@dataclass(frozen=True)
class PreparedSpeech:
    """A normalised, trimmed waveform and where it came from.

    Attributes:
        samples: mono float32 at ``sample_rate``.
        sample_rate: Hz.
        offset_s: where ``samples[0]`` lies in the original audio.
        regions: active regions, in indices of ``samples``.
        gain_db: gain applied by the loudness normalisation.
    """

    samples: NDArray[np.float32]
    sample_rate: int
    offset_s: float
    regions: SpeechRegions
    gain_db: float

    @property
    def has_speech(self) -> bool:
        return len(self.regions.intervals) > 0


def normalize_loudness(samples: NDArray[np.float32], regions: SpeechRegions) -> tuple[NDArray[np.float32], float]:
    """Scale so that the active audio sits at :data:`TARGET_DBFS` RMS, peaks limited to :data:`PEAK_LIMIT`.

    A plain RMS gain rather than ITU-R BS.1770 loudness: the goal is only that
    level carries no class information, and RMS over the active regions does
    that without an extra dependency.
    """
    if len(regions.intervals):
        active = np.concatenate([samples[a:b] for a, b in regions.intervals])
    else:
        active = samples
    rms = float(np.sqrt(np.mean(np.square(active, dtype=np.float64)))) if active.size else 0.0
    if rms < 1e-8:
        return samples.astype(np.float32, copy=True), 0.0
    gain = 10 ** (TARGET_DBFS / 20) / rms
    peak = float(np.max(np.abs(samples))) * gain
    if peak > PEAK_LIMIT:
        gain *= PEAK_LIMIT / peak
    return (samples * gain).astype(np.float32), float(20 * np.log10(gain))


def prepare_speech(samples: NDArray[np.float32], sample_rate: int, *, trim: bool = True) -> PreparedSpeech:
    """Detect activity, trim outer silence (keeping a short margin) and normalise loudness.

    Args:
        samples: mono float32 audio (from :func:`fakeguard.detectors.intake.load_audio`).
        sample_rate: its rate.
        trim: cut leading and trailing silence.
    """
    regions = detect_speech(samples, sample_rate)
    offset = 0
    if trim and len(regions.intervals):
        margin = int(TRIM_MARGIN_S * sample_rate)
        offset = max(0, int(regions.intervals[0, 0]) - margin)
        end = min(samples.size, int(regions.intervals[-1, 1]) + margin)
        samples = samples[offset:end]
        regions = SpeechRegions(regions.intervals - offset, int(samples.size), sample_rate)
    normalized, gain_db = normalize_loudness(samples, regions)
    return PreparedSpeech(
        samples=normalized, sample_rate=sample_rate, offset_s=offset / sample_rate, regions=regions, gain_db=gain_db
    )
