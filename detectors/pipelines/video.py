"""Video files to reports: faces and voice scored together, a timeline, one verdict.

The audio track is decoded and scored in a second thread while the frames
are (:func:`~fakeguard.detectors.pipelines.audio.analyse_voice`, the audio
pipeline's own function), so on two cores the voice costs almost nothing
extra. Stages run concurrently, so the per-stage timings can add up to more
than ``total``.

Fusion: the video's score is the higher of the face score (see
:mod:`~fakeguard.detectors.pipelines.video_faces`) and the voice score. A
scam clip needs only one forged half, a swapped face over a real voice or a
cloned voice over real footage, so either one alone must be able to make the
verdict. The price is that the false alarms of the two detectors add up;
the reasons say which half raised the score, and both parts are in the
report (``face_score``, ``voice_score``).

Timeline: one entry per second of the clip, with the highest face score
sampled in that second and the highest voice score of the speech windows
overlapping it (None where nothing was sampled or spoken).
"""

from __future__ import annotations

import math
import time
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING

from ..errors import MediaError
from ..intake import IntakeLimits, MediaSource, Sniffed
from ..intake.video import probe_video
from ..provenance import ProvenanceConfig, read_provenance
from ..report import FaceResult, Report, ReportWarning, TimelineEntry, VerdictThresholds
from .assemble import build_report
from .audio import analyse_voice, voice_reasons, voice_timeline
from .face import FaceForgeryDetector
from .impersonation import watchlist_check
from .video_faces import VideoConfig, VideoFaceResult, check_video_duration, score_video_faces
from .voice import VoiceDetector

if TYPE_CHECKING:
    from ..identity.matcher import WatchlistSnapshot


def merge_timeline(
    duration_s: float, faces: list[FaceResult], voice_entries: list[TimelineEntry]
) -> list[TimelineEntry]:
    """Per-second face and voice scores over ``duration_s`` (see the module docstring)."""
    seconds = max(1, int(math.ceil(duration_s)))
    face_max: list[float | None] = [None] * seconds
    for face in faces:
        if face.time_s is None:
            continue
        i = min(int(face.time_s), seconds - 1)
        face_max[i] = face.score if face_max[i] is None else max(face_max[i], face.score)
    voice_at = {int(e.start_s): e.voice_score for e in voice_entries}
    return [
        TimelineEntry(
            start_s=float(i),
            end_s=round(min(i + 1.0, duration_s), 3) if duration_s > i else float(i + 1),
            face_score=face_max[i],
            voice_score=voice_at.get(i),
        )
        for i in range(seconds)
    ]


def track_reasons(faces: VideoFaceResult, thresholds: VerdictThresholds) -> list[str]:
    """Sentences naming the face tracks behind the verdict ("face track 2 (4-31 s) likely manipulated")."""
    if faces.face_score is None:
        return []
    flagged = sorted((t for t in faces.tracks if t.score >= thresholds.fake_at), key=lambda t: -t.score)
    if flagged:
        return [
            f"face track {t.track_id} ({t.start_s:.0f}-{t.end_s:.0f} s) likely manipulated (score {t.score:.2f})"
            for t in flagged
        ]
    word = "no manipulated face found" if faces.face_score < thresholds.real_below else "inconclusive"
    return [f"{len(faces.tracks)} face track(s), highest score {faces.face_score:.2f}: {word}"]


def _fused(face_score: float | None, voice_score: float | None) -> float | None:
    present = [s for s in (face_score, voice_score) if s is not None]
    return max(present) if present else None


def score_video(
    src: MediaSource,
    sniffed: Sniffed,
    face: FaceForgeryDetector,
    voice: VoiceDetector,
    limits: IntakeLimits | None = None,
    thresholds: VerdictThresholds | None = None,
    config: VideoConfig | None = None,
    heatmaps: bool = False,
    provenance_config: ProvenanceConfig | None = None,
    watchlist: WatchlistSnapshot | None = None,
) -> Report:
    """Score a video file's faces and voice and build its report.

    A clip without an audio track, or whose audio cannot be decoded, is scored
    on its faces with a warning saying so; one without faces, on its voice.
    Its content credentials and XMP are read while the audio thread runs
    (``provenance_config``: trust anchors, default from the environment).
    With a ``watchlist``, face tracks and speech windows are matched against it.

    Raises:
        MediaError: the video stream cannot be read, or the clip is over a limit.
    """
    limits = limits or IntakeLimits()
    thresholds = thresholds or VerdictThresholds()
    config = config or VideoConfig()
    t_start = time.perf_counter()
    info = probe_video(src, sniffed, limits, verify=False)
    check_video_duration(src, info.duration_s, config)
    timings = {"probe": time.perf_counter() - t_start}
    warnings: list[ReportWarning] = []
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="fakeguard-audio") as pool:
        voice_job = (
            pool.submit(analyse_voice, src, sniffed, voice, limits, "decode_audio", watchlist)
            if info.has_audio
            else None
        )
        stored_side = max(info.width or 0, info.height or 0) or None
        faces = score_video_faces(
            src, sniffed, face, limits, config, info.duration_s, stored_side, heatmaps, watchlist=watchlist
        )
        provenance = read_provenance(src, sniffed, config=provenance_config, limits=limits)
        analysis = None
        if voice_job is None:
            warnings.append(ReportWarning("no_audio", "the video has no audio track: only its faces were scored"))
        else:
            try:
                analysis = voice_job.result()
            except MediaError as exc:
                warnings.append(
                    ReportWarning("decode", f"the audio track cannot be read ({exc.reason}): only faces were scored")
                )
    timings.update(faces.seconds)
    timings["provenance"] = provenance.seconds
    warnings += faces.warnings
    voice_result = analysis.result if analysis else None
    voice_score = voice_result.file_score if voice_result else None
    duration = info.duration_s or max(faces.frame_times, default=0.0)
    voice_entries: list[TimelineEntry] = []
    voice_lines: list[str] = []
    if analysis is not None:
        timings.update(analysis.seconds)
        warnings += analysis.warnings
        if not info.duration_s:  # the container did not say: the longer of what was decoded
            duration = max(duration, analysis.duration_s)
        voice_entries = voice_timeline(analysis.result.segments, analysis.duration_s)
        voice_lines = voice_reasons(analysis.result, thresholds)
    score = _fused(faces.face_score, voice_score)
    face_lines = track_reasons(faces, thresholds)
    # Strongest evidence first: the voice's reasons lead when the voice raised the score.
    voice_first = voice_score is not None and faces.face_score is not None and voice_score > faces.face_score
    reasons = voice_lines + face_lines if voice_first else face_lines + voice_lines
    timings["total"] = time.perf_counter() - t_start
    return build_report(
        src,
        info,
        thresholds,
        score=score,
        face_score=faces.face_score,
        voice_score=voice_score,
        reasons=reasons,
        faces=faces.faces,
        face_tracks=faces.tracks,
        speech_segments=voice_result.segments if voice_result else [],
        timeline=merge_timeline(duration, faces.faces, voice_entries),
        models=[face.model_info, voice.model_info if analysis else None],
        timings=timings,
        warnings=warnings,
        provenance=provenance,
        watchlist=watchlist_check(watchlist),
    )
