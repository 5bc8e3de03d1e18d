"""Audio decoding: mono float32 at the requested rate, for every format and for a video's soundtrack."""

from __future__ import annotations

import importlib

import media_factory as mf
import numpy as np
import pytest

from fakeguard.detectors.errors import CorruptMedia, MediaError, MediaTimeout, MediaTooLarge, UnsupportedMedia
from fakeguard.detectors.intake import IntakeLimits, as_source, load_audio, probe

source_module = importlib.import_module("fakeguard.detectors.intake.source")

#: catalogue key -> (written seconds, native rate, native channels)
WRITTEN = {
    "wav16": (1.0, 16000, 1),
    "wav_float": (1.0, 16000, 1),
    "wav_stereo": (1.0, 22050, 2),
    "flac": (1.0, 16000, 1),
    "ogg_vorbis": (1.0, 44100, 2),
    "ogg_opus": (1.0, 48000, 1),
    "mp3": (1.0, 44100, 1),
    "m4a": (1.0, 44100, 1),
    "audio_only_mp4": (1.0, 44100, 1),
    "mp4_audio": (2.0, 44100, 2),
}
#: AAC in MP4 decodes its last frame whole: up to 1024 samples (at the native
#: rate) of encoder padding past the written end, which FFmpeg does not trim.
AAC_KEYS = {"m4a", "audio_only_mp4", "mp4_audio"}


def _dominant_hz(samples: np.ndarray, rate: int) -> float:
    spectrum = np.abs(np.fft.rfft(samples * np.hanning(len(samples))))
    return float(np.fft.rfftfreq(len(samples), 1.0 / rate)[np.argmax(spectrum)])


def _middle(samples: np.ndarray, rate: int) -> np.ndarray:
    """The samples away from the edges (codec onset and end transients)."""
    edge = int(0.15 * rate)
    return samples[edge:-edge]


@pytest.mark.parametrize("key", sorted(WRITTEN))
@pytest.mark.parametrize("rate", [16000, 22050])
def test_load_audio_returns_mono_float32_at_the_requested_rate(key, rate, catalogue):
    seconds, native_rate, native_channels = WRITTEN[key]
    decoded = load_audio(as_source(catalogue[key]), sample_rate=rate)
    x = decoded.samples
    assert x.dtype == np.float32 and x.ndim == 1
    assert decoded.sample_rate == rate
    assert (decoded.native_rate, decoded.native_channels) == (native_rate, native_channels)
    expected = seconds * rate
    if key in AAC_KEYS:
        assert expected * 0.99 <= len(x) <= expected * 1.01 + 1024 * rate / native_rate
    else:
        assert len(x) == pytest.approx(expected, rel=0.01)
    assert decoded.duration_s == pytest.approx(len(x) / rate)
    assert np.isfinite(x).all()
    assert _dominant_hz(x, rate) == pytest.approx(mf.TONE_HZ, abs=5)
    assert decoded.file == str(catalogue[key])


@pytest.mark.parametrize("key", ["wav16", "wav_float", "flac"])
def test_lossless_audio_keeps_the_samples(key, catalogue):
    decoded = load_audio(as_source(catalogue[key]), sample_rate=16000)
    np.testing.assert_allclose(decoded.samples, mf.tone(1.0, 16000, 1)[:, 0], atol=1e-4)


def test_stereo_is_averaged_to_mono(catalogue):
    # Left at amplitude 0.5, right at 0.25, same phase: the average has amplitude 0.375.
    decoded = load_audio(as_source(catalogue["wav_stereo"]), sample_rate=22050)
    assert decoded.native_channels == 2
    peak = float(np.abs(_middle(decoded.samples, 22050)).max())
    assert peak == pytest.approx(0.375, abs=0.005)


def test_full_scale_stereo_stays_within_minus_one_to_one(tmp_path):
    """A down-mix that sums channels at -3 dB (libswresample's default) gives 1.41 here."""
    both = np.repeat(mf.tone(1.0, 16000, 1, amplitude=0.99), 2, axis=1)
    path = mf.write_wav(tmp_path, "loud.wav", samples=both, subtype="FLOAT")
    decoded = load_audio(as_source(path))
    assert float(np.abs(decoded.samples).max()) == pytest.approx(0.99, abs=0.005)
    mono = load_audio(as_source(mf.write_wav(tmp_path, "mono.wav", samples=both[:, :1], subtype="FLOAT")))
    np.testing.assert_allclose(decoded.samples, mono.samples, atol=1e-6)


