"""``sample_frames(..., skip_nonreference=True)``: dropping H.264 frames no other frame refers to.

``media_factory.write_video`` encodes with x264's ``zerolatency`` tune, which has no
B-frames and so no non-reference frames; these tests write their own clips with B-frames.
"""

from __future__ import annotations

from pathlib import Path

import av
import media_factory as mf
import numpy as np
import pytest

from fakeguard.detectors.intake import as_source, sample_frames
from fakeguard.detectors.intake.video import NONREF_SKIPPING_CODECS

RATE = 25
FRAME_S = 1 / RATE
N_FRAMES = 75  # 3 s
W, H = 160, 120
BITS = 7  # the frame number, drawn as 7 white blocks (on) or black (off) along the top


def _frame(i: int) -> np.ndarray:
    """Frame ``i``: a bar moving 2 px a frame, and ``i`` in binary as blocks along the top."""
    img = np.zeros((H, W, 3), np.uint8)
    img[:, :, 2] = 60
    x = 2 * i % (W - 8)
    img[20:, x : x + 8] = 250
    for bit in range(BITS):
        if i >> bit & 1:
            img[0:12, bit * 16 + 2 : bit * 16 + 14] = 255
    return img


def _frame_number(pixels: np.ndarray) -> int:
    """Read the number :func:`_frame` drew back from decoded pixels."""
    blocks = [pixels[3:9, bit * 16 + 5 : bit * 16 + 11].mean() > 128 for bit in range(BITS)]
    return sum(1 << bit for bit, on in enumerate(blocks) if on)


def _write(path: Path, codec: str, container_format: str, options: dict[str, str]) -> Path:
    with av.open(str(path), mode="w", format=container_format) as container:
        stream = container.add_stream(codec, rate=RATE, options=options)
        stream.width, stream.height, stream.pix_fmt = W, H, "yuv420p"
        for i in range(N_FRAMES):
            frame = av.VideoFrame.from_ndarray(_frame(i), format="rgb24")
            frame.pts = i
            for packet in stream.encode(frame):
                container.mux(packet)
        for packet in stream.encode(None):
            container.mux(packet)
    return path


def _kept_by_decoder(path: Path) -> tuple[list[int], list[int]]:
    """Frame indices decoded in full and with FFmpeg's ``skip_frame=NONREF`` (plain PyAV, no fakeguard)."""
    result = []
    for skip in (False, True):
        with av.open(str(path)) as container:
            stream = container.streams.video[0]
            if skip:
                stream.codec_context.skip_frame = "NONREF"
            result.append([round(float(f.pts * stream.time_base) * RATE) for f in container.decode(stream)])
    return result[0], result[1]


@pytest.fixture(scope="module")
def bframe_clip(tmp_path_factory) -> Path:
    """3 s of 160x120 H.264 at 25 fps with B-frames (preset veryfast, 3 B-frames, GOP 50)."""
    path = tmp_path_factory.mktemp("skip") / "bframes.mp4"
    return _write(path, "libx264", "mp4", {"preset": "veryfast", "bf": "3", "g": "50"})


@pytest.fixture(scope="module")
def all_frames(bframe_clip) -> dict[float, np.ndarray]:
    """Every frame of the clip, decoded without skipping, by time."""
    frames = list(sample_frames(as_source(bframe_clip), fps=RATE))
    assert len(frames) == N_FRAMES
    return {f.time_s: f.pixels for f in frames}


@pytest.fixture(scope="module")
def nonref(bframe_clip) -> set[int]:
    everything, kept = _kept_by_decoder(bframe_clip)
    assert everything == list(range(N_FRAMES))
    dropped = set(everything) - set(kept)
    assert dropped, (
        "the test clip has no non-reference frames (x264 wrote no droppable B-frames), "
        "so skip_nonreference cannot be tested with it"
    )
    return dropped


def test_the_clip_has_what_the_tests_need(bframe_clip, all_frames, nonref):
    # Each decoded frame shows its own number: the time -> content mapping is the one written.
    for t, pixels in all_frames.items():
        assert _frame_number(pixels) == round(t * RATE)
    with av.open(str(bframe_clip)) as container:
        assert container.streams.video[0].codec_context.name == "h264" in NONREF_SKIPPING_CODECS
    # Some non-reference frames, but not all of them.
    assert 0 < len(nonref) < N_FRAMES // 2


