"""Video files to reports: sampled frames, face tracks, the audio track, timeline and fused verdict.

The face model is randomly initialised (mechanics, not quality): what is
checked is that every number in the report is the one the documented rules
give from the per-face scores, and that every kind of clip (no audio,
silence, no face, rotated, too long, broken) gets the right report or error.
"""

from __future__ import annotations

import json
import math

import numpy as np
import pytest
from click.testing import CliRunner
from model_factory import random_face_weights

from fakeguard.detectors.api import Detector
from fakeguard.detectors.calibration import Calibration
from fakeguard.detectors.errors import CorruptMedia, MediaTooLarge
from fakeguard.detectors.pipelines.video import merge_timeline, track_reasons
from fakeguard.detectors.pipelines.video_faces import VideoConfig, VideoFaceResult
from fakeguard.detectors.pipelines.voice import aggregate_logits
from fakeguard.detectors.report import Box, FaceResult, FaceTrack, TimelineEntry, VerdictThresholds
from fakeguard.service.cli import cli

pytest.importorskip("dlib")

WIDTH, HEIGHT, FPS = 480, 360, 10  # dlib finds these cartoon faces from about 180 px


@pytest.fixture(scope="module")
def weights(tmp_path_factory):
    """A randomly initialised face model (small input) with a non-trivial calibration."""
    return random_face_weights(tmp_path_factory.mktemp("w") / "face", calibration=Calibration(scale=3.0, bias=0.5))


@pytest.fixture(scope="module")
def detector(weights):
    return Detector.load(face_model=str(weights), video=VideoConfig(fps=2.0))


def moving_faces(factory, seconds: float, faces: list[tuple[int, int, int, int]]) -> list[np.ndarray]:
    """Frames where each face ``(x, y, size, dx)`` moves ``dx`` px per frame."""
    n = int(seconds * FPS)
    return [factory.face_scene(WIDTH, HEIGHT, [(x + dx * i, y, size) for x, y, size, dx in faces]) for i in range(n)]


@pytest.fixture(scope="module")
def one_face_clip(tmp_path_factory):
    import media_factory as factory

    folder = tmp_path_factory.mktemp("clips")
    frames = moving_faces(factory, 4.0, [(40, 60, 200, 4)])
    return factory.write_video(
        folder, "mp4", name="one.mp4", frames=frames, fps=FPS, width=WIDTH, height=HEIGHT, audio=True
    )


def test_one_moving_face_is_one_track_and_every_number_follows_the_rules(detector, one_face_clip):
    report = detector.score(one_face_clip)
    assert report.kind.value == "video"
    assert len(report.face_tracks) == 1
    track = report.face_tracks[0]
    times = [f.time_s for f in report.faces]
    assert len(times) == 8 and times == sorted(times)  # 4 s at 2 frames/s
    assert {f.track_id for f in report.faces} == {track.track_id}
    assert track.start_s == pytest.approx(0.0, abs=0.05) and track.end_s == pytest.approx(3.5, abs=0.15)
    assert len(track.points) == 8
    xs = [p.box.x0 for p in track.points]
    assert xs[-1] - xs[0] > 80, "the face moves right by 4 px per frame"
    # Track score: calibrated mean of the top quarter of the frame logits, read back through the calibration.
    cal = detector.face.calibration
    probs = np.array([f.score for f in report.faces])
    logits = (np.log(probs / (1 - probs)) - cal.bias) / cal.scale
    assert track.score == pytest.approx(float(cal.apply([aggregate_logits(logits)])[0]), abs=1e-6)
    assert report.face_score == pytest.approx(track.score)
    assert report.voice_score is not None  # the tone counts as voice activity
    assert report.score == pytest.approx(max(report.face_score, report.voice_score))
    assert len(report.timeline) == 4
    for second, entry in enumerate(report.timeline):
        in_second = [f.score for f in report.faces if second <= f.time_s < second + 1]
        assert entry.face_score == pytest.approx(max(in_second))
        assert entry.voice_score is not None
    stages = {t.stage for t in report.timings}
    assert {"decode_frames", "detect_faces", "classify_faces", "decode_audio", "classify_voice", "total"} <= stages
    assert {m.task for m in report.models} == {"face", "voice"}
    assert report.speech_segments and report.reasons


def test_two_faces_make_two_tracks_and_the_video_takes_the_worse(factory, tmp_path, detector):
    frames = moving_faces(factory, 3.0, [(10, 60, 200, 2), (260, 60, 200, -1)])
    clip = factory.write_video(tmp_path, "mp4", frames=frames, fps=FPS, width=WIDTH, height=HEIGHT)
    report = detector.score(clip)
    assert len(report.face_tracks) == 2
    for track in report.face_tracks:
        xs = {p.box.x0 > WIDTH / 2 for p in track.points}
        assert len(xs) == 1, "a track never jumps to the other face"
    assert report.face_score == pytest.approx(max(t.score for t in report.face_tracks))
    assert report.score == pytest.approx(report.face_score)  # no audio track


