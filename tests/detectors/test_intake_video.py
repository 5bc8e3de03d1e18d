"""Video sampling: frames chosen by time, upright, bounded, with typed errors."""

from __future__ import annotations

import importlib

import media_factory as mf
import numpy as np
import pytest

from fakeguard.detectors.errors import CorruptMedia, MediaError, MediaTimeout, MediaTooLarge, UnsupportedMedia
from fakeguard.detectors.intake import IntakeLimits, MediaKind, as_source, probe, sample_frames

source_module = importlib.import_module("fakeguard.detectors.intake.source")

TWO_SECOND_CLIPS = ("mp4", "mp4_audio", "mov", "mkv", "avi")
WRITTEN_FPS = 10


def _bar_x(pixels: np.ndarray) -> int:
    """Column where the bright moving bar of ``media_factory.moving_frame`` sits."""
    return int(np.argmax(pixels.astype(np.float64).mean(axis=(0, 2))))


def _expected_bar_x(frame_index: int, n_frames: int) -> int:
    return int(frame_index * (mf.W - 8) / max(n_frames - 1, 1)) + 4  # the bar is 8 px wide


@pytest.mark.parametrize("key", TWO_SECOND_CLIPS)
def test_two_fps_on_a_two_second_clip_gives_four_frames_at_the_targets(key, catalogue):
    frames = list(sample_frames(as_source(catalogue[key]), fps=2))
    assert [f.target_s for f in frames] == [0.0, 0.5, 1.0, 1.5]
    times = [f.time_s for f in frames]
    assert times == sorted(times) and len(set(times)) == 4
    for f in frames:
        assert abs(f.time_s - f.target_s) < 0.5 / WRITTEN_FPS + 1e-6
        assert f.pixels.shape == (mf.H, mf.W, 3) and f.pixels.dtype == np.uint8
        assert f.rotation == 0
        # The content is the frame written for that time: the moving bar is where it should be.
        index = round(f.time_s * WRITTEN_FPS)
        assert abs(_bar_x(f.pixels) - _expected_bar_x(index, 20)) <= 4


def test_webm_vp9_is_sampled(catalogue):
    frames = list(sample_frames(as_source(catalogue["webm"]), fps=2))
    assert [round(f.time_s, 3) for f in frames] == [0.0, 0.5]
    assert all(f.pixels.shape == (mf.H, mf.W, 3) for f in frames)


def test_dense_sampling_returns_every_frame(catalogue):
    frames = list(sample_frames(as_source(catalogue["mp4"]), fps=WRITTEN_FPS))
    assert len(frames) == 20
    np.testing.assert_allclose([f.time_s for f in frames], np.arange(20) / WRITTEN_FPS, atol=1e-6)


def test_start_and_end(catalogue):
    frames = list(sample_frames(as_source(catalogue["mp4"]), fps=2, start_s=1.0))
    assert [f.target_s for f in frames] == [1.0, 1.5]
    assert frames[0].time_s == pytest.approx(1.0)
    frames = list(sample_frames(as_source(catalogue["mp4"]), fps=2, end_s=0.9))
    assert [f.target_s for f in frames] == [0.0, 0.5]


@pytest.mark.parametrize(("degrees", "k", "quadrant"), [(90, 1, "bl"), (-90, -1, "tr"), (180, 2, "br")])
def test_display_rotation_is_applied(tmp_path, degrees, k, quadrant):
    marker = mf.marker_rgb()
    path = mf.write_video(tmp_path, "mp4", name=f"rot{degrees}.mp4", rotation=degrees, frames=[marker] * 3)
    frames = list(sample_frames(as_source(path), fps=10))
    assert len(frames) == 3
    expected = np.rot90(marker, k=k)
    for f in frames:
        assert f.pixels.shape == expected.shape
        assert mf.bright_quadrant(f.pixels) == quadrant
        assert np.abs(f.pixels.astype(int) - expected.astype(int)).mean() < 4
        assert f.rotation == (k * 90) % 360


def test_rotation_90_from_the_catalogue(catalogue):
    (first,) = list(sample_frames(as_source(catalogue["rotated_mp4"]), fps=1))
    assert first.pixels.shape == (mf.W, mf.H, 3)
    assert first.rotation == 90
    assert np.abs(first.pixels.astype(int) - np.rot90(mf.marker_rgb(), k=1).astype(int)).mean() < 4
    info = probe(catalogue["rotated_mp4"])
    assert (info.width, info.height, info.streams[0].rotation) == (mf.H, mf.W, 90)


def test_max_side_downscales(catalogue):
    frames = list(sample_frames(as_source(catalogue["mp4"]), fps=2, max_side=64))
    assert len(frames) == 4
    assert all(f.pixels.shape == (48, 64, 3) for f in frames)
    # Content survives the downscale: the bar is still where it should be (at half scale).
    assert abs(_bar_x(frames[2].pixels) * 2 - _expected_bar_x(10, 20)) <= 6
    # A max_side above the frame size changes nothing.
    big = list(sample_frames(as_source(catalogue["mp4"]), fps=2, max_side=1000))
    assert all(f.pixels.shape == (mf.H, mf.W, 3) for f in big)


def test_max_side_on_a_rotated_video_bounds_the_upright_frame(catalogue):
    (first,) = list(sample_frames(as_source(catalogue["rotated_mp4"]), fps=1, max_side=64))
    assert first.pixels.shape == (64, 48, 3)


def test_max_frames_caps(catalogue):
    src = as_source(catalogue["mp4"])
    assert len(list(sample_frames(src, fps=10, max_frames=3))) == 3
    assert len(list(sample_frames(src, fps=10, limits=IntakeLimits(max_frames=2)))) == 2
    # The limit caps a larger per-call request.
    assert len(list(sample_frames(src, fps=10, max_frames=10, limits=IntakeLimits(max_frames=2)))) == 2