@pytest.mark.parametrize("fps", [2, 3])
def test_skipping_lands_each_sample_a_little_late_on_identical_pixels(bframe_clip, all_frames, nonref, fps):
    plain = list(sample_frames(as_source(bframe_clip), fps=fps))
    skipped = list(sample_frames(as_source(bframe_clip), fps=fps, skip_nonreference=True))

    assert len(skipped) == len(plain)
    assert [f.target_s for f in skipped] == [f.target_s for f in plain]
    for f in skipped:
        # "At or after" the target: the sampler accepts a frame up to half a frame early
        # (time rounding; 0.48 s for the 0.5 s target of a 25 fps clip), with or without skipping.
        assert f.time_s >= f.target_s - FRAME_S / 2 - 1e-9
        assert f.time_s - f.target_s <= 3 * FRAME_S + 1e-9
        index = round(f.time_s * RATE)
        assert index not in nonref, f"frame {index} is a non-reference frame but was decoded"
        # Skipping the non-reference frames damaged nothing: the frame is byte-identical to the
        # same frame decoded with every frame, and shows its own number.
        assert f.time_s in all_frames
        np.testing.assert_array_equal(f.pixels, all_frames[f.time_s])
        assert _frame_number(f.pixels) == index
    for f_plain, f_skip in zip(plain, skipped):
        assert f_skip.time_s >= f_plain.time_s
        if round(f_plain.time_s * RATE) not in nonref:
            assert f_skip.time_s == f_plain.time_s
    moved = [(f.target_s, f.time_s, g.time_s) for f, g in zip(plain, skipped) if f.time_s != g.time_s]
    assert moved, (
        f"at fps={fps} no sample fell on one of the clip's non-reference frames {sorted(nonref)}, "
        "so this run does not show that skip_nonreference skipped anything"
    )


def test_skipping_after_a_seek(bframe_clip, all_frames, nonref):
    # start_s beyond the initial seek gap (2 s): the sampler seeks, then decodes forward.
    plain = list(sample_frames(as_source(bframe_clip), fps=4, start_s=2.1))
    skipped = list(sample_frames(as_source(bframe_clip), fps=4, start_s=2.1, skip_nonreference=True))
    assert [f.target_s for f in skipped] == [f.target_s for f in plain] == pytest.approx([2.1, 2.35, 2.6, 2.85])
    for f in skipped:
        assert round(f.time_s * RATE) not in nonref
        assert -FRAME_S / 2 - 1e-9 <= f.time_s - f.target_s <= 3 * FRAME_S + 1e-9
        np.testing.assert_array_equal(f.pixels, all_frames[f.time_s])


def test_dense_sampling_with_skipping_returns_only_reference_frames(bframe_clip, nonref):
    frames = list(sample_frames(as_source(bframe_clip), fps=RATE, skip_nonreference=True))
    indices = [round(f.time_s * RATE) for f in frames]
    assert indices == sorted(set(range(N_FRAMES)) - nonref)


@pytest.fixture(scope="module")
def mpeg4_bframe_clip(tmp_path_factory) -> Path:
    """MPEG-4 Part 2 in MP4 with B-frames: FFmpeg's decoder *would* drop them if asked to."""
    path = tmp_path_factory.mktemp("skip") / "mpeg4_bframes.mp4"
    return _write(path, "mpeg4", "mp4", {"bf": "2", "g": "50"})


def test_other_codecs_are_decoded_in_full_even_with_b_frames(mpeg4_bframe_clip):
    everything, kept = _kept_by_decoder(mpeg4_bframe_clip)
    # The control: this clip has frames the MPEG-4 decoder drops under skip_frame=NONREF ...
    assert len(kept) < len(everything) == N_FRAMES
    # ... but sample_frames only asks that of H.264 and HEVC, so nothing changes.
    for fps in (2, RATE):
        plain = list(sample_frames(as_source(mpeg4_bframe_clip), fps=fps))
        skipped = list(sample_frames(as_source(mpeg4_bframe_clip), fps=fps, skip_nonreference=True))
        assert [(f.target_s, f.time_s) for f in skipped] == [(f.target_s, f.time_s) for f in plain]
        for a, b in zip(plain, skipped):
            np.testing.assert_array_equal(a.pixels, b.pixels)
    assert len(skipped) == N_FRAMES


@pytest.mark.parametrize("ext", ["webm", "avi"])
def test_option_changes_nothing_for_vp9_and_mpeg4_from_the_factory(tmp_path, ext):
    path = mf.write_video(tmp_path, ext, seconds=1.0, fps=10)
    for fps in (2, 10):
        plain = list(sample_frames(as_source(path), fps=fps))
        skipped = list(sample_frames(as_source(path), fps=fps, skip_nonreference=True))
        assert len(plain) == len(skipped) > 0
        assert [(f.target_s, f.time_s) for f in skipped] == [(f.target_s, f.time_s) for f in plain]
        for a, b in zip(plain, skipped):
            np.testing.assert_array_equal(a.pixels, b.pixels)
    assert len(plain) == 10


def test_zero_latency_h264_has_nothing_to_skip(tmp_path):
    # The factory's clips (no B-frames): skipping is allowed but has nothing to drop.
    path = mf.write_video(tmp_path, "mp4", seconds=1.0, fps=10)
    plain = list(sample_frames(as_source(path), fps=10))
    skipped = list(sample_frames(as_source(path), fps=10, skip_nonreference=True))
    assert [f.time_s for f in skipped] == [f.time_s for f in plain]
    assert len(plain) == 10
