"""``fakeguard score FILE...``: verdict, score and evidence for each file."""

from __future__ import annotations

import logging
from typing import Any

import click

from fakeguard.detectors.intake.limits import IntakeLimits

from .exit_codes import exit_code
from .options import limit_options, thread_option
from .render import Outcome, emit_outcomes

log = logging.getLogger(__name__)


def _human_row(report: dict[str, Any]) -> list[str]:
    score = report.get("score")
    verdict = report["verdict"]
    colour = {"fake": "red", "real": "green"}.get(verdict, "yellow")
    details = list(report.get("reasons", [])) + [f"warning: {w['message']}" for w in report.get("warnings", [])]
    seconds = sum(t["seconds"] for t in report.get("timings", []))
    return [
        report["kind"],
        f"[{colour}]{verdict}[/{colour}]",
        "" if score is None else f"{score:.3f}",
        f"{seconds:.2f} s",
        "; ".join(details),
    ]


@click.command("score")
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=str))
@click.option("--json", "as_json", is_flag=True, help="One report per line (JSON Lines) instead of a table.")
@click.option("--voice-model", default=None, help="Voice weights: a shipped arch.tag or a weight folder.")
@thread_option
@limit_options
def score_command(files: tuple[str, ...], as_json: bool, voice_model: str | None, limits: IntakeLimits) -> None:
    """Score each FILE for manipulation: verdict (fake, real, uncertain), calibrated score, reasons.

    Audio is scored by the voice anti-spoofing detector, per window and per
    file. A file that cannot be read is reported with its error and the rest go on.
    """
    from fakeguard.detectors.api import Detector
    from fakeguard.detectors.errors import MediaError

    detector = Detector.load(voice_model=voice_model, limits=limits)

    def outcomes():
        for path in files:
            try:
                yield Outcome(file=path, result=detector.score(path).to_dict())
            except MediaError as exc:
                yield Outcome(file=path, error=exc.to_dict())
            except Exception as exc:  # a bug: report it and keep scoring the others
                log.exception("internal error while scoring %s", path)
                yield Outcome(
                    file=path,
                    error={
                        "file": path,
                        "error": "internal",
                        "type": type(exc).__name__,
                        "reason": f"internal error: {exc}",
                    },
                    internal=True,
                )

    failed, internal = emit_outcomes(
        outcomes(),
        as_json=as_json,
        title="fakeguard score",
        columns=["File", "Kind", "Verdict", "Score", "Time", "Reasons / warnings"],
        row=_human_row,
    )
    raise SystemExit(exit_code(failed, internal))