def test_the_audio_track_of_an_mp4_loads(catalogue):
    decoded = load_audio(as_source(catalogue["mp4_audio"]))
    assert decoded.native_channels == 2
    assert 1.98 <= decoded.duration_s <= 2.05
    assert _dominant_hz(decoded.samples, 16000) == pytest.approx(mf.TONE_HZ, abs=5)


@pytest.mark.parametrize("key", ["mp4", "mkv", "webm", "avi", "mov"])
def test_a_video_without_audio_is_unsupported(key, catalogue):
    with pytest.raises(UnsupportedMedia, match="no audio stream") as err:
        load_audio(as_source(catalogue[key]))
    assert err.value.file == str(catalogue[key])


@pytest.mark.parametrize("key", ["png", "jpeg"])
def test_load_audio_refuses_images(key, catalogue):
    with pytest.raises(UnsupportedMedia, match="image"):
        load_audio(as_source(catalogue[key]))


@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf])
@pytest.mark.parametrize("rate", [16000, 8000])
def test_float_wav_with_non_finite_samples_is_corrupt(tmp_path, bad, rate):
    samples = mf.tone(1.0, 16000, 1)
    samples[1000:1003, 0] = bad
    path = mf.write_wav(tmp_path, "nan.wav", samples=samples, subtype="FLOAT")
    with pytest.raises(CorruptMedia, match="NaN or infinite") as err:
        load_audio(as_source(path), sample_rate=rate)
    assert err.value.file == str(path)
    with pytest.raises(CorruptMedia):
        probe(path)


def test_wav_header_claiming_ten_hours_is_too_large():
    data = mf.wav_header_bytes(seconds=10 * 3600, payload=64)
    assert len(data) < 200
    for call in (
        lambda: probe(data, name="long.wav"),
        lambda: probe(data, name="long.wav", verify=False),
        lambda: load_audio(as_source(data, name="long.wav")),
    ):
        with pytest.raises(MediaTooLarge) as err:
            call()
        e = err.value
        assert e.limit == "max_duration_s"
        assert e.value == pytest.approx(36000, rel=1e-3)
        assert e.maximum == IntakeLimits().max_duration_s == 3 * 3600
        assert e.file == "long.wav" and "long.wav" in str(e)


def test_wav_header_under_the_limit_is_not_refused_by_the_header_check():
    data = mf.wav_header_bytes(seconds=2 * 3600, payload=64)
    try:
        load_audio(as_source(data, name="short-data.wav"))
    except MediaTooLarge:
        pytest.fail("a header under max_duration_s was refused as too large")
    except MediaError:
        pass  # a few bytes of data: corrupt is a fair answer


def test_streaming_wav_with_unknown_length_is_not_too_large():
    """Streaming writers put 0xFFFFFFFF in the data size; that declares no length."""
    data = bytearray(mf.wav_header_bytes(seconds=1.0, payload=32000))
    data[40:44] = b"\xff\xff\xff\xff"
    decoded = load_audio(as_source(bytes(data), name="piped.wav"))
    assert decoded.duration_s == pytest.approx(1.0, abs=0.01)


def test_wav_header_with_an_absurd_sample_rate_is_corrupt(catalogue_bytes):
    """Resampling from a damaged 1 GHz rate to 16 kHz costs seconds per packet; refuse it up front."""
    data = bytearray(catalogue_bytes["wav16"])
    assert data[24:28] == (16000).to_bytes(4, "little")
    data[24:28] = (1_000_000_000).to_bytes(4, "little")
    with pytest.raises(CorruptMedia, match="sample rate") as err:
        load_audio(as_source(bytes(data), name="fast.wav"))
    assert err.value.file == "fast.wav"
    with pytest.raises(CorruptMedia, match="sample rate"):
        probe(bytes(data), name="fast.wav")


def test_high_but_real_sample_rates_still_load(tmp_path):
    path = mf.write_wav(tmp_path, "hires.wav", seconds=0.25, rate=192000)
    decoded = load_audio(as_source(path))
    assert decoded.native_rate == 192000
    assert len(decoded.samples) == pytest.approx(4000, rel=0.01)
    assert _dominant_hz(decoded.samples, 16000) == pytest.approx(mf.TONE_HZ, abs=8)


@pytest.mark.parametrize("key", ["wav16", "flac", "ogg_vorbis", "ogg_opus", "mp3", "m4a"])
def test_max_duration_limit(key, catalogue):
    with pytest.raises(MediaTooLarge) as err:
        load_audio(as_source(catalogue[key]), limits=IntakeLimits(max_duration_s=0.5))
    e = err.value
    assert (e.limit, e.maximum) == ("max_duration_s", 0.5)
    assert e.value == pytest.approx(1.0, abs=0.05)
    assert load_audio(as_source(catalogue[key]), limits=IntakeLimits(max_duration_s=1.5)).samples.size > 0


