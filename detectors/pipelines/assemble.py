"""The one place where a pipeline's findings become a :class:`~fakeguard.detectors.report.Report`.

Image, audio and video pipelines differ in what they find, not in how a
report is put together: the verdict comes from the score and the thresholds,
the file facts from intake, the version from the package. Keeping those lines
here means a new report field is filled the same way for every kind.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from .. import __version__
from ..intake import MediaInfo, MediaSource
from ..report import ModelInfo, Report, ReportWarning, StageTiming, VerdictThresholds


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
        parts: the remaining :class:`Report` fields (``faces``, ``timeline``, ``face_score``...).
    """
    return Report(
        file=src.name,
        sha256=info.sha256,
        kind=info.kind,
        verdict=thresholds.verdict(score),
        score=score,
        reasons=reasons,
        media=info,
        models=[m for m in models if m is not None],
        timings=[StageTiming(stage, round(seconds, 6)) for stage, seconds in timings.items()],
        warnings=warnings,
        thresholds=thresholds,
        fakeguard_version=__version__,
        **parts,
    )
