"""Small inline SVG charts for the HTML report: score histograms and per-second timelines.

Hand-written SVG rather than matplotlib: a few hundred bytes per chart, crisp at any zoom, no
fonts or files to fetch, and fast enough to draw one per suspect. Every value drawn is a number
formatted here, never text from a report, so the output is safe to mark up as it is.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

from markupsafe import Markup

FACE_COLOUR = "#d9480f"
VOICE_COLOUR = "#1c7ed6"
BAR_COLOUR = "#5c7cfa"

#: Timelines longer than this many entries are max-pooled down to it (the worst second of each
#: group is kept: a fraud desk looks for peaks, and a 3-hour clip has 10,800 one-second entries).
MAX_TIMELINE_COLUMNS = 240


def histogram_svg(counts: Sequence[int], width: int = 300, height: int = 90) -> Markup:
    """Bars of file counts over equal-width score bins spanning [0, 1].

    Args:
        counts: files per bin, lowest scores first.
        width, height: the drawing's size in CSS pixels.
    """
    left, bottom, top = 30, 14, 4
    plot_w, plot_h = width - left - 2, height - bottom - top
    peak = max(counts, default=0) or 1
    bins = max(len(counts), 1)
    bar_w = plot_w / bins
    parts = [_open_svg(width, height, "score histogram")]
    for i, n in enumerate(counts):
        h = plot_h * n / peak
        x = left + i * bar_w
        lo, hi = i / bins, (i + 1) / bins
        parts.append(
            f'<rect x="{x + 0.5:.1f}" y="{top + plot_h - h:.1f}" width="{max(bar_w - 1, 0.5):.1f}" '
            f'height="{h:.1f}" fill="{BAR_COLOUR}"><title>{lo:.2f}-{hi:.2f}: {n}</title></rect>'
        )
    parts.append(_axis(left, top, plot_w, plot_h))
    parts.append(f'<text x="{left - 3}" y="{top + 8}" text-anchor="end">{peak}</text>')
    parts.append(f'<text x="{left - 3}" y="{top + plot_h}" text-anchor="end">0</text>')
    for frac in (0.0, 0.5, 1.0):
        anchor = {0.0: "start", 0.5: "middle", 1.0: "end"}[frac]
        x = left + frac * plot_w
        parts.append(f'<text x="{x:.1f}" y="{height - 2}" text-anchor="{anchor}">{frac:g}</text>')
    parts.append("</svg>")
    return Markup("".join(parts))


def timeline_svg(
    timeline: Sequence[Mapping[str, Any]],
    thresholds: tuple[float, float] | None = None,
    width: int = 320,
    height: int = 90,
) -> Markup:
    """Face and voice scores over time, one line each, with the verdict thresholds dashed.

    Args:
        timeline: report ``timeline`` entries (``start_s``, ``end_s``, ``face_score``, ``voice_score``;
            a score may be None where there was no face or no speech, which breaks its line).
        thresholds: ``(real_below, fake_at)`` of the report, drawn as dashed lines when given.
        width, height: the drawing's size in CSS pixels.
    """
    entries = _pool(list(timeline), MAX_TIMELINE_COLUMNS)
    left, bottom, top = 22, 14, 12
    plot_w, plot_h = width - left - 4, height - bottom - top
    end = max((e[1] for e in entries), default=0.0) or 1.0

    def x(t: float) -> float:
        return left + plot_w * min(max(t / end, 0.0), 1.0)

    def y(score: float) -> float:
        return top + plot_h * (1.0 - min(max(score, 0.0), 1.0))

    parts = [_open_svg(width, height, "face and voice scores over time"), _axis(left, top, plot_w, plot_h)]
    for level in thresholds or ():
        parts.append(
            f'<line x1="{left}" x2="{left + plot_w}" y1="{y(level):.1f}" y2="{y(level):.1f}" '
            'stroke="#adb5bd" stroke-dasharray="3 3"/>'
        )
    for column, colour in ((2, FACE_COLOUR), (3, VOICE_COLOUR)):
        for run in _runs([((e[0] + e[1]) / 2, e[column]) for e in entries]):
            if len(run) == 1:
                t, s = run[0]
                parts.append(f'<circle cx="{x(t):.1f}" cy="{y(s):.1f}" r="2" fill="{colour}"/>')
            else:
                points = " ".join(f"{x(t):.1f},{y(s):.1f}" for t, s in run)
                parts.append(f'<polyline points="{points}" fill="none" stroke="{colour}" stroke-width="1.5"/>')
    parts.append(f'<text x="{left - 3}" y="{top + 4}" text-anchor="end">1</text>')
    parts.append(f'<text x="{left - 3}" y="{top + plot_h}" text-anchor="end">0</text>')
    parts.append(f'<text x="{left}" y="{height - 2}">0 s</text>')
    parts.append(f'<text x="{left + plot_w}" y="{height - 2}" text-anchor="end">{end:.1f} s</text>')
    parts.append(f'<text x="{left + plot_w - 40}" y="9" fill="{FACE_COLOUR}" text-anchor="end">face</text>')
    parts.append(f'<text x="{left + plot_w}" y="9" fill="{VOICE_COLOUR}" text-anchor="end">voice</text>')
    parts.append("</svg>")
    return Markup("".join(parts))


def _open_svg(width: int, height: int, label: str) -> str:
    # No xmlns: inline SVG in HTML needs none, and the report is to hold no URL at all.
    return (
        f'<svg width="{width}" height="{height}" viewBox="0 0 {width} {height}" role="img" aria-label="{label}" '
        'font-size="9" font-family="sans-serif">'
    )


def _axis(left: float, top: float, plot_w: float, plot_h: float) -> str:
    return f'<path d="M{left},{top} V{top + plot_h} H{left + plot_w}" fill="none" stroke="#495057" stroke-width="1"/>'


Entry = tuple[float, float, float | None, float | None]


def _pool(timeline: list[Mapping[str, Any]], columns: int) -> list[Entry]:
    """Entries as ``(start_s, end_s, face, voice)``, max-pooled to at most ``columns`` of them."""
    rows = [
        (
            _score(e.get("start_s")) or 0.0,
            _score(e.get("end_s")) or 0.0,
            _score(e.get("face_score")),
            _score(e.get("voice_score")),
        )
        for e in timeline
        if isinstance(e, Mapping)
    ]
    group = max(1, math.ceil(len(rows) / columns))
    if group == 1:
        return rows
    pooled = []
    for i in range(0, len(rows), group):
        chunk = rows[i : i + group]
        pooled.append((chunk[0][0], chunk[-1][1], _max(c[2] for c in chunk), _max(c[3] for c in chunk)))
    return pooled


def _score(value: Any) -> float | None:
    """A finite float, or None (a missing value, or one that is not a number)."""
    if isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value):
        return float(value)
    return None


def _max(values: Any) -> float | None:
    present = [v for v in values if v is not None]
    return max(present) if present else None


def _runs(points: list[tuple[float, float | None]]) -> list[list[tuple[float, float]]]:
    """Consecutive points with a score, split where the score is None."""
    runs: list[list[tuple[float, float]]] = []
    current: list[tuple[float, float]] = []
    for t, s in points:
        if s is None:
            if current:
                runs.append(current)
            current = []
        else:
            current.append((t, s))
    if current:
        runs.append(current)
    return runs
