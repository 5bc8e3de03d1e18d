"""``fakeguard watchlist {add,list,remove,export,import}``: the protected people of an impersonation watchlist.

The watchlist lives in the scan database (``--db``, the same ``results.sqlite``
as ``fakeguard scan``), in its own tables, as embeddings only: photos and clips
are read, embedded and never stored. Enrolment is all or nothing: if any file
is refused (no face, several faces, no speech, unreadable) every refused file
is named and nobody is enrolled.

Exit codes are the CLI's: 0 done; 1 the request was refused (a refused file, an
unknown or already-enrolled name, a malformed import), nothing changed; 2 usage
error; 3 internal error.
"""

from __future__ import annotations

import json
import logging
import sys
from pathlib import Path
from typing import Any, NoReturn

import click

from fakeguard.detectors.intake.limits import IntakeLimits

from .exit_codes import INTERNAL_ERROR, OK, SOME_INPUTS_FAILED
from .options import limit_options, thread_option

log = logging.getLogger(__name__)

_db_option = click.option(
    "--db",
    default="results.sqlite",
    show_default=True,
    type=click.Path(dir_okay=False),
    help="SQLite database holding the watchlist (the scan results database; created if missing).",
)
_json_option = click.option("--json", "as_json", is_flag=True, help="Print the result as one JSON object.")


def _refuse(message: str, as_json: bool, **fields: Any) -> NoReturn:
    """Report a refused request (stdout JSON with --json, else stderr) and exit 1."""
    if as_json:
        click.echo(json.dumps({"ok": False, "error": message, **fields}, ensure_ascii=False))
    else:
        click.echo(f"error: {message}", err=True)
        for problem in fields.get("problems", []):
            click.echo(f"  {problem['file']}: {problem['reason']}", err=True)
    raise SystemExit(SOME_INPUTS_FAILED)


def _internal(exc: Exception, as_json: bool) -> NoReturn:
    log.exception("internal error in fakeguard watchlist")
    if as_json:
        click.echo(json.dumps({"ok": False, "error": f"internal error: {exc}", "type": type(exc).__name__}))
    else:
        click.echo(f"internal error: {type(exc).__name__}: {exc}", err=True)
    raise SystemExit(INTERNAL_ERROR)


def _print_people(people: list[dict[str, Any]], db: str) -> None:
    from rich.console import Console
    from rich.table import Table

    if not people:
        click.echo(f"the watchlist in {db} is empty")
        return
    table = Table(title=f"watchlist ({db})", title_justify="left")
    for column in ("Name", "Faces", "Voices", "Enrolled (UTC)"):
        table.add_column(column, justify="right" if column in ("Faces", "Voices") else "left")
    for p in people:
        table.add_row(p["name"], str(p["faces"]), str(p["voices"]), p["enrolled_at"])
    Console(file=sys.stdout, soft_wrap=False, width=None if sys.stdout.isatty() else 200).print(table)


@click.group("watchlist")
def watchlist_group() -> None:
    """Protected people whose faces and voices every report is matched against."""


