"""Options shared by subcommands that read media (inspect, score, scan)."""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import replace
from typing import Any

import click

from fakeguard.detectors.intake.limits import IntakeLimits

_LIMIT_OPTIONS = (
    ("--max-bytes", "max_bytes", int, "Refuse files larger than this many bytes."),
    ("--max-pixels", "max_pixels", int, "Refuse images or video frames with more pixels than this."),
    ("--max-duration", "max_duration_s", float, "Refuse audio or video longer than this many seconds."),
    ("--decode-timeout", "decode_timeout_s", float, "Stop decoding one file after this many seconds."),
)


def limit_options(func: Callable[..., Any]) -> Callable[..., Any]:
    """Add the intake-limit options; the command receives ``limits: IntakeLimits``.

    Defaults come from :meth:`IntakeLimits.from_env` (``FAKEGUARD_MAX_*``
    variables); options given on the command line win.
    """

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        given = {name: kwargs.pop(name) for _, name, _, _ in _LIMIT_OPTIONS}
        try:
            limits = replace(IntakeLimits.from_env(), **{k: v for k, v in given.items() if v is not None})
        except ValueError as exc:
            raise click.UsageError(str(exc)) from exc
        return func(*args, limits=limits, **kwargs)

    for flag, field_name, kind, help_text in reversed(_LIMIT_OPTIONS):
        wrapper = click.option(flag, field_name, type=kind, default=None, help=help_text)(wrapper)
    return wrapper


def thread_option(func: Callable[..., Any]) -> Callable[..., Any]:
    """Add ``--threads N`` (also ``FAKEGUARD_THREADS``), applied to torch before the command runs.

    On small shared machines torch with several threads slows down sharply
    whenever another process is busy; one thread is the steady default.
    """

    @functools.wraps(func)
    def wrapper(*args: Any, threads: int | None, **kwargs: Any) -> Any:
        from fakeguard.detectors.runtime import set_threads

        set_threads(threads)
        return func(*args, **kwargs)

    return click.option(
        "--threads",
        type=click.IntRange(min=1),
        default=None,
        envvar="FAKEGUARD_THREADS",
        help="CPU threads of torch, OpenCV and BLAS (default 1; env FAKEGUARD_THREADS).",
    )(wrapper)


def watchlist_option(envvar: str | None = "FAKEGUARD_WATCHLIST") -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """``--watchlist DB``, read from ``envvar`` when not given (None: the option only); the command
    receives ``watchlist: str | None``."""
    env_help = f"; env {envvar}" if envvar else ""
    return click.option(
        "--watchlist",
        type=click.Path(exists=True, dir_okay=False),
        default=None,
        envvar=envvar,
        help="Match faces and voices against the impersonation watchlist in this SQLite file "
        f"(made by `fakeguard watchlist add --db`{env_help}).",
    )
