"""The scan as one HTML page for people: counts, score histograms, the top suspects, the errors.

The page opens offline and alone (mailed, archived, opened on an air-gapped desk): styles are
inline, pictures are ``data:`` URIs, charts are inline SVG, and a Content-Security-Policy forbids
scripts and every fetch. File names come from whoever filled the scanned folders, so every
string goes through Jinja's autoescaping; the policy is the second lock should one slip through.

Memory stays bounded on a million-file scan: the counts and histograms are SQL aggregates
(:meth:`ResultStore.tally`), and only the ``top`` suspects' reports and the first
:data:`MAX_ERROR_ROWS` errors are read.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timezone
from functools import lru_cache
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined, Template
from markupsafe import Markup

from .charts import histogram_svg, timeline_svg
from .previews import Preview, make_preview, report_thresholds
from .store import ResultStore

#: The page's Jinja template, shipped as package data.
TEMPLATE_DIR = Path(__file__).with_name("templates")

HISTOGRAM_BINS = 20

#: The errors table lists at most this many (by path); the CSV or JSON Lines export has them all.
MAX_ERROR_ROWS = 1000

KINDS = ("image", "video", "audio")
VERDICTS = ("fake", "uncertain", "real", "error")


@dataclass(frozen=True)
class Summary:
    """What the whole scan holds, counted per known path.

    Attributes:
        files: paths with a result.
        by_kind: files read as image, video or audio (errors have no kind).
        by_verdict: fake, uncertain, real and error.
        errors_by_code: files that could not be scored, per error code (``corrupt``, ``unsupported``...).
        unscored: files read but with nothing to score (no face, no speech): no score, no error.
        histograms: files per score bin (:data:`HISTOGRAM_BINS` over [0, 1]), under ``all`` and per kind.
    """

    files: int
    by_kind: dict[str, int]
    by_verdict: dict[str, int]
    errors_by_code: dict[str, int]
    unscored: int
    histograms: dict[str, list[int]]


@dataclass(frozen=True)
class Suspect:
    """One of the top-scored files, as the page shows it."""

    rank: int
    path: str
    kind: str
    verdict: str
    score: float | None
    face_score: float | None
    voice_score: float | None
    preview: Preview
    timeline: Markup | None
    reasons: list[str]
    warnings: list[str]
    provenance: str | None = None
    alerts: tuple[str, ...] = ()


def summarise(store: ResultStore, models_key: str, bins: int = HISTOGRAM_BINS) -> Summary:
    """Counts and score histograms of the results for ``models_key``, from SQL aggregates."""
    by_kind: Counter[str] = Counter()
    by_verdict: Counter[str] = Counter()
    errors: Counter[str] = Counter()
    histograms: dict[str, list[int]] = {"all": [0] * bins}
    files = unscored = 0
    for group in store.tally(models_key, bins):
        n, kind = group["n"], group["kind"]
        files += n
        if kind:
            by_kind[kind] += n
        by_verdict[group["verdict"] or "error"] += n
        if group["error_code"]:
            errors[group["error_code"]] += n
        if group["bin"] is None:
            if not group["error_code"]:
                unscored += n
            continue
        histograms["all"][group["bin"]] += n
        histograms.setdefault(kind or "unknown", [0] * bins)[group["bin"]] += n
    return Summary(
        files=files,
        by_kind=_ordered(by_kind, KINDS),
        by_verdict=_ordered(by_verdict, VERDICTS),
        errors_by_code=dict(sorted(errors.items(), key=lambda kv: (-kv[1], kv[0]))),
        unscored=unscored,
        histograms={"all": histograms.pop("all"), **_ordered_histograms(histograms)},
    )


def write_html_report(
    store: ResultStore, models_key: str, target: str | Path, top: int = 50, *, max_errors: int = MAX_ERROR_ROWS
) -> int:
    """Write the scan's results for ``models_key`` as one self-contained HTML file.

    Args:
        store: the scan database.
        models_key: which models' results (see :func:`fakeguard.service.scan.models_key`).
        target: the HTML file to write.
        top: how many of the highest-scored files to show in full, with a preview (a picture with
            the face boxes for images, the most suspicious frame for videos) and a timeline.
            A file that is gone or unreadable keeps its row, marked "no preview".
        max_errors: how many files that could not be scored to list (the counts include all).

    Returns:
        The number of files the report covers (the row count of the other exports).
    """
    summary = summarise(store, models_key)
    suspects = [_suspect(rank, row) for rank, row in enumerate(store.top_scored(models_key, top), start=1)]
    errors = list(store.error_rows(models_key, max_errors))
    html = _template().render(
        generated=datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        database=store.path.name,
        models_key=models_key,
        summary=summary,
        histograms={name: histogram_svg(counts) for name, counts in summary.histograms.items()},
        suspects=suspects,
        errors=errors,
        error_total=summary.by_verdict.get("error", 0),
    )
    # Names that are not valid UTF-8 reach Python as lone surrogates: written escaped, not fatal.
    Path(target).write_text(html, encoding="utf-8", errors="backslashreplace")
    return summary.files


def _suspect(rank: int, row: Mapping[str, Any]) -> Suspect:
    report = row.get("report") or {}
    timeline = [e for e in report.get("timeline") or [] if isinstance(e, Mapping)]
    thresholds = report_thresholds(report)
    # Impersonation alerts lead the evidence, marked; their messages also lead the reasons, shown once.
    alerts = [str(a.get("message", "")) for a in report.get("alerts") or [] if isinstance(a, Mapping)]
    return Suspect(
        rank=rank,
        path=str(row["path"]),
        kind=str(row.get("kind") or ""),
        verdict=str(row.get("verdict") or ""),
        score=row.get("score"),
        face_score=row.get("face_score"),
        voice_score=row.get("voice_score"),
        preview=make_preview(row),
        timeline=timeline_svg(timeline, (thresholds.real_below, thresholds.fake_at)) if timeline else None,
        reasons=[str(r) for r in report.get("reasons") or [] if str(r) not in alerts],
        warnings=[
            f"{w.get('code', '')}: {w.get('message', '')}" if isinstance(w, Mapping) else str(w)
            for w in report.get("warnings") or []
        ],
        provenance=row.get("provenance"),
        alerts=tuple(alerts),
    )


def _ordered(counts: Counter[str], first: tuple[str, ...]) -> dict[str, int]:
    """The known names in their usual order (zeros included), then any others by name."""
    return {**{name: counts.get(name, 0) for name in first}, **{k: counts[k] for k in sorted(counts) if k not in first}}


def _ordered_histograms(histograms: dict[str, list[int]]) -> dict[str, list[int]]:
    """Per-kind histograms in the order of :data:`KINDS`, then any other kind by name."""
    names = [k for k in KINDS if k in histograms] + sorted(k for k in histograms if k not in KINDS)
    return {name: histograms[name] for name in names}


def _score(value: Any) -> str:
    return f"{value:.3f}" if isinstance(value, (int, float)) else "–"


def _verdict_class(verdict: Any) -> str:
    """A CSS class from a known verdict only (the value comes from the database)."""
    return verdict if verdict in VERDICTS else "other"


@lru_cache(maxsize=1)
def _template() -> Template:
    env = Environment(
        loader=FileSystemLoader(TEMPLATE_DIR),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["score"] = _score
    env.filters["verdict_class"] = _verdict_class
    return env.get_template("scan_report.html")