def test_variable_frame_rate_video_is_sampled_by_time(tmp_path):
    path, written = mf.write_vfr_video(tmp_path)
    frames = list(sample_frames(as_source(path), fps=2))
    assert [f.target_s for f in frames] == [0.0, 0.5, 1.0, 1.5, 2.0]
    for f in frames:
        # Each sample is a real frame of the clip...
        assert min(abs(f.time_s - t) for t in written) < 1e-3
        # ...at (or a fraction of a frame before) its target...
        assert f.time_s >= f.target_s - 0.05
        # ...and no frame of the clip lies between the target and the one chosen.
        skipped = [t for t in written if f.target_s + 1e-3 <= t < f.time_s - 1e-3]
        assert skipped == []
    # Across the 0.3 s gaps the sample for 1.0 s is the frame at 1.1 s, not one
    # picked by index at the average rate.
    assert frames[2].time_s == pytest.approx(1.1, abs=1e-3)
    times = [f.time_s for f in frames]
    assert times == sorted(times)


def test_an_mp4_with_only_audio_is_probed_as_audio(catalogue):
    info = probe(catalogue["audio_only_mp4"])
    assert (info.kind, info.format) == (MediaKind.AUDIO, "mp4")
    assert [s.type for s in info.streams] == ["audio"]
    assert info.has_audio and not info.has_video
    with pytest.raises(UnsupportedMedia, match="no video stream"):
        list(sample_frames(as_source(catalogue["audio_only_mp4"])))


def test_audio_files_and_images_are_refused(catalogue):
    with pytest.raises(UnsupportedMedia):
        list(sample_frames(as_source(catalogue["wav16"])))
    with pytest.raises(UnsupportedMedia, match="image"):
        list(sample_frames(as_source(catalogue["png"])))


def test_fps_must_be_positive(catalogue):
    with pytest.raises(ValueError):
        list(sample_frames(as_source(catalogue["mp4"]), fps=0))


def test_an_mp4_whose_frames_are_missing_is_corrupt(tmp_path):
    path = mf.write_frameless_mp4(tmp_path)
    with pytest.raises(CorruptMedia, match="no decodable frames") as err:
        list(sample_frames(as_source(path)))
    assert err.value.file == str(path)
    with pytest.raises(CorruptMedia):
        probe(path)


@pytest.mark.parametrize("key", ["mkv", "webm"])
def test_a_matroska_header_without_clusters_is_corrupt(key, catalogue_bytes):
    data = mf.mkv_header_only(catalogue_bytes[key])
    with pytest.raises(CorruptMedia) as err:
        probe(data, name=f"header-only.{key}")
    assert err.value.file == f"header-only.{key}"
    with pytest.raises(CorruptMedia):
        list(sample_frames(as_source(data, name="h")))


def test_max_pixels_limit(catalogue):
    with pytest.raises(MediaTooLarge) as err:
        list(sample_frames(as_source(catalogue["mp4"]), limits=IntakeLimits(max_pixels=1000)))
    assert (err.value.limit, err.value.value, err.value.maximum) == ("max_pixels", mf.W * mf.H, 1000)
    with pytest.raises(MediaTooLarge):
        probe(catalogue["mp4"], IntakeLimits(max_pixels=1000))


@pytest.mark.parametrize("key", ["mp4", "mkv", "avi"])
def test_max_duration_limit(key, catalogue):
    with pytest.raises(MediaTooLarge) as err:
        list(sample_frames(as_source(catalogue[key]), limits=IntakeLimits(max_duration_s=1.0)))
    assert (err.value.limit, err.value.maximum) == ("max_duration_s", 1.0)
    assert err.value.value == pytest.approx(2.0, abs=0.05)
    with pytest.raises(MediaTooLarge):
        probe(catalogue[key], IntakeLimits(max_duration_s=1.0))


def test_max_bytes_limit(catalogue):
    size = catalogue["mp4"].stat().st_size
    with pytest.raises(MediaTooLarge) as err:
        list(sample_frames(as_source(catalogue["mp4"]), limits=IntakeLimits(max_bytes=1000)))
    assert (err.value.limit, err.value.value, err.value.maximum) == ("max_bytes", size, 1000)


def test_decode_timeout(monkeypatch, catalogue):
    class SteppingClock:
        now = 0.0

        def monotonic(self) -> float:
            self.now += 10.0
            return self.now

    monkeypatch.setattr(source_module, "time", SteppingClock())
    with pytest.raises(MediaTimeout) as err:
        list(sample_frames(as_source(catalogue["mp4"]), limits=IntakeLimits(decode_timeout_s=1.0)))
    assert err.value.file == str(catalogue["mp4"])
    assert "1 s" in err.value.reason
    frames = list(sample_frames(as_source(catalogue["mp4"]), limits=IntakeLimits(decode_timeout_s=1e9)))
    assert len(frames) == 4


@pytest.mark.parametrize("key", mf.VIDEO_KEYS)
@pytest.mark.parametrize("cut", ["half", "20"])
def test_truncated_videos_sample_partly_or_fail_typed(key, cut, catalogue_bytes):
    data = catalogue_bytes[key]
    part = data[: len(data) // 2] if cut == "half" else data[:20]
    name = f"cut-{key}-{cut}"
    try:
        frames = list(sample_frames(as_source(part, name=name), fps=2))
    except MediaError as exc:
        assert exc.file == name and name in str(exc)
        assert isinstance(exc, (CorruptMedia, UnsupportedMedia))
    else:
        assert cut == "half"
        assert 0 < len(frames) <= 4
        assert all(f.pixels.ndim == 3 and f.pixels.shape[2] == 3 for f in frames)
