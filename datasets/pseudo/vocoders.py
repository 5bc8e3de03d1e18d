"""The vocoders behind the speech pseudo-fakes: real speech in, the same speech resynthesised out.

Each method is a function ``(wave, sample_rate, rng) -> wave`` in
:data:`METHODS`: mono float32 in, finite float32 of the same length out, and
the same output for the same ``rng`` state. All are classic, CPU-only
vocoders, each leaving its own artefacts:

* ``griffinlim``: magnitude STFT, phase rebuilt by Griffin-Lim;
* ``mel_griffinlim``: the same from an 80-band log-mel spectrogram (a crude mel vocoder);
* ``world``: WORLD analysis and synthesis (optional ``pyworld``);
* ``lpc``: an LPC source-filter vocoder with pulse / noise excitation.

On one 2-core CPU each takes well under a second per 5 s of 16 kHz audio.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable
from typing import Any

import librosa
import numpy as np
import scipy.signal
from numpy.typing import NDArray

VocodeFn = Callable[[NDArray[np.float32], int, np.random.Generator], NDArray[np.float32]]
"""``(wave, sample_rate, rng) -> wave``: mono float32 in, float32 of the same length out."""

N_MELS = 80
TRAIN_EXTRA_HINT = "pip install 'fakeguard[train]'"


def _fft_size(sample_rate: int, at_16k: int = 1024) -> int:
    """``at_16k`` scaled to the rate and rounded to a power of two (1024 at 16 kHz, 2048 at 44.1 kHz)."""
    return int(2 ** round(np.log2(at_16k * sample_rate / 16000)))


def _fit(y: np.ndarray, n: int) -> NDArray[np.float32]:
    """Trim or zero-pad to ``n`` samples and make the result finite float32."""
    y = np.nan_to_num(np.asarray(y, dtype=np.float64)[:n], nan=0.0, posinf=0.0, neginf=0.0)
    if y.size < n:
        y = np.pad(y, (0, n - y.size))
    return y.astype(np.float32)


def griffinlim(wave: NDArray[np.float32], sample_rate: int, rng: np.random.Generator) -> NDArray[np.float32]:
    """Magnitude STFT (n_fft 1024 at 16 kHz, hop n_fft/4), phase rebuilt by 32 fast Griffin-Lim iterations.

    The phase starts random (drawn from ``rng``), so the output is the
    "phase-less" resynthesis of spectrogram TTS systems: same spectral
    envelope, smeared transients and phasey harmonics.
    """
    n_fft = _fft_size(sample_rate)
    hop = n_fft // 4
    mag = np.abs(librosa.stft(wave.astype(np.float32), n_fft=n_fft, hop_length=hop))
    y = librosa.griffinlim(
        mag, n_iter=32, hop_length=hop, n_fft=n_fft, momentum=0.99, init="random", random_state=rng, length=len(wave)
    )
    return _fit(y, len(wave))


@functools.lru_cache(maxsize=8)
def _mel_inverse(sample_rate: int, n_fft: int, n_mels: int) -> NDArray[np.float64]:
    """Pseudo-inverse of the mel filter bank, ``(1 + n_fft // 2, n_mels)``."""
    return np.linalg.pinv(librosa.filters.mel(sr=sample_rate, n_fft=n_fft, n_mels=n_mels).astype(np.float64))


def mel_griffinlim(wave: NDArray[np.float32], sample_rate: int, rng: np.random.Generator) -> NDArray[np.float32]:
    """80-band log-mel magnitude, mapped back to a linear spectrogram, then 32 Griffin-Lim iterations.

    A crude mel vocoder: the mel bands and the log floor (1e-5, as HiFi-GAN's
    feature extractor) throw away the fine spectral detail a neural TTS
    front end never produces either. The mel-to-linear step is the filter
    bank's pseudo-inverse clipped at zero rather than librosa's NNLS
    (``mel_to_audio``): on speech both land as far from the true magnitude,
    and NNLS takes three times as long. ``mel_to_audio`` would also draw its
    initial phase from the global NumPy state instead of ``rng``.
    """
    n_fft = _fft_size(sample_rate)
    hop = n_fft // 4
    mel = librosa.feature.melspectrogram(
        y=wave.astype(np.float32), sr=sample_rate, n_fft=n_fft, hop_length=hop, n_mels=N_MELS, power=1.0
    )
    log_mel = np.log(np.maximum(mel, 1e-5))
    mag = np.maximum(_mel_inverse(sample_rate, n_fft, N_MELS) @ np.exp(log_mel), 0.0)
    y = librosa.griffinlim(
        mag, n_iter=32, hop_length=hop, n_fft=n_fft, momentum=0.99, init="random", random_state=rng, length=len(wave)
    )
    return _fit(y, len(wave))


def _import_pyworld() -> Any:
    try:
        import pyworld
    except ImportError as exc:  # missing, or a pyworld build that imports the removed pkg_resources
        raise ImportError(f"the 'world' pseudo-fake method needs pyworld: {TRAIN_EXTRA_HINT} ({exc})") from exc
    return pyworld


def world(wave: NDArray[np.float32], sample_rate: int, rng: np.random.Generator) -> NDArray[np.float32]:
    """WORLD analysis and synthesis (DIO + StoneMask f0, CheapTrick envelope, D4C aperiodicity), 5 ms frames.

    Needs the optional ``pyworld`` (``pip install 'fakeguard[train]'``).
    WORLD is deterministic; ``rng`` is unused. DIO rather than Harvest: on
    5 s of speech Harvest takes about 2 s, DIO + StoneMask 0.1 s, and the
    point here is WORLD's synthesis artefacts, not the best f0 track.

    Raises:
        ImportError: pyworld is not installed; the message names the extra.
    """
    pw = _import_pyworld()
    x = wave.astype(np.float64)
    f0, t = pw.dio(x, sample_rate, frame_period=5.0)
    f0 = pw.stonemask(x, f0, t, sample_rate)
    sp = pw.cheaptrick(x, f0, t, sample_rate)
    ap = pw.d4c(x, f0, t, sample_rate)
    y = pw.synthesize(f0, sp, ap, sample_rate, frame_period=5.0)
    return _fit(y, len(wave))


def _periodicity(frames: np.ndarray, lags: np.ndarray) -> np.ndarray:
    """Normalised autocorrelation of each column of ``frames`` at its own lag (0 where the lag does not fit)."""
    out = np.zeros(frames.shape[1])
    for i, lag in enumerate(lags):
        if 0 < lag < frames.shape[0] - 8:
            a, b = frames[:-lag, i], frames[lag:, i]
            denom = np.sqrt(np.dot(a, a) * np.dot(b, b))
            out[i] = np.dot(a, b) / denom if denom > 0 else 0.0
    return out


def lpc(wave: NDArray[np.float32], sample_rate: int, rng: np.random.Generator) -> NDArray[np.float32]:
    """Order-16 LPC source-filter vocoder: 25 ms Hann frames at 12.5 ms hop, overlap-added.

    Each frame's all-pole filter (Burg's method, :func:`librosa.lpc`) is
    driven by a pulse train at the frame's f0 (:func:`librosa.yin`, 60-400 Hz)
    where the frame is voiced (normalised autocorrelation at the pitch period
    above 0.5) and by white noise (from ``rng``) where it is not, then scaled
    to the original frame's energy. The LPC-10 style buzzy, formant-only
    voice that old telephony codecs made.
    """
    n = len(wave)
    frame = int(round(0.025 * sample_rate))
    hop = frame // 2
    # A little dither keeps Burg's recursion well-conditioned on digital silence.
    x = wave.astype(np.float64) + 1e-5 * rng.standard_normal(n)
    padded = np.pad(x, (hop, hop + frame))
    # (frame, n_frames); frame t covers wave[t*hop - hop : t*hop + hop], centred on sample t*hop.
    frames = librosa.util.frame(padded, frame_length=frame, hop_length=hop)
    n_frames = frames.shape[1]
    window = scipy.signal.get_window("hann", frame)  # periodic: sums to 1 at 50 % overlap
    windowed = frames * window[:, None]
    coeffs = librosa.lpc(np.ascontiguousarray(windowed.T), order=16, axis=-1)  # (n_frames, 17)
    bad = ~np.all(np.isfinite(coeffs), axis=1)
    coeffs[bad] = np.r_[1.0, np.zeros(16)]

    yin_frame = _fft_size(sample_rate)
    f0 = librosa.yin(padded, fmin=60.0, fmax=400.0, sr=sample_rate, frame_length=yin_frame, hop_length=hop)
    centres = np.arange(n_frames) * hop + frame // 2
    f0 = np.interp(centres, np.arange(len(f0)) * hop, f0)
    voiced = _periodicity(frames, np.round(sample_rate / f0).astype(int)) > 0.5

    # One continuous excitation, so pulses keep their spacing across frame boundaries.
    sample_f0 = np.interp(np.arange(len(padded)), centres, f0)
    sample_voiced = np.interp(np.arange(len(padded)), centres, voiced.astype(float)) >= 0.5
    phase = np.cumsum(sample_f0 / sample_rate)
    pulses = np.diff(np.floor(phase), prepend=0.0) * np.sqrt(sample_rate / sample_f0)  # unit power
    excitation = np.where(sample_voiced, pulses, rng.standard_normal(len(padded)))

    out = np.zeros(len(padded))
    for t in range(n_frames):
        start = t * hop
        synth = scipy.signal.lfilter([1.0], coeffs[t], excitation[start : start + frame]) * window
        target = np.dot(windowed[:, t], windowed[:, t])
        energy = np.dot(synth, synth)
        if energy > 0 and np.isfinite(energy):
            out[start : start + frame] += synth * np.sqrt(target / energy)
    return _fit(out[hop : hop + n], n)


METHODS: dict[str, VocodeFn] = {
    "griffinlim": griffinlim,
    "mel_griffinlim": mel_griffinlim,
    "world": world,
    "lpc": lpc,
}
"""Pseudo-fake method name -> vocoder function (``(wave, sample_rate, rng) -> wave``)."""

#: Checks run once before a batch, so a missing optional package fails before any work is done.
_REQUIREMENTS: dict[str, Callable[[], Any]] = {"world": _import_pyworld}


def list_methods() -> list[str]:
    """Names of the methods in :data:`METHODS`, sorted."""
    return sorted(METHODS)


def check_methods(methods: str | Iterable[str]) -> list[str]:
    """Validate method names and their optional packages.

    Returns:
        The names as a list, in the order given.

    Raises:
        KeyError: an unknown name; the message lists the known ones.
        ImportError: a method's optional package is missing (``world`` without pyworld).
    """
    names = [methods] if isinstance(methods, str) else list(methods)
    for name in names:
        if name not in METHODS:
            raise KeyError(f"unknown pseudo-fake method {name!r}; known methods: {', '.join(list_methods())}")
        if name in _REQUIREMENTS:
            _REQUIREMENTS[name]()
    return names
