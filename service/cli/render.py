"""Rendering per-file outcomes: a rich table for people, JSON Lines for machines.

Both renderers stream: each file's line is written as soon as it is known (the
table is printed at the end, but JSON Lines go out one by one), so a long run
interrupted halfway has still reported what it finished.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from rich.console import Console
from rich.table import Table


@dataclass
class Outcome:
    """One input's result or error, as the CLI reports it.

    Attributes:
        file: the path as given.
        result: the JSON-ready result when the input was processed.
        error: the JSON-ready error (``MediaError.to_dict()``) when it was not.
        internal: the error is a fakeguard bug rather than a bad input.
    """

    file: str
    result: dict[str, Any] | None = None
    error: dict[str, Any] | None = None
    internal: bool = False

    def to_json(self) -> str:
        if self.error is not None:
            return json.dumps({"file": self.file, "ok": False, **self.error})
        return json.dumps({"file": self.file, "ok": True, **(self.result or {})})


def provenance_cell(report: dict[str, Any]) -> str:
    """The report's provenance in a few words: its strongest signal, or "none found".

    Absence is said plainly and briefly: most files carry no provenance, and
    that is not a sign of anything (the report's own summary says so at length).
    """
    section = report.get("provenance")
    if not section:
        return ""
    if not section.get("signals"):
        return "provenance: none found"
    return f"provenance: {section.get('summary', '')}"


def alert_cells(report: dict[str, Any]) -> list[str]:
    """The report's impersonation alerts in words, strongest first (the CLI shows them first, in red)."""
    return [str(a.get("message", "")) for a in report.get("alerts") or []]


def voice_matches(segments: list[dict[str, Any]]) -> list[tuple[str, int, float, float, float]]:
    """``(person, windows, first start_s, last end_s, best similarity)`` per person whose voice
    matches speech windows, in order of first appearance."""
    found: dict[str, list[Any]] = {}
    for seg in segments:
        who = seg.get("identity")
        if not who:
            continue
        entry = found.setdefault(who["person"], [who["person"], 0, seg["start_s"], seg["end_s"], who["similarity"]])
        entry[1] += 1
        entry[2], entry[3] = min(entry[2], seg["start_s"]), max(entry[3], seg["end_s"])
        entry[4] = max(entry[4], who["similarity"])
    return [(p, n, a, b, sim) for p, n, a, b, sim in found.values()]


def identity_cell(report: dict[str, Any]) -> str:
    """The watchlist matches in a few words ("watchlist: face 1 matches Ann (0.97)"), "watchlist: no
    match among N people", or "" when the report was not checked against a watchlist."""
    checked = report.get("watchlist")
    if not checked:
        return ""
    found = [
        f"face {i} matches {f['identity']['person']} ({f['identity']['similarity']:.2f})"
        for i, f in enumerate(report.get("faces") or [], start=1)
        if f.get("identity")
    ]
    found += [
        f"face track {t['track_id']} matches {t['identity']['person']} ({t['identity']['similarity']:.2f})"
        for t in report.get("face_tracks") or []
        if t.get("identity")
    ]
    found += [
        f"voice matches {person} in {n} window(s), {a:.0f}-{b:.0f} s ({sim:.2f})"
        for person, n, a, b, sim in voice_matches(report.get("speech_segments") or [])
    ]
    if not found:
        return f"watchlist: no match among {checked.get('people', 0)} people"
    return "watchlist: " + ", ".join(found)


def emit_outcomes(
    outcomes: Iterable[Outcome],
    *,
    as_json: bool,
    title: str,
    columns: list[str],
    row: Callable[[dict[str, Any]], list[str]],
) -> tuple[int, int]:
    """Write every outcome to stdout and return (failed inputs, internal errors).

    Args:
        outcomes: per-file outcomes, consumed lazily.
        as_json: JSON Lines instead of a table.
        title: the table's title.
        columns: table header; the first column is the file.
        row: turns a result dict into the cells after the file column.
    """
    failed = internal = 0
    table = Table(title=title, show_lines=False)
    for i, name in enumerate(columns):
        wraps = i in (0, len(columns) - 1)  # the file and the details wrap; short columns do not
        table.add_column(name, overflow="fold", no_wrap=not wraps)
    for outcome in outcomes:
        if outcome.error is not None:
            failed += not outcome.internal
            internal += outcome.internal
        if as_json:
            sys.stdout.write(outcome.to_json() + "\n")
            sys.stdout.flush()
            continue
        if outcome.error is not None:
            err = outcome.error
            cells = [f"[red]ERROR {err['error']}[/red]"] + [""] * (len(columns) - 3) + [f"[red]{err['reason']}[/red]"]
            table.add_row(outcome.file, *cells)
        else:
            table.add_row(outcome.file, *row(outcome.result or {}))
    if not as_json:
        # Off a terminal (a pipe, a CI log) rich would assume 80 columns and fold every cell.
        console = Console(soft_wrap=False, width=None if sys.stdout.isatty() else 200)
        console.print(table)
        if failed or internal:
            Console(stderr=True).print(
                f"[yellow]{failed + internal} of {table.row_count} input(s) could not be processed[/yellow]"
            )
    return failed, internal
