"""Voice activity, loudness, trimming and windows: the shared path from audio to model input."""

from __future__ import annotations

import numpy as np
import pytest

from fakeguard.detectors.speech import detect_speech, fit_length, plan_windows, prepare_speech
from fakeguard.detectors.speech.preprocess import TARGET_DBFS

SR = 16000


def voiced(seconds: float, level: float = 0.3, f0: float = 150.0) -> np.ndarray:
    t = np.arange(int(seconds * SR)) / SR
    return (level * sum(np.sin(2 * np.pi * k * f0 * t) / k for k in range(1, 8))).astype(np.float32)


def test_vad_finds_the_voiced_part_between_silences():
    wave = np.concatenate([np.zeros(SR, np.float32), voiced(2.0), np.zeros(SR, np.float32)])
    regions = detect_speech(wave, SR)
    assert len(regions.intervals) >= 1
    start, end = regions.intervals[0, 0] / SR, regions.intervals[-1, 1] / SR
    assert start == pytest.approx(1.0, abs=0.05) and end == pytest.approx(3.0, abs=0.05)
    assert regions.active_fraction(0, SR) == pytest.approx(0.0, abs=0.05)
    assert regions.active_fraction(SR, 3 * SR) == pytest.approx(1.0, abs=0.05)


def test_vad_calls_faint_hiss_silence():
    hiss = (np.random.default_rng(0).standard_normal(2 * SR) * 1e-4).astype(np.float32)
    assert len(detect_speech(hiss, SR).intervals) == 0


def test_prepare_trims_outer_silence_and_normalises_level():
    wave = np.concatenate([np.zeros(SR, np.float32), voiced(2.0, level=0.01), np.zeros(SR, np.float32)])
    prepared = prepare_speech(wave, SR)
    assert prepared.offset_s == pytest.approx(0.9, abs=0.06)
    assert prepared.samples.size / SR == pytest.approx(2.2, abs=0.1)
    rms_db = 20 * np.log10(np.sqrt(np.mean(prepared.samples[int(0.1 * SR) : -int(0.1 * SR)] ** 2)))
    assert rms_db == pytest.approx(TARGET_DBFS, abs=1.0)
    assert np.max(np.abs(prepared.samples)) <= 0.99 + 1e-6


def test_prepare_gives_the_same_level_for_quiet_and_loud_copies():
    quiet, loud = prepare_speech(voiced(2.0, 0.01), SR), prepare_speech(voiced(2.0, 0.5), SR)
    np.testing.assert_allclose(quiet.samples, loud.samples, atol=1e-4)


def test_windows_cover_the_whole_signal_with_the_last_aligned_to_the_end():
    windows = plan_windows(10 * SR, 4 * SR, 2 * SR)
    assert [w.start for w in windows] == [0, 2 * SR, 4 * SR, 6 * SR]
    windows = plan_windows(9 * SR, 4 * SR, 2 * SR)
    assert windows[-1].end == 9 * SR
    assert plan_windows(SR, 4 * SR, 2 * SR)[0].start == 0


def test_fit_length_tiles_short_audio_and_crops_long_audio():
    short = np.arange(5, dtype=np.float32)
    np.testing.assert_array_equal(fit_length(short, 12), np.r_[short, short, short[:2]])
    long = np.arange(100, dtype=np.float32)
    np.testing.assert_array_equal(fit_length(long, 10, start=95), long[90:100])
    assert fit_length(np.zeros(0, np.float32), 4).shape == (4,)


@pytest.mark.parametrize("seed", range(6))
def test_numpy_vad_matches_librosa_exactly(seed):
    """frame_rms / nonsilent_intervals reimplement librosa's rms and effects.split (for start-up time): same answers."""
    import librosa

    from fakeguard.detectors.speech.vad import frame_rms, nonsilent_intervals

    rng = np.random.default_rng(seed)
    n = int(rng.integers(500, 3 * SR))
    gain = np.repeat(rng.uniform(0, 1, n // 800 + 1) ** 3, 800)[:n]
    wave = (rng.standard_normal(n) * gain * 0.3).astype(np.float32)
    frame, hop = 400, 160
    np.testing.assert_allclose(
        frame_rms(wave, frame, hop), librosa.feature.rms(y=wave, frame_length=frame, hop_length=hop)[0], rtol=1e-4
    )
    for top_db in (20.0, 40.0):
        expected = librosa.effects.split(wave, top_db=top_db, frame_length=frame, hop_length=hop)
        np.testing.assert_array_equal(nonsilent_intervals(frame_rms(wave, frame, hop), n, hop, top_db), expected)
