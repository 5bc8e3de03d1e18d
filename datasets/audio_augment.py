"""Degradations applied to training audio of both classes alike.

Public spoofing data carries shortcuts: some real sets are 8 kHz telephone
speech or MP3s, some fakes are clean 22 kHz FLAC. A model that sees every
codec, band limit, noise and room on both classes cannot use them, and learns
the generator's artefacts instead. Each crop independently gets each
degradation with its probability (config: ``AugmentConfig``).

Libraries used: PyAV (FFmpeg's MP3, AAC and Opus encoders) for codecs,
SciPy for filters and convolution, librosa for resampling and mu-law.
"""

from __future__ import annotations

import io
from fractions import Fraction
from typing import Any

import av
import librosa
import numpy as np
from scipy import signal

#: (codec, container, bitrates in kbit/s) that the codec augmentation draws from.
CODECS: tuple[tuple[str, str, tuple[int, ...]], ...] = (
    ("libmp3lame", "mp3", (24, 32, 48, 64, 96, 128)),
    ("aac", "adts", (24, 32, 48, 64, 96)),
    ("libopus", "ogg", (8, 12, 16, 24, 32)),
)


def codec_roundtrip(wave: np.ndarray, sample_rate: int, codec: str, container: str, kbps: int) -> np.ndarray:
    """Encode and decode in memory; the output has the input's length."""
    rate = 48000 if codec == "libopus" else sample_rate  # Opus only takes 8/12/16/24/48 kHz; 16 kHz is fine too
    if codec == "libopus":
        rate = sample_rate if sample_rate in (8000, 12000, 16000, 24000, 48000) else 48000
    buf = io.BytesIO()
    with av.open(buf, "w", format=container) as out:
        stream = out.add_stream(codec, rate=rate, layout="mono")
        stream.bit_rate = kbps * 1000
        frame = av.AudioFrame.from_ndarray(
            np.clip(wave, -1, 1)[None, :].astype(np.float32), format="flt", layout="mono"
        )
        frame.sample_rate, frame.pts, frame.time_base = sample_rate, 0, Fraction(1, sample_rate)
        resampler = av.AudioResampler(format=stream.codec_context.format.name, layout="mono", rate=rate)
        for resampled in resampler.resample(frame):
            out.mux(stream.encode(resampled))
        for resampled in resampler.resample(None):
            out.mux(stream.encode(resampled))
        out.mux(stream.encode())
    buf.seek(0)
    chunks = []
    with av.open(buf, "r") as inp:
        back = av.AudioResampler(format="flt", layout="mono", rate=sample_rate)
        for decoded in inp.decode(audio=0):
            chunks += [f.to_ndarray().reshape(-1) for f in back.resample(decoded)]
        chunks += [f.to_ndarray().reshape(-1) for f in back.resample(None)]
    out_wave = np.concatenate(chunks) if chunks else np.zeros(0, np.float32)
    # Encoders add priming delay; align by cross-correlation over a short lag range.
    lag = _best_lag(wave, out_wave, max_lag=min(4096, out_wave.size // 4))
    out_wave = out_wave[lag : lag + wave.size]
    if out_wave.size < wave.size:
        out_wave = np.pad(out_wave, (0, wave.size - out_wave.size))
    return out_wave.astype(np.float32)


def _best_lag(ref: np.ndarray, other: np.ndarray, max_lag: int) -> int:
    if max_lag <= 0 or other.size < ref.size // 2:
        return 0
    n = min(ref.size, other.size - max_lag, 16000)
    if n <= 0:
        return 0
    corr = signal.correlate(other[: n + max_lag], ref[:n], mode="valid")
    return int(np.argmax(corr))


def telephone(wave: np.ndarray, sample_rate: int, rng: np.random.Generator) -> np.ndarray:
    """8 kHz narrow band (300-3400 Hz), optionally mu-law companded, back at the original rate."""
    narrow = librosa.resample(wave, orig_sr=sample_rate, target_sr=8000, res_type="soxr_hq")
    sos = signal.butter(4, [300, 3400], btype="bandpass", fs=8000, output="sos")
    narrow = signal.sosfilt(sos, narrow)
    if rng.random() < 0.5:
        narrow = librosa.mu_expand(librosa.mu_compress(np.clip(narrow, -1, 1), mu=255), mu=255)
    back = librosa.resample(narrow.astype(np.float32), orig_sr=8000, target_sr=sample_rate, res_type="soxr_hq")
    return _fit(back, wave.size)


def lowpass(wave: np.ndarray, sample_rate: int, cutoff_hz: float) -> np.ndarray:
    sos = signal.butter(8, cutoff_hz, btype="lowpass", fs=sample_rate, output="sos")
    return signal.sosfiltfilt(sos, wave).astype(np.float32)


def coloured_noise(n: int, exponent: float, rng: np.random.Generator) -> np.ndarray:
    """Noise with a 1/f^exponent power spectrum (0 white, 1 pink, 2 brown), unit RMS."""
    spectrum = np.fft.rfft(rng.standard_normal(n))
    freqs = np.fft.rfftfreq(n)
    freqs[0] = freqs[1] if n > 1 else 1.0
    noise = np.fft.irfft(spectrum / freqs ** (exponent / 2), n)
    return (noise / (np.sqrt(np.mean(noise**2)) + 1e-12)).astype(np.float32)


def add_noise(wave: np.ndarray, snr_db: float, rng: np.random.Generator) -> np.ndarray:
    rms = np.sqrt(np.mean(wave**2)) + 1e-12
    noise = coloured_noise(wave.size, float(rng.choice([0.0, 1.0, 2.0])), rng)
    return (wave + noise * rms / (10 ** (snr_db / 20))).astype(np.float32)


def synthetic_rir(sample_rate: int, rt60_s: float, rng: np.random.Generator) -> np.ndarray:
    """A room impulse response: a direct path then exponentially decaying noise (-60 dB at ``rt60_s``)."""
    n = int(rt60_s * sample_rate)
    t = np.arange(n) / sample_rate
    tail = rng.standard_normal(n) * np.exp(-6.9 * t / rt60_s)
    tail[: int(0.002 * sample_rate)] = 0.0  # no reflection within 2 ms of the direct sound
    rir = tail * 0.3
    rir[0] = 1.0
    return (rir / np.sqrt(np.sum(rir**2))).astype(np.float32)


def reverberate(wave: np.ndarray, sample_rate: int, rng: np.random.Generator) -> np.ndarray:
    rir = synthetic_rir(sample_rate, float(rng.uniform(0.15, 0.8)), rng)
    return signal.fftconvolve(wave, rir)[: wave.size].astype(np.float32)


def _fit(wave: np.ndarray, n: int) -> np.ndarray:
    return wave[:n] if wave.size >= n else np.pad(wave, (0, n - wave.size))


class AudioAugment:
    """Random degradations per crop, drawn from an ``AugmentConfig``.

    Args:
        cfg: probabilities and ranges (``fakeguard.detectors.training.voice.AugmentConfig``).
        sample_rate: the crops' rate.
    """

    def __init__(self, cfg: Any, sample_rate: int) -> None:
        self.cfg = cfg
        self.sample_rate = sample_rate

    def __call__(self, wave: np.ndarray, rng: np.random.Generator) -> np.ndarray:
        cfg, sr = self.cfg, self.sample_rate
        wave = wave.astype(np.float32, copy=True)
        if rng.random() < cfg.p_reverb:
            wave = reverberate(wave, sr, rng)
        if rng.random() < cfg.p_noise:
            wave = add_noise(wave, float(rng.uniform(*cfg.snr_db)), rng)
        if rng.random() < cfg.p_telephone:
            wave = telephone(wave, sr, rng)
        elif rng.random() < cfg.p_lowpass:
            wave = lowpass(wave, sr, float(rng.uniform(3000, 0.47 * sr)))
        if rng.random() < cfg.p_codec:
            codec, container, rates = CODECS[int(rng.integers(len(CODECS)))]
            peak = float(np.max(np.abs(wave))) or 1.0
            wave = codec_roundtrip(wave / max(peak, 1.0), sr, codec, container, int(rng.choice(rates)))
        return wave
