"""The one place where a pipeline's findings become a :class:`~fakeguard.detectors.report.Report`.

Image, audio and video pipelines differ in what they find, not in how a
report is put together: the verdict comes from the score and the thresholds
(and from a trusted signed declaration of AI generation, see
:mod:`fakeguard.detectors.provenance.verdict`), impersonation alerts from the
watchlist matches and the scores of the same faces and voices (see
:mod:`~fakeguard.detectors.pipelines.impersonation`), the file facts from
intake, the version from the package. Keeping those lines
here means a new report field is filled the same way for every kind.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from .. import __version__
from ..intake import MediaInfo, MediaSource
from ..provenance import ProvenanceReading
from ..provenance.verdict import provenance_effect
from ..report import ModelInfo, Report, ReportWarning, StageTiming, Verdict, VerdictThresholds, WatchlistCheck
from .impersonation import impersonation_alerts


def build_report(
    src: MediaSource,
    info: MediaInfo,
    thresholds: VerdictThresholds,
    *,
    score: float | None,
    reasons: list[str],
    models: Iterable[ModelInfo | None],
    timings: dict[str, float],
    warnings: list[ReportWarning],
    provenance: ProvenanceReading | None = None,
    watchlist: WatchlistCheck | None = None,
    **parts: Any,
) -> Report:
    """A report for ``src``.

    Args:
        src, info: the file and what intake found out about it.
        thresholds: where ``score`` becomes a verdict.
        score: the file's calibrated score (None when nothing could be scored).
        reasons: the evidence in words, strongest first.
        models: the models used (None entries, for untracked weights, are left out).
        timings: seconds per stage, in the order the stages ran.
        warnings: everything the reader should know.
        provenance: what the file declares about its origin. A trusted signed declaration
            of AI generation makes the verdict ``fake`` and leads the reasons; other AI
            claims follow the classifiers' reasons as evidence; the score is never changed
            (:mod:`fakeguard.detectors.provenance.verdict`). Its time is the ``provenance`` stage.
        watchlist: the watchlist the faces and voices were matched against (None: none). An
            impersonation alert, a protected person's face or voice scored at or over
            ``thresholds.fake_at``, goes first in the reasons; score and verdict stay as they are.
        parts: the remaining :class:`Report` fields (``faces``, ``timeline``, ``face_score``...).
    """
    verdict = thresholds.verdict(score)
    if provenance is not None:
        effect = provenance_effect(provenance)
        verdict = Verdict.FAKE if effect.force_fake else verdict
        reasons = effect.leading_reasons + reasons + effect.evidence
        warnings = warnings + [ReportWarning(code, message) for code, message in effect.warnings]
        timings = {**timings, "provenance": timings.get("provenance", provenance.seconds)}
    alerts = impersonation_alerts(
        thresholds,
        faces=parts.get("faces", ()),
        face_tracks=parts.get("face_tracks", ()),
        speech_segments=parts.get("speech_segments", ()),
    )
    reasons = [a.message for a in alerts] + reasons
    return Report(
        file=src.name,
        sha256=info.sha256,
        kind=info.kind,
        verdict=verdict,
        score=score,
        reasons=reasons,
        media=info,
        models=[m for m in models if m is not None],
        timings=[StageTiming(stage, round(seconds, 6)) for stage, seconds in timings.items()],
        warnings=warnings,
        thresholds=thresholds,
        provenance=provenance.provenance if provenance is not None else None,
        alerts=alerts,
        watchlist=watchlist,
        fakeguard_version=__version__,
        **parts,
    )
