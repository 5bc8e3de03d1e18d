"""The faces of a video: sampled frames, face tracks, and the face part of the video's score.

Stages (and their timing names): ``decode_frames`` (PyAV in a background
thread, a few frames ahead, non-reference frames skipped), ``detect_faces``
(dlib: a full-frame search every ``full_detect_every_s`` and whenever a
tracked face is lost, otherwise a search around each tracked face only;
landmarks and crops), ``classify_faces`` (the face model, in batches that
mix frames), ``heatmaps`` (Grad-CAM of each track's most suspicious frame, on
request), ``identity_faces`` (with a watchlist that holds faces: a few face chips per
track cut while the frames are in memory, embedded and matched once per track;
see :mod:`~fakeguard.detectors.pipelines.impersonation`).

Aggregation, from frames to the video:

* a **track's** logit is the mean of its top quarter of frame logits (at
  least one frame), the rule the voice detector uses for windows: a face
  swap that fails only when the head turns shows in those frames, and one
  odd frame of a real face is outvoted;
* the **video's** face logit is the highest track logit among tracks seen
  in at least ``min_track_frames`` samples (all tracks when none is):
  one swapped face among several real ones makes the clip a forgery, while
  a face glimpsed in one frame (often a detector false alarm) does not
  decide the verdict alone.

The face model's calibration, fitted on single faces, is applied to frame,
track and video logits alike.

The same function serves the video pipeline and video-level evaluation
(:mod:`fakeguard.detectors.training.video_eval`), where ``num_frames``
samples a fixed number of frames per clip as the published protocols do.
"""

from __future__ import annotations

import math
import os
import time
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING

import numpy as np

from ..errors import MediaTooLarge
from ..faces import DetectorConfig, FaceDetector, FaceTracker, TrackerConfig
from ..faces.extract import extract_faces
from ..intake import IntakeLimits, MediaSource, Sniffed, sample_frames
from ..report import Box, FaceResult, FaceTrack, ReportWarning, TrackPoint
from .face import LOW_RESOLUTION_EYE_PX, FaceForgeryDetector
from .impersonation import TrackSampler, with_track_identities
from .prefetch import Prefetcher
from .voice import aggregate_logits

if TYPE_CHECKING:
    from ..identity.matcher import WatchlistSnapshot


def _env_float(name: str, default: float) -> float:
    return float(os.environ.get(name, default))


@dataclass(frozen=True)
class VideoConfig:
    """How a video is sampled and its faces followed.

    Attributes:
        fps: samples per second of clip time.
        max_samples: a long clip is sampled more sparsely so that it yields at
            most this many frames (a 10 min clip at the defaults: one frame
            every 3.3 s), which bounds the cost of any clip.
        num_frames: sample exactly this many frames, evenly spread over the
            clip (evaluation protocols); overrides ``fps`` and ``max_samples``.
        max_duration_s: longer clips are refused with a clear error
            (``FAKEGUARD_MAX_VIDEO_S``; 30 min by default).
        decode_max_side: frames are converted to RGB at most this large
            (boxes are still reported in the video's own pixels).
        detect_side: full-frame face detection runs at this longer side
            (faces narrower than about 1/8 of it are missed).
        full_detect_every_s: how often the whole frame is searched for new faces.
        min_track_frames: tracks seen in fewer samples do not decide the verdict
            unless no track is longer.
        batch_size: face crops per model call.
        prefetch_frames: frames decoded ahead of the face stages.
        tracker: when detections are linked into one track.
    """

    fps: float = 1.0
    max_samples: int = 180
    num_frames: int | None = None
    max_duration_s: float = field(default_factory=lambda: _env_float("FAKEGUARD_MAX_VIDEO_S", 1800.0))
    decode_max_side: int = 1280
    detect_side: int = 640
    full_detect_every_s: float = 2.0
    min_track_frames: int = 2
    batch_size: int = 16
    prefetch_frames: int = 4
    tracker: TrackerConfig = field(default_factory=TrackerConfig)

    def __post_init__(self) -> None:
        if self.fps <= 0 or self.max_samples < 1 or self.max_duration_s <= 0:
            raise ValueError(f"fps, max_samples and max_duration_s must be positive: {self}")
        if self.num_frames is not None and self.num_frames < 1:
            raise ValueError(f"num_frames must be at least 1, got {self.num_frames}")

    def sampling(self, duration_s: float | None) -> tuple[float, float, int]:
        """``(fps, start_s, max_frames)`` for a clip of this length (None when the container does not say)."""
        if self.num_frames is not None:
            if not duration_s:
                return self.fps, 0.0, self.num_frames
            fps = self.num_frames / duration_s
            return fps, 0.5 / fps, self.num_frames  # the middle of each of num_frames equal parts
        fps = min(self.fps, self.max_samples / duration_s) if duration_s else self.fps
        return fps, 0.0, self.max_samples