@watchlist_group.command("add")
@click.argument("name")
@click.option(
    "--photos",
    type=click.Path(exists=True, file_okay=False, path_type=str),
    help="Folder of photos, each showing only this person's face.",
)
@click.option(
    "--voice",
    type=click.Path(exists=True, file_okay=False, path_type=str),
    help="Folder of voice clips of this person speaking (at least 1 s of speech each).",
)
@click.option("--replace", is_flag=True, help="Re-enrol NAME if it is already on the watchlist (old embeddings go).")
@_db_option
@_json_option
@thread_option
@limit_options
def add_command(
    name: str,
    photos: str | None,
    voice: str | None,
    replace: bool,
    db: str,
    as_json: bool,
    limits: IntakeLimits,
) -> None:
    """Enrol NAME from a folder of photos and/or a folder of voice clips.

    Every file must pass: a photo with no face or several faces, a clip with no
    speech, or an unreadable file is named and nothing is enrolled.
    """
    if photos is None and voice is None:
        raise click.UsageError("give --photos DIR, --voice DIR, or both")
    from fakeguard.detectors.identity.ge2e import SpeakerEncoderMissing
    from fakeguard.detectors.identity.watchlist import EnrolmentError, enrol
    from fakeguard.detectors.identity.watchlist_store import WatchlistError, WatchlistStore

    try:
        with WatchlistStore(db) as store:
            person = enrol(store, name, photos, voice, replace=replace, limits=limits)
    except SpeakerEncoderMissing as exc:  # an installation problem, not a bug: say what to install
        _refuse(str(exc), as_json)
    except EnrolmentError as exc:
        headline = f"nothing was enrolled for {exc.name!r}: {len(exc.problems)} file(s) refused"
        _refuse(headline, as_json, name=exc.name, problems=[p.to_dict() for p in exc.problems])
    except WatchlistError as exc:
        _refuse(str(exc), as_json)
    except Exception as exc:  # a bug, a missing model: report it as internal
        _internal(exc, as_json)
    if as_json:
        click.echo(json.dumps({"ok": True, "db": db, "person": person.to_dict()}, ensure_ascii=False))
    else:
        click.echo(f"enrolled {person.name}: {person.faces} face and {person.voices} voice embeddings -> {db}")
    raise SystemExit(OK)


@watchlist_group.command("list")
@_db_option
@_json_option
def list_command(db: str, as_json: bool) -> None:
    """List the enrolled people and how many face and voice embeddings each has."""
    from fakeguard.detectors.identity.watchlist_store import WatchlistStore

    with WatchlistStore(db) as store:
        people = [p.to_dict() for p in store.people()]
    if as_json:
        click.echo(json.dumps({"db": db, "people": people}, ensure_ascii=False))
    else:
        _print_people(people, db)


@watchlist_group.command("remove")
@click.argument("name")
@_db_option
@_json_option
def remove_command(name: str, db: str, as_json: bool) -> None:
    """Remove NAME and delete every embedding of theirs."""
    from fakeguard.detectors.identity.watchlist_store import WatchlistError, WatchlistStore

    try:
        with WatchlistStore(db) as store:
            n = store.remove(name)
    except WatchlistError as exc:
        _refuse(str(exc), as_json)
    if as_json:
        click.echo(json.dumps({"ok": True, "db": db, "removed": name.strip(), "embeddings_deleted": n}))
    else:
        click.echo(f"removed {name.strip()} ({n} embeddings deleted) from {db}")


@watchlist_group.command("export")
@click.argument("file", type=click.Path(dir_okay=False, path_type=str))
@_db_option
@_json_option
def export_command(file: str, db: str, as_json: bool) -> None:
    """Write the watchlist to FILE as JSON (embeddings only: no photos or audio are kept to export)."""
    from fakeguard.detectors.identity.exchange import write_export
    from fakeguard.detectors.identity.watchlist_store import WatchlistStore

    try:
        with WatchlistStore(db) as store:
            n = write_export(store, file)
    except OSError as exc:
        _refuse(f"{file}: cannot write ({exc.strerror or exc})", as_json)
    if as_json:
        click.echo(json.dumps({"ok": True, "db": db, "file": file, "people": n}))
    else:
        click.echo(f"exported {n} people -> {file}")


@watchlist_group.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=str))
@click.option("--replace", is_flag=True, help="Replace people already enrolled under the same name.")
@_db_option
@_json_option
def import_command(file: str, replace: bool, db: str, as_json: bool) -> None:
    """Add everyone in FILE (a `watchlist export`) to the watchlist: all of them, or none on any error."""
    from fakeguard.detectors.identity.exchange import read_import
    from fakeguard.detectors.identity.watchlist_store import WatchlistError, WatchlistStore

    try:
        with WatchlistStore(db) as store:
            people = read_import(store, Path(file), replace=replace)
    except WatchlistError as exc:
        _refuse(str(exc), as_json)
    if as_json:
        click.echo(json.dumps({"ok": True, "db": db, "imported": [p.to_dict() for p in people]}, ensure_ascii=False))
    else:
        click.echo(f"imported {len(people)} people from {file} -> {db}")
