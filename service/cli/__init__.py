"""The ``fakeguard`` command line: one entry point, one module per subcommand.

Subcommands parse their arguments, call :mod:`fakeguard.detectors`, and
render; heavy imports (torch, PyAV) happen inside the commands so that
``fakeguard --help`` is instant. Results go to stdout, logs and progress to
stderr.

Exit codes (the same for every subcommand):

    0  every input was processed
    1  at least one input could not be processed (each is reported; the others were)
    2  usage error: unknown option or subcommand, missing argument
    3  an internal error (a bug) on at least one input; the others were processed
"""

from __future__ import annotations

import logging

import click

from .exit_codes import EXIT_EPILOG
from .inspect_cmd import inspect_command
from .scan_cmd import scan_command
from .score_cmd import score_command
from .serve_cmd import serve_command
from .train_cmd import eval_group, train_group
from .watchlist_cmd import watchlist_group


def _version() -> str:
    from fakeguard.detectors import __version__

    return __version__


@click.group(epilog=EXIT_EPILOG, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="fakeguard", prog_name="fakeguard")
@click.option("-v", "--verbose", count=True, help="More log output on stderr (-v info, -vv debug).")
def cli(verbose: int) -> None:
    """fakeguard: score images, voices and videos for deepfakes and AI fraud."""
    level = logging.WARNING - 10 * min(verbose, 2)
    logging.basicConfig(level=level, format="%(asctime)s %(levelname)s %(name)s: %(message)s")


cli.add_command(inspect_command)
cli.add_command(score_command)
cli.add_command(scan_command)
cli.add_command(serve_command)
cli.add_command(train_group)
cli.add_command(eval_group)
cli.add_command(watchlist_group)


def main() -> None:
    """Console-script entry point (``fakeguard``)."""
    cli(prog_name="fakeguard")


__all__ = ["cli", "main"]
