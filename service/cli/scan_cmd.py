"""``fakeguard scan PATH...``: score every media file under folders, resumably, into SQLite.

Two engines share the one results table: ``local`` (this machine: in-process or
``--workers N`` processes) and ``ray`` (a Ray Data pipeline on a cluster the user
runs, or a local Ray instance; ``pip install 'fakeguard[distributed]'``).
"""

from __future__ import annotations

import json
import sys
from typing import Any

import click

from fakeguard.detectors.intake.limits import IntakeLimits

from .exit_codes import exit_code
from .options import limit_options, thread_option, watchlist_option


@click.command("scan")
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=str))
@click.option(
    "--db",
    default="results.sqlite",
    show_default=True,
    type=click.Path(dir_okay=False),
    help="SQLite results database; a rerun skips files already scored with the same models.",
)
@click.option("--include", multiple=True, metavar="GLOB", help="Scan only relative paths matching GLOB (repeatable).")
@click.option("--exclude", multiple=True, metavar="GLOB", help="Skip relative paths matching GLOB (repeatable).")
@click.option(
    "--export",
    "exports",
    multiple=True,
    type=click.Path(dir_okay=False),
    help="After the scan, write the results to this file: .csv, .jsonl, .parquet or .html (repeatable).",
)
@click.option(
    "--workers",
    type=click.IntRange(min=0),
    default=None,
    help="Worker processes that decode and score in parallel, one torch thread each "
    "(default: one per CPU core, at most 4; 0 scores in this process). With --engine ray: "
    "the scoring actors (default: one per cluster CPU).",
)
@click.option(
    "--engine",
    type=click.Choice(["local", "ray"]),
    default="local",
    show_default=True,
    help="local: this machine. ray: a Ray Data pipeline (needs the 'distributed' extra).",
)
@click.option(
    "--ray-address",
    default=None,
    metavar="ADDRESS",
    help="With --engine ray: the cluster to join (as for ray.init; default: RAY_ADDRESS, else a local Ray).",
)
@click.option("--voice-model", default=None, help="Voice weights: a shipped arch.tag or a weight folder.")
@click.option("--face-model", default=None, help="Face weights: a shipped arch.tag or a weight folder.")
@click.option("--json", "as_json", is_flag=True, help="Print the summary as one JSON object.")
@watchlist_option(envvar=None)
@thread_option
@limit_options
def scan_command(
    paths: tuple[str, ...],
    db: str,
    include: tuple[str, ...],
    exclude: tuple[str, ...],
    exports: tuple[str, ...],
    workers: int | None,
    engine: str,
    ray_address: str | None,
    voice_model: str | None,
    face_model: str | None,
    as_json: bool,
    watchlist: str | None,
    limits: IntakeLimits,
) -> None:
    """Scan files and folders (recursively) and store one result per file in --db.

    Unchanged files already scored with the same models are skipped without
    being read, so an interrupted scan resumes where it stopped. Files that
    cannot be decoded are stored with their error and the scan goes on.
    Progress goes to stderr, the summary to stdout. --watchlist matches every
    face and voice against an impersonation watchlist (the scan's own --db
    can hold it: `fakeguard watchlist add --db`); the results are keyed to
    that watchlist, so after enrolling someone a rescan scores every file again.
    """
    from fakeguard.service.scan.export import EXPORT_SUFFIXES

    for target in exports:
        if not target.lower().endswith(EXPORT_SUFFIXES):
            raise click.UsageError(f"--export {target}: the name must end in one of {', '.join(EXPORT_SUFFIXES)}")
    if ray_address and engine != "ray":
        raise click.UsageError("--ray-address needs --engine ray")

    from rich.console import Console

    from fakeguard.detectors.api import Detector
    from fakeguard.service.scan import ResultStore, default_workers, export, models_key, scan

    err_console = Console(stderr=True)

    def on_error(error: dict[str, Any]) -> None:
        err_console.print(f"[yellow]error[/yellow] {error['file']}: {error['reason']}", highlight=False)

    detector = Detector.load(voice_model=voice_model, face_model=face_model, limits=limits, watchlist=watchlist)
    with ResultStore(db) as store:
        if engine == "ray":
            from fakeguard.service.scan.ray_engine import scan_with_ray

            summary = scan_with_ray(
                paths,
                store,
                detector,
                include,
                exclude,
                console=err_console,
                on_error=on_error,
                address=ray_address,
                workers=workers or None,  # None: one actor per cluster CPU
            )
        else:
            n_workers = default_workers() if workers is None else workers
            summary = scan(
                paths, store, detector, include, exclude, console=err_console, on_error=on_error, workers=n_workers
            )
        key = models_key(detector)
        exported = {target: export(store, key, target) for target in exports}

    fields = {
        "seen": summary.seen,
        "skipped": summary.skipped,
        "reused": summary.reused,
        "scored": summary.scored,
        "failed": summary.failed,
        "internal": summary.internal,
        "seconds": round(summary.seconds, 2),
        "db": db,
        "exported": exported,
    }
    if as_json:
        click.echo(json.dumps(fields))
    else:
        out = Console(file=sys.stdout)
        out.print(
            f"seen {summary.seen}, skipped {summary.skipped}, reused {summary.reused}, scored {summary.scored}, "
            f"failed {summary.failed}, internal {summary.internal} in {summary.seconds:.1f} s -> {db}",
            highlight=False,
        )
        for target, n in exported.items():
            out.print(f"exported {n} rows -> {target}", highlight=False)
    raise SystemExit(exit_code(summary.failed, summary.internal))
