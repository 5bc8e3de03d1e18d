"""Exit codes shared by every subcommand (documented in docs/cli.md and ``fakeguard --help``)."""

from __future__ import annotations

OK = 0
SOME_INPUTS_FAILED = 1
USAGE_ERROR = 2  # click's own code for usage errors
INTERNAL_ERROR = 3

EXIT_EPILOG = (
    "Exit codes: 0 every input processed; 1 at least one input could not be processed "
    "(each is reported, the rest go on); 2 usage error; 3 internal error on at least one input."
)


def exit_code(n_media_errors: int, n_internal_errors: int) -> int:
    """The process exit code for a run with that many failed inputs."""
    if n_internal_errors:
        return INTERNAL_ERROR
    return SOME_INPUTS_FAILED if n_media_errors else OK
