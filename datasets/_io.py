"""Reading protocol and manifest text files with errors that name the file and line.

A dataset with a truncated or hand-edited protocol should fail at the line
that is wrong, not three hours into training with an ``IndexError``. Every
reader reads its text files through these helpers for that reason.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any


def require_file(path: Path, what: str) -> Path:
    """Return ``path`` if it is a file, else raise naming it and what it should be.

    Raises:
        FileNotFoundError: ``path`` is missing or is not a regular file.
    """
    if not path.is_file():
        raise FileNotFoundError(f"{what} not found: {path}")
    return path


def require_dir(path: Path, what: str) -> Path:
    """Return ``path`` if it is a directory, else raise naming it and what it should be.

    Raises:
        FileNotFoundError: ``path`` is missing or is not a directory.
    """
    if not path.is_dir():
        raise FileNotFoundError(f"{what} not found: {path}")
    return path


def line_error(path: Path, lineno: int, message: str) -> ValueError:
    """A ``ValueError`` reading ``<path>:<lineno>: <message>``, the form editors jump to."""
    return ValueError(f"{path}:{lineno}: {message}")


def iter_fields(
    path: Path, what: str, min_fields: int, max_fields: int | None = None
) -> Iterator[tuple[int, list[str]]]:
    """Yield ``(line number, whitespace-split fields)`` for each non-blank line.

    Args:
        path: the protocol file.
        what: what the file is, for the not-found message.
        min_fields: fewer fields than this is a malformed line.
        max_fields: more fields than this is a malformed line (``None``: no limit).

    Raises:
        FileNotFoundError: the file is missing.
        ValueError: a line has the wrong number of fields; names file and line.
    """
    require_file(path, what)
    with path.open(encoding="utf-8") as handle:
        for lineno, line in enumerate(handle, start=1):
            fields = line.split()
            if not fields:
                continue
            if len(fields) < min_fields or (max_fields is not None and len(fields) > max_fields):
                expected = str(min_fields) if max_fields == min_fields else f"at least {min_fields}"
                if max_fields is not None and max_fields != min_fields:
                    expected = f"{min_fields} to {max_fields}"
                raise line_error(path, lineno, f"expected {expected} fields, got {len(fields)}: {line.strip()!r}")
            yield lineno, fields


def iter_csv(path: Path, what: str, required: Sequence[str]) -> Iterator[tuple[int, dict[str, str]]]:
    """Yield ``(line number, row)`` for each data row of a CSV file with a header.

    Args:
        path: the CSV file.
        what: what the file is, for the not-found message.
        required: columns the header must have.

    Raises:
        FileNotFoundError: the file is missing.
        ValueError: the header lacks a required column, or a row has more or
            fewer cells than the header; names file and line.
    """
    require_file(path, what)
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.reader(handle)
        header = next(reader, None)
        if header is None:
            raise line_error(path, 1, "empty file, expected a header row")
        header = [name.strip() for name in header]
        missing = [name for name in required if name not in header]
        if missing:
            raise line_error(path, 1, f"header {header} lacks column(s) {missing}")
        for row in reader:
            lineno = reader.line_num
            if not row or all(not cell.strip() for cell in row):
                continue
            if len(row) != len(header):
                raise line_error(path, lineno, f"expected {len(header)} cells as in the header, got {len(row)}")
            yield lineno, dict(zip(header, row, strict=True))


def read_json(path: Path, what: str) -> Any:
    """The parsed content of a JSON file.

    Raises:
        FileNotFoundError: the file is missing.
        ValueError: the file is not valid JSON; names file, line and column of
            the first error (a truncated download usually fails at the last line).
    """
    require_file(path, what)
    text = path.read_text(encoding="utf-8")
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise line_error(path, exc.lineno, f"not valid JSON: {exc.msg} (column {exc.colno})") from None


def relpath(path: Path, root: Path) -> str:
    """``path`` relative to ``root`` in POSIX form, the key splits are stored under."""
    return path.relative_to(root).as_posix()