def test_max_bytes_limit(catalogue):
    size = catalogue["wav16"].stat().st_size
    with pytest.raises(MediaTooLarge) as err:
        load_audio(as_source(catalogue["wav16"]), limits=IntakeLimits(max_bytes=size - 1))
    assert (err.value.limit, err.value.value, err.value.maximum) == ("max_bytes", size, size - 1)


class SteppingClock:
    """A ``time`` stand-in whose ``monotonic()`` jumps ``step`` seconds on every call."""

    def __init__(self, step: float) -> None:
        self.now = 1000.0
        self.step = step
        self.calls = 0

    def monotonic(self) -> float:
        self.calls += 1
        self.now += self.step
        return self.now


@pytest.mark.parametrize("key", ["wav16", "mp3", "mp4_audio"])
def test_decode_timeout(monkeypatch, key, catalogue):
    clock = SteppingClock(step=10.0)
    monkeypatch.setattr(source_module, "time", clock)
    with pytest.raises(MediaTimeout) as err:
        load_audio(as_source(catalogue[key]), limits=IntakeLimits(decode_timeout_s=1.0))
    assert err.value.file == str(catalogue[key])
    assert err.value.code == "timeout"
    assert clock.calls >= 2
    # The same clock with a budget it never spends: the decode completes.
    decoded = load_audio(as_source(catalogue[key]), limits=IntakeLimits(decode_timeout_s=1e9))
    assert decoded.samples.size > 0


AUDIO_TRUNCATABLE = (
    "wav16",
    "wav_float",
    "wav_stereo",
    "flac",
    "ogg_vorbis",
    "ogg_opus",
    "mp3",
    "m4a",
    "audio_only_mp4",
)


@pytest.mark.parametrize("key", AUDIO_TRUNCATABLE)
@pytest.mark.parametrize("cut", ["half", "20"])
def test_truncated_audio_decodes_partly_or_fails_typed(key, cut, catalogue_bytes):
    data = catalogue_bytes[key]
    part = data[: len(data) // 2] if cut == "half" else data[:20]
    name = f"cut-{key}-{cut}"
    try:
        decoded = load_audio(as_source(part, name=name))
    except MediaError as exc:
        assert exc.file == name and name in str(exc)
        assert isinstance(exc, (CorruptMedia, UnsupportedMedia))
    else:
        # A correct decode of what is left: finite, shorter than the whole file.
        assert cut == "half"
        assert np.isfinite(decoded.samples).all()
        assert 0 < decoded.duration_s <= WRITTEN[key][0] * 0.6


def test_truncated_float_wav_is_reported_as_truncated(catalogue_bytes):
    data = catalogue_bytes["wav_float"]
    with pytest.raises(CorruptMedia, match="truncated"):
        load_audio(as_source(data[: len(data) // 2], name="half.wav"))


def test_half_truncated_pcm_wav_is_reported_as_truncated(tmp_path, factory):
    """The RIFF header's data size is the declared length: a WAV cut in half is truncated, not short."""
    from fakeguard.detectors.errors import CorruptMedia
    from fakeguard.detectors.intake import as_source, load_audio

    path = factory.write_wav(tmp_path, "whole.wav", seconds=2.0)
    cut = tmp_path / "cut.wav"
    data = path.read_bytes()
    cut.write_bytes(data[: len(data) // 2])
    with pytest.raises(CorruptMedia, match="truncated"):
        load_audio(as_source(cut))


@pytest.mark.parametrize("kind", ["mp3", "m4a", "flac"])
def test_block_resampling_is_bit_identical_to_frame_by_frame(catalogue, kind):
    """Resampling a second at a time (for speed) must not change a single sample."""
    import av
    import numpy as np

    from fakeguard.detectors.intake.audio import _BlockResampler

    def resample(block_s: float) -> np.ndarray:
        resampler, chunks = _BlockResampler(16000, block_s=block_s), []
        with av.open(str(catalogue[kind])) as container:
            for frame in container.decode(audio=0):
                chunks += resampler.push(frame)
        return np.concatenate(chunks + resampler.finish())

    per_frame, blocked = resample(1e-9), resample(1.0)
    assert per_frame.size > 8000
    np.testing.assert_array_equal(per_frame, blocked)