def test_a_clip_without_audio_is_scored_on_its_faces_and_says_so(factory, tmp_path, detector):
    clip = factory.write_video(
        tmp_path, "mp4", frames=moving_faces(factory, 2.0, [(100, 60, 200, 0)]), fps=FPS, width=WIDTH, height=HEIGHT
    )
    report = detector.score(clip)
    assert "no_audio" in {w.code for w in report.warnings}
    assert report.voice_score is None and report.speech_segments == []
    assert report.score == report.face_score is not None
    assert all(e.voice_score is None for e in report.timeline)
    assert [m.task for m in report.models] == ["face"]


def test_silence_on_the_audio_track_is_no_speech(factory, tmp_path, detector):
    frames = moving_faces(factory, 2.0, [(100, 60, 200, 0)])
    silence = np.zeros((2 * 44100, 2), np.float32)
    clip = factory.write_video(
        tmp_path, "mp4", frames=frames, fps=FPS, width=WIDTH, height=HEIGHT, audio_samples=silence
    )
    report = detector.score(clip)
    assert "no_speech" in {w.code for w in report.warnings}
    assert report.voice_score is None and report.score == report.face_score


def test_a_clip_without_faces_is_scored_on_its_voice(factory, tmp_path, detector):
    clip = factory.write_video(tmp_path, "mp4", seconds=2.0, fps=FPS, width=WIDTH, height=HEIGHT, audio=True)
    report = detector.score(clip)
    assert "no_face" in {w.code for w in report.warnings}
    assert report.face_tracks == [] and report.face_score is None
    assert report.score == report.voice_score is not None


def test_rotation_metadata_is_honoured(factory, tmp_path, detector):
    upright = [factory.face_scene(HEIGHT, WIDTH, [(70, 140, 210)]) for _ in range(20)]  # portrait, 360x480
    stored = [np.ascontiguousarray(np.rot90(f, k=-1)) for f in upright]  # what a phone writes with rotation 90
    clip = factory.write_video(tmp_path, "mp4", frames=stored, fps=FPS, width=WIDTH, height=HEIGHT, rotation=90)
    report = detector.score(clip)
    assert len(report.face_tracks) == 1, "the face is only upright once the rotation is applied"
    box = report.face_tracks[0].points[0].box
    assert box.x1 <= HEIGHT + 1 and box.y1 <= WIDTH + 1
    assert box.y0 > 140, "boxes are in the upright frame's pixels"


def test_heatmaps_mark_the_worst_face_of_each_track(detector, one_face_clip):
    report = detector.score(one_face_clip, heatmaps=True)
    marked = [f for f in report.faces if f.heatmap_png]
    assert len(marked) == 1
    assert marked[0].score == pytest.approx(max(f.score for f in report.faces))


def test_a_clip_over_the_duration_limit_is_refused_before_decoding(weights, one_face_clip):
    detector = Detector.load(face_model=str(weights), video=VideoConfig(max_duration_s=2.0))
    with pytest.raises(MediaTooLarge) as err:
        detector.score(one_face_clip)
    assert (
        err.value.limit == "max_video_s" and "one.mp4" in str(err.value) and "FAKEGUARD_MAX_VIDEO_S" in str(err.value)
    )


def test_max_samples_thins_out_long_clips(weights, one_face_clip):
    detector = Detector.load(face_model=str(weights), video=VideoConfig(fps=4.0, max_samples=3))
    report = detector.score(one_face_clip)
    assert len(report.faces) == 3
    assert sum(e.face_score is not None for e in report.timeline) == 3


def test_a_truncated_video_is_a_clear_error(detector, one_face_clip, tmp_path):
    broken = tmp_path / "broken.mp4"
    broken.write_bytes(one_face_clip.read_bytes()[:2000])
    with pytest.raises(CorruptMedia) as err:
        detector.score(broken)
    assert "broken.mp4" in str(err.value)


def test_sampling_plans():
    assert VideoConfig(fps=2.0).sampling(10.0) == (2.0, 0.0, 180)
    fps, start, cap = VideoConfig(fps=1.0, max_samples=60).sampling(600.0)
    assert fps == pytest.approx(0.1) and start == 0.0 and cap == 60
    fps, start, cap = VideoConfig(num_frames=8).sampling(4.0)
    assert fps == 2.0 and start == 0.25 and cap == 8
    assert VideoConfig(fps=3.0).sampling(None) == (3.0, 0.0, 180)
    with pytest.raises(ValueError):
        VideoConfig(fps=0)