def check_video_duration(src: MediaSource, duration_s: float | None, config: VideoConfig) -> None:
    """Refuse clips longer than ``config.max_duration_s`` (a clear error naming the limit)."""
    if duration_s is not None and duration_s > config.max_duration_s:
        raise MediaTooLarge(
            src.name,
            f"the video lasts {duration_s:.0f} s, over the {config.max_duration_s:.0f} s limit for scoring videos "
            "(FAKEGUARD_MAX_VIDEO_S)",
            limit="max_video_s",
            value=duration_s,
            maximum=config.max_duration_s,
        )


@dataclass
class _Sighting:
    """One face in one sampled frame, while the video is being read."""

    frame: int
    time_s: float
    box: tuple[float, float, float, float]
    detection_confidence: float
    eye_distance: float
    track_id: int
    logit: float = math.nan


@dataclass(frozen=True)
class VideoFaceResult:
    """The faces of one video.

    Attributes:
        faces: every sampled face (time, track, box in the video's pixels, calibrated score);
            each track's most suspicious face carries the heatmap when one was asked for.
        tracks: per-track span, box path and calibrated score.
        track_logits: raw logit of each track, by track id.
        frame_times: the time of every sampled frame.
        frame_logits: the highest face logit of each sampled frame (None without a face).
        face_logit: the video's face logit (see the module docstring); None without faces.
        face_score: its calibrated probability.
        warnings: no face, small faces.
        seconds: time per stage.
    """

    faces: list[FaceResult]
    tracks: list[FaceTrack]
    track_logits: dict[int, float]
    frame_times: list[float]
    frame_logits: list[float | None]
    face_logit: float | None
    face_score: float | None
    warnings: list[ReportWarning] = field(default_factory=list)
    seconds: dict[str, float] = field(default_factory=dict)

    @property
    def worst_track(self) -> FaceTrack | None:
        """The track with the highest score."""
        return max(self.tracks, key=lambda t: t.score, default=None)


def _box(values: tuple[float, float, float, float], scale: float) -> Box:
    return Box(*(round(v * scale, 1) for v in values))


def score_video_faces(
    src: MediaSource,
    sniffed: Sniffed,
    detector: FaceForgeryDetector,
    limits: IntakeLimits,
    config: VideoConfig,
    duration_s: float | None,
    stored_side: int | None = None,
    heatmaps: bool = False,
    watchlist: WatchlistSnapshot | None = None,
) -> VideoFaceResult:
    """Sample, track and score the faces of a video.

    Args:
        src, sniffed: the video and what the sniffer found.
        detector: the face-forgery detector (its model, calibration and crop settings).
        limits: intake limits.
        config: sampling and tracking.
        duration_s: the clip's declared length (None when unknown).
        stored_side: the longer side of the video's frames as stored, so that boxes
            are reported in its pixels even when frames were decoded smaller.
        heatmaps: Grad-CAM overlay of each track's most suspicious face.
        watchlist: match each face track against it (nothing is embedded when no face is enrolled).
    """
    fps, start_s, max_frames = config.sampling(duration_s)
    face_detector = FaceDetector(DetectorConfig(detect_max_side=config.detect_side))
    tracker = FaceTracker(config.tracker)
    sightings: list[_Sighting] = []
    pending: list[tuple[int, np.ndarray]] = []
    worst_crop: dict[int, tuple[float, int, np.ndarray]] = {}
    frame_times: list[float] = []
    seconds = {"decode_frames": 0.0, "detect_faces": 0.0, "classify_faces": 0.0}
    scale = 1.0
    sampler = TrackSampler(watchlist) if watchlist is not None and watchlist.checks_faces else None

    def classify_pending() -> None:
        if not pending:
            return
        t0 = time.perf_counter()
        logits = detector.crop_logits([crop for _, crop in pending], config.batch_size)
        for (index, crop), logit in zip(pending, logits):
            sighting = sightings[index]
            sighting.logit = float(logit)
            best = worst_crop.get(sighting.track_id)
            if heatmaps and (best is None or logit > best[0]):
                worst_crop[sighting.track_id] = (float(logit), index, crop)
        pending.clear()
        seconds["classify_faces"] += time.perf_counter() - t0

    frames = sample_frames(
        src,
        fps=fps,
        limits=limits,
        max_frames=max_frames,
        start_s=start_s,
        max_side=config.decode_max_side,
        sniffed=sniffed,
        skip_nonreference=True,
    )
    last_full = -math.inf
    with Prefetcher(frames, depth=config.prefetch_frames) as prefetched:
        for frame in prefetched:
            check_video_duration(src, frame.time_s, config)  # clips whose container hides their length
            t0 = time.perf_counter()
            if stored_side:
                scale = stored_side / max(frame.pixels.shape[:2])
            near = [t.last_box for t in tracker.open_tracks(frame.time_s)]
            full = not near or frame.time_s - last_full >= config.full_detect_every_s
            found = extract_faces(frame.pixels, face_detector, detector.size, detector.margin, None if full else near)
            if not full and not found:  # every tracked face lost: a cut, or a face left the frame
                found = extract_faces(frame.pixels, face_detector, detector.size, detector.margin)
                full = True
            if full:
                last_full = frame.time_s
            track_ids = tracker.update(frame.time_s, [f.face.box for f in found])
            for face, track_id in zip(found, track_ids):
                if sampler is not None:
                    sampler.offer(track_id, frame.pixels, face.face)
                pending.append((len(sightings), face.crop.image))
                sightings.append(
                    _Sighting(
                        len(frame_times), frame.time_s, face.face.box, face.face.score, face.face.eye_distance, track_id
                    )
                )
            frame_times.append(frame.time_s)
            seconds["detect_faces"] += time.perf_counter() - t0
            if len(pending) >= config.batch_size:
                classify_pending()
        classify_pending()
        seconds["decode_frames"] = prefetched.busy_s
    result = _summarise(detector, config, sightings, frame_times, worst_crop, scale, seconds)
    if sampler is None:
        return result
    identities = sampler.identities()
    seconds["identity_faces"] = sampler.seconds  # chips are cut in the frame loop: this is also in detect_faces
    return replace(result, tracks=with_track_identities(result.tracks, identities))


