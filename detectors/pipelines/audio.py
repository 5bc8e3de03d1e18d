"""Audio files to reports: decode, find speech, score windows, fuse, explain.

Stages and their timing names: ``decode`` (PyAV to 16 kHz mono),
``vad_normalize`` (activity, trimming, loudness), ``classify_voice`` (the
model, one trunk pass per file), ``provenance`` (content credentials and XMP,
see :mod:`fakeguard.detectors.provenance`). The per-second timeline takes, for each
second, the highest score of the speech windows that cover it.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass

from ..intake import IntakeLimits, MediaSource, Sniffed, load_audio
from ..intake.audio import probe_audio
from ..provenance import ProvenanceConfig, read_provenance
from ..report import Report, ReportWarning, SpeechSegment, TimelineEntry, VerdictThresholds
from .assemble import build_report
from .voice import VoiceDetector, VoiceResult


@dataclass(frozen=True)
class VoiceAnalysis:
    """The voice detector's findings on a file's (first) audio track.

    Attributes:
        result: window and file scores.
        duration_s: length of the decoded audio.
        warnings: decoder notes, then the detector's warnings.
        seconds: time per stage (``decode_audio`` or ``decode``, ``vad_normalize``, ``classify_voice``).
    """

    result: VoiceResult
    duration_s: float
    warnings: list[ReportWarning]
    seconds: dict[str, float]


def analyse_voice(
    src: MediaSource, sniffed: Sniffed, detector: VoiceDetector, limits: IntakeLimits, decode_stage: str = "decode"
) -> VoiceAnalysis:
    """Decode the audio track of an audio or video file and score its voice (audio and video share this)."""
    t0 = time.perf_counter()
    decoded = load_audio(src, sample_rate=detector.sample_rate, limits=limits, sniffed=sniffed)
    t1 = time.perf_counter()
    result = detector.score_waveform(decoded.samples, decoded.sample_rate)
    warnings = [ReportWarning("decode", w) for w in decoded.warnings] + list(result.warnings)
    return VoiceAnalysis(result, decoded.duration_s, warnings, {decode_stage: t1 - t0, **result.seconds})


def voice_timeline(segments: list[SpeechSegment], duration_s: float) -> list[TimelineEntry]:
    """Per-second voice scores: the maximum over the scored windows overlapping each second."""
    entries = []
    for second in range(int(math.ceil(duration_s))):
        start, end = float(second), min(float(second + 1), duration_s)
        scores = [s.score for s in segments if s.score is not None and s.start_s < end and s.end_s > start]
        entries.append(TimelineEntry(start_s=start, end_s=round(end, 3), voice_score=max(scores) if scores else None))
    return entries


def voice_reasons(result: VoiceResult, thresholds: VerdictThresholds) -> list[str]:
    """Sentences naming the windows that drive a fake verdict ("voice segment 12-16 s likely synthetic")."""
    if result.file_score is None:
        return []
    flagged = [s for s in result.segments if s.score is not None and s.score >= thresholds.fake_at]
    if not flagged:
        if result.file_score < thresholds.real_below:
            return [f"voice scored {result.file_score:.2f}: no synthetic segment found"]
        return [f"voice scored {result.file_score:.2f}: inconclusive"]
    merged: list[list[float]] = []
    for seg in flagged:
        if merged and seg.start_s <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], seg.end_s)
            merged[-1][2] = max(merged[-1][2], seg.score)
        else:
            merged.append([seg.start_s, seg.end_s, seg.score])
    return [
        f"voice segment {a:.0f}-{b:.0f} s likely synthetic (score {p:.2f})"
        for a, b, p in sorted(merged, key=lambda m: -m[2])
    ]


def score_audio(
    src: MediaSource,
    sniffed: Sniffed,
    detector: VoiceDetector,
    limits: IntakeLimits | None = None,
    thresholds: VerdictThresholds | None = None,
    provenance_config: ProvenanceConfig | None = None,
) -> Report:
    """Score an audio file and build its report.

    ``sniffed`` is what :func:`fakeguard.detectors.intake.identify` found, so the
    bytes are not sniffed and the container not resolved a second time.
    ``provenance_config`` sets the C2PA trust anchors (default: from the environment).
    """
    limits = limits or IntakeLimits()
    thresholds = thresholds or VerdictThresholds()
    t0 = time.perf_counter()
    info = probe_audio(src, sniffed, limits, verify=False)
    probe_s = time.perf_counter() - t0
    voice = analyse_voice(src, sniffed, detector, limits)
    voice.seconds["decode"] += probe_s
    provenance = read_provenance(src, sniffed, config=provenance_config, limits=limits)
    result = voice.result
    return build_report(
        src,
        info,
        thresholds,
        score=result.file_score,
        voice_score=result.file_score,
        reasons=voice_reasons(result, thresholds),
        speech_segments=result.segments,
        timeline=voice_timeline(result.segments, voice.duration_s),
        models=[detector.model_info],
        timings={**voice.seconds, "provenance": provenance.seconds},
        warnings=voice.warnings,
        provenance=provenance,
    )