def _face(t: float, score: float, track: int = 1) -> FaceResult:
    return FaceResult(box=Box(0, 0, 10, 10), score=score, time_s=t, track_id=track)


def test_timeline_takes_the_highest_face_and_the_voice_of_each_second():
    faces = [_face(0.0, 0.2), _face(0.5, 0.6), _face(2.2, 0.9)]
    voice = [TimelineEntry(0.0, 1.0, voice_score=0.1), TimelineEntry(1.0, 2.0, voice_score=0.7)]
    timeline = merge_timeline(2.5, faces, voice)
    assert [(e.start_s, e.end_s) for e in timeline] == [(0.0, 1.0), (1.0, 2.0), (2.0, 2.5)]
    assert [e.face_score for e in timeline] == [0.6, None, 0.9]
    assert [e.voice_score for e in timeline] == [0.1, 0.7, None]


def test_track_reasons_name_the_flagged_tracks_strongest_first():
    tracks = [FaceTrack(1, 0.0, 9.0, 0.2), FaceTrack(2, 3.0, 12.4, 0.95), FaceTrack(3, 1.0, 2.0, 0.8)]
    result = VideoFaceResult([], tracks, {}, [], [], 1.0, 0.95)
    assert track_reasons(result, VerdictThresholds()) == [
        "face track 2 (3-12 s) likely manipulated (score 0.95)",
        "face track 3 (1-2 s) likely manipulated (score 0.80)",
    ]
    calm = VideoFaceResult([], tracks[:1], {}, [], [], -2.0, 0.2)
    assert track_reasons(calm, VerdictThresholds()) == [
        "1 face track(s), highest score 0.20: no manipulated face found"
    ]


def test_cli_scores_a_video(weights, one_face_clip):
    result = CliRunner().invoke(
        cli, ["score", str(one_face_clip), "--json", "--face-model", str(weights), "--video-fps", "1"]
    )
    assert result.exit_code == 0, result.output
    report = json.loads(result.output.splitlines()[-1])
    assert report["ok"] and report["kind"] == "video"
    assert len(report["faces"]) == 4 and report["face_tracks"][0]["track_id"] == 1
    assert math.isclose(report["score"], max(report["face_score"], report["voice_score"]))


def test_a_real_talking_head_clip_from_the_shared_data(tmp_path, factory):
    """Real video frames and real speech through the shipped models: one track over the clip, speech scored."""
    import csv

    import cv2
    import soundfile as sf

    from fakeguard.datasets.shared import default_data_root

    root = default_data_root()
    faces_dir, speech_dir = root / "faces" / "talking_head_frames", root / "speech" / "coqui_ljspeech"
    if not (faces_dir / "manifest.csv").is_file() or not (speech_dir / "manifest.csv").is_file():
        pytest.skip(f"the shared data is not at {root} (set FAKEGUARD_DATA): this check needs real frames and speech")
    with open(faces_dir / "manifest.csv", newline="") as fh:
        paths = [faces_dir / r["relpath"] for r in csv.DictReader(fh)][:2]
    with open(speech_dir / "manifest.csv", newline="") as fh:
        speech_path = speech_dir / next(csv.DictReader(fh))["relpath"]
    frames = []
    for i in range(30):  # 3 s at 10 fps: the first frame, then the second, sliding right
        face = cv2.cvtColor(cv2.imread(str(paths[i // 15])), cv2.COLOR_BGR2RGB)
        face = cv2.resize(face, (300, 300), interpolation=cv2.INTER_AREA)
        frame = np.full((360, 640, 3), 60, np.uint8)
        frame[30:330, 100 + 3 * i : 400 + 3 * i] = face
        frames.append(frame)
    speech, rate = sf.read(speech_path, dtype="float32", always_2d=True)
    speech = speech.mean(axis=1)
    speech = np.interp(np.arange(3 * 44100) * rate / 44100, np.arange(len(speech)), speech, right=0.0)
    clip = factory.write_video(
        tmp_path, "mp4", frames=frames, fps=FPS, width=640, height=360,
        audio_samples=np.stack([speech, speech], axis=1).astype(np.float32),
    )  # fmt: skip
    report = Detector.load().score(clip)
    assert len(report.face_tracks) == 1 and len(report.face_tracks[0].points) == 3
    assert report.voice_score is not None and any(s.speech for s in report.speech_segments)
    assert report.score == pytest.approx(max(report.face_score, report.voice_score))
    assert {m.task for m in report.models} == {"face", "voice"}
