"""``fakeguard inspect FILE...``: what each file is, or why it cannot be read."""

from __future__ import annotations

import logging
from typing import Any

import click

from fakeguard.detectors.intake.limits import IntakeLimits

from .exit_codes import exit_code
from .options import limit_options
from .render import Outcome, emit_outcomes

log = logging.getLogger(__name__)


def inspect_one(path: str, limits: IntakeLimits, verify: bool) -> Outcome:
    """Probe one file; every failure becomes an :class:`Outcome` instead of an exception."""
    from fakeguard.detectors.errors import MediaError
    from fakeguard.detectors.intake import probe

    try:
        return Outcome(file=path, result=probe(path, limits, verify=verify).to_dict())
    except MediaError as exc:
        return Outcome(file=path, error=exc.to_dict())
    except Exception as exc:  # a bug in fakeguard or a library: report it, keep going
        log.exception("internal error while inspecting %s", path)
        return Outcome(
            file=path,
            error={"file": path, "error": "internal", "type": type(exc).__name__, "reason": f"internal error: {exc}"},
            internal=True,
        )


def _human_row(info: dict[str, Any]) -> list[str]:
    """Kind, format, size, duration, resolution and streams of a probe result, as table cells."""
    size = info["size_bytes"]
    size_text = f"{size / 1e6:.1f} MB" if size >= 1e6 else f"{size / 1e3:.1f} kB"
    duration = f"{info['duration_s']:.2f} s" if info.get("duration_s") is not None else ""
    resolution = f"{info['width']}x{info['height']}" if info.get("width") else ""
    streams = []
    for s in info["streams"]:
        if s["type"] == "audio":
            streams.append(f"audio {s['codec']} {s['sample_rate'] or '?'} Hz x{s['channels'] or '?'}")
        elif s["type"] == "video":
            rate = f" {s['frame_rate']:.2f} fps" if s.get("frame_rate") else ""
            turn = f" rot {s['rotation']}" if s.get("rotation") else ""
            streams.append(f"video {s['codec']} {s['width']}x{s['height']}{rate}{turn}")
        elif s["type"] == "image":
            frames = f" ({s['frames']} frames)" if (s.get("frames") or 1) > 1 else ""
            streams.append(f"image {s['codec']}{frames}")
        else:
            streams.append(f"{s['type']} {s['codec']}")
    details = "; ".join(streams + [f"warning: {w}" for w in info.get("warnings", [])])
    return [info["kind"], info["format"], size_text, duration, resolution, details]


@click.command("inspect")
@click.argument("files", nargs=-1, required=True, type=click.Path(dir_okay=True, path_type=str))
@click.option("--json", "as_json", is_flag=True, help="One JSON object per file (JSON Lines) instead of a table.")
@click.option("--no-verify", is_flag=True, help="Read headers only; do not decode the content to check it.")
@limit_options
def inspect_command(files: tuple[str, ...], as_json: bool, no_verify: bool, limits: IntakeLimits) -> None:
    """Show kind, format, size, duration, resolution and streams of each FILE.

    The kind is read from the bytes, never the file name. A file that cannot
    be read is reported with its error type and reason, and the others go on.
    """
    outcomes = (inspect_one(path, limits, verify=not no_verify) for path in files)
    n_failed, n_internal = emit_outcomes(
        outcomes,
        as_json=as_json,
        title="fakeguard inspect",
        columns=["File", "Kind", "Format", "Size", "Duration", "Resolution", "Streams / reason"],
        row=_human_row,
    )
    raise SystemExit(exit_code(n_failed, n_internal))
