"""Audio files to reports: decode, find speech, score windows, fuse, explain.

Stages and their timing names: ``decode`` (PyAV to 16 kHz mono),
``vad_normalize`` (activity, trimming, loudness), ``classify_voice`` (the
model, one trunk pass per file), ``provenance`` (content credentials and XMP,
see :mod:`fakeguard.detectors.provenance`), ``identity_voice`` (with a watchlist
that holds voices: each speech window's speaker embedding and match, see
:mod:`~fakeguard.detectors.pipelines.impersonation`). The per-second timeline
takes, for each second, the highest score of the speech windows that cover it.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from ..intake import IntakeLimits, MediaSource, Sniffed, load_audio
from ..intake.audio import probe_audio
from ..provenance import ProvenanceConfig, read_provenance
from ..report import Report, ReportWarning, SpeechSegment, TimelineEntry, VerdictThresholds
from .assemble import build_report
from .impersonation import match_segments, watchlist_check
from .voice import VoiceDetector, VoiceResult

if TYPE_CHECKING:
    from ..identity.matcher import WatchlistSnapshot

#: The speaker encoder's sample rate (GE2E, :class:`fakeguard.detectors.identity.VoiceEmbedder`).
IDENTITY_SAMPLE_RATE = 16000


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
    src: MediaSource,
    sniffed: Sniffed,
    detector: VoiceDetector,
    limits: IntakeLimits,
    decode_stage: str = "decode",
    watchlist: WatchlistSnapshot | None = None,
) -> VoiceAnalysis:
    """Decode the audio track of an audio or video file and score its voice (audio and video share this).

    With a ``watchlist`` that holds voices, each scored window also gets its identity
    match (the ``identity_voice`` stage); without one nothing is embedded.
    """
    t0 = time.perf_counter()
    decoded = load_audio(src, sample_rate=detector.sample_rate, limits=limits, sniffed=sniffed)
    t1 = time.perf_counter()
    result = detector.score_waveform(decoded.samples, decoded.sample_rate)
    seconds = {decode_stage: t1 - t0, **result.seconds}
    warnings = [ReportWarning("decode", w) for w in decoded.warnings] + list(result.warnings)
    if watchlist is not None and watchlist.checks_voices and result.file_score is not None:
        from ..identity.ge2e import SpeakerEncoderMissing

        t2 = time.perf_counter()
        samples, rate = decoded.samples, decoded.sample_rate
        try:
            if rate != IDENTITY_SAMPLE_RATE:  # a voice model at another rate: decode again for the speaker encoder
                samples = load_audio(src, sample_rate=IDENTITY_SAMPLE_RATE, limits=limits, sniffed=sniffed).samples
                rate = IDENTITY_SAMPLE_RATE
            result = replace(result, segments=match_segments(watchlist, samples, rate, result.segments))
        except SpeakerEncoderMissing as exc:  # an installation problem: the scores stand, say what is missing
            warnings.append(ReportWarning("identity", f"voices were not matched against the watchlist: {exc}"))
        seconds["identity_voice"] = time.perf_counter() - t2
    return VoiceAnalysis(result, decoded.duration_s, warnings, seconds)


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
    watchlist: WatchlistSnapshot | None = None,
) -> Report:
    """Score an audio file and build its report.

    ``sniffed`` is what :func:`fakeguard.detectors.intake.identify` found, so the
    bytes are not sniffed and the container not resolved a second time.
    ``provenance_config`` sets the C2PA trust anchors (default: from the environment).
    ``watchlist``: match each speech window against it (nothing is embedded when no voice is enrolled).
    """
    limits = limits or IntakeLimits()
    thresholds = thresholds or VerdictThresholds()
    t0 = time.perf_counter()
    info = probe_audio(src, sniffed, limits, verify=False)
    probe_s = time.perf_counter() - t0
    voice = analyse_voice(src, sniffed, detector, limits, watchlist=watchlist)
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
        watchlist=watchlist_check(watchlist),
    )