def _summarise(
    detector: FaceForgeryDetector,
    config: VideoConfig,
    sightings: list[_Sighting],
    frame_times: list[float],
    worst_crop: dict[int, tuple[float, int, np.ndarray]],
    scale: float,
    seconds: dict[str, float],
) -> VideoFaceResult:
    """Per-face, per-track and per-video results from the sightings (see the module docstring)."""
    calibrate = detector.calibration.apply
    logits = np.array([s.logit for s in sightings], dtype=np.float64)
    probs = calibrate(logits) if logits.size else logits
    overlays: dict[int, str] = {}
    if worst_crop:
        t0 = time.perf_counter()
        picks = sorted(worst_crop.values(), key=lambda item: item[1])
        maps = detector.heatmaps([crop for _, _, crop in picks], [float(probs[index]) for _, index, _ in picks])
        overlays = {index: overlay for (_, index, _), overlay in zip(picks, maps)}
        seconds["heatmaps"] = time.perf_counter() - t0
    faces = [
        FaceResult(
            box=_box(s.box, scale),
            score=float(p),
            detection_confidence=round(s.detection_confidence, 3),
            time_s=round(s.time_s, 3),
            track_id=s.track_id,
            heatmap_png=overlays.get(i),
        )
        for i, (s, p) in enumerate(zip(sightings, probs))
    ]
    by_track: dict[int, list[int]] = {}
    for i, s in enumerate(sightings):
        by_track.setdefault(s.track_id, []).append(i)
    track_logits = {tid: aggregate_logits(logits[idx]) for tid, idx in by_track.items()}
    tracks = [
        FaceTrack(
            track_id=tid,
            start_s=round(sightings[idx[0]].time_s, 3),
            end_s=round(sightings[idx[-1]].time_s, 3),
            score=float(calibrate([track_logits[tid]])[0]),
            points=[TrackPoint(faces[i].time_s or 0.0, faces[i].box, faces[i].score) for i in idx],
        )
        for tid, idx in sorted(by_track.items())
    ]
    steady = [tid for tid, idx in by_track.items() if len(idx) >= config.min_track_frames] or list(by_track)
    face_logit = max((track_logits[tid] for tid in steady), default=None)
    face_score = float(calibrate([face_logit])[0]) if face_logit is not None else None
    frame_logits: list[float | None] = [None] * len(frame_times)
    for s in sightings:
        current = frame_logits[s.frame]
        frame_logits[s.frame] = s.logit if current is None else max(current, s.logit)
    warnings = []
    if not sightings:
        warnings.append(ReportWarning("no_face", f"no face found in {len(frame_times)} sampled frames"))
    small = {s.track_id for s in sightings if s.eye_distance < LOW_RESOLUTION_EYE_PX}
    if small:
        warnings.append(
            ReportWarning(
                "low_resolution",
                f"{len(small)} face track(s) with faces smaller than {LOW_RESOLUTION_EYE_PX:.0f} px between the eyes: "
                "their scores are less reliable",
            )
        )
    return VideoFaceResult(
        faces, tracks, track_logits, frame_times, frame_logits, face_logit, face_score, warnings, seconds
    )
