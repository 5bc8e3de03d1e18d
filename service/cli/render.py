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
