"""Move a watchlist between databases as JSON: embeddings only.

An export holds the names, the enrolment times, and per embedding its kind,
model, source file name and the vector as base64 little-endian float32 (exact,
and a fifth of the size of decimal text). There are no photos or audio to
export: the watchlist never stored any. An import is checked entry by entry
before anything is written, and then written in one transaction, so a
malformed file adds nobody.

This module needs neither torch nor dlib: moving a watchlist loads no model.
"""

from __future__ import annotations

import base64
import json
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import numpy as np

from .match import KINDS
from .watchlist_store import Enrolment, Person, StoredEmbedding, WatchlistError, WatchlistStore, check_name

#: Embedding models a watchlist accepts, by kind, with their dimension (the names are
#: ``face_embed.FACE_MODEL`` and ``voice_embed.VOICE_MODEL``, written out so that this module loads no model).
MODELS: dict[str, dict[str, int]] = {"face": {"dlib_resnet_v1": 128}, "voice": {"ge2e_resemblyzer": 256}}
EXPORT_FORMAT = "fakeguard.watchlist"
EXPORT_VERSION = 1


def export_watchlist(store: WatchlistStore) -> dict[str, Any]:
    """The whole watchlist as a JSON-ready dict (embeddings only; no photos or audio exist to export)."""
    by_person: dict[str, list[StoredEmbedding]] = {}
    for person, e in store.embeddings():
        by_person.setdefault(person, []).append(e)
    people = []
    for p in store.people():
        people.append(
            {
                "name": p.name,
                "enrolled_at": p.enrolled_at,
                "embeddings": [
                    {
                        "kind": e.kind,
                        "model": e.model,
                        "source": e.source,
                        "vector": base64.b64encode(np.asarray(e.vector, "<f4").tobytes()).decode("ascii"),
                    }
                    for e in by_person.get(p.name, [])
                ],
            }
        )
    return {
        "format": EXPORT_FORMAT,
        "version": EXPORT_VERSION,
        "exported_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "vector_encoding": "base64 little-endian float32",
        "people": people,
    }


def write_export(store: WatchlistStore, path: str | Path) -> int:
    """Write :func:`export_watchlist` to ``path``; returns how many people were written."""
    data = export_watchlist(store)
    Path(path).write_text(json.dumps(data, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    return len(data["people"])


def _embedding(entry: Any, where: str) -> StoredEmbedding:
    if not isinstance(entry, dict):
        raise WatchlistError(f"{where}: an embedding must be an object")
    kind, model, source = entry.get("kind"), entry.get("model"), entry.get("source", "")
    if kind not in KINDS:
        raise WatchlistError(f"{where}: kind must be one of {KINDS}, got {kind!r}")
    dim = MODELS[kind].get(model) if isinstance(model, str) else None
    if dim is None:
        raise WatchlistError(f"{where}: unknown {kind} model {model!r} (known: {sorted(MODELS[kind])})")
    try:
        raw = base64.b64decode(str(entry.get("vector", "")), validate=True)
    except ValueError as exc:
        raise WatchlistError(f"{where}: the vector is not valid base64") from exc
    if len(raw) != 4 * dim:
        raise WatchlistError(f"{where}: a {model} vector has {dim} float32 values, got {len(raw)} bytes")
    vector = np.frombuffer(raw, dtype="<f4").astype(np.float32)
    if not np.all(np.isfinite(vector)) or abs(float(np.linalg.norm(vector)) - 1.0) > 1e-3:
        raise WatchlistError(f"{where}: the vector is not a finite unit-length embedding")
    return StoredEmbedding(kind, model, vector, str(source))


def parse_export(data: Any) -> list[Enrolment]:
    """Check an exported watchlist and read it into enrolments (nothing is stored).

    Raises:
        WatchlistError: not a fakeguard watchlist export, or a malformed entry (the message names it).
    """
    if not isinstance(data, dict) or data.get("format") != EXPORT_FORMAT:
        raise WatchlistError(f"not a fakeguard watchlist export (expected format {EXPORT_FORMAT!r})")
    if data.get("version") != EXPORT_VERSION:
        raise WatchlistError(f"unsupported watchlist export version {data.get('version')!r} (this is {EXPORT_VERSION})")
    people = data.get("people")
    if not isinstance(people, list):
        raise WatchlistError("a watchlist export must have a list of people")
    out = []
    for i, person in enumerate(people):
        if not isinstance(person, dict) or not isinstance(person.get("name"), str):
            raise WatchlistError(f"people[{i}]: a person must be an object with a name")
        name = check_name(person["name"])
        embeddings = person.get("embeddings")
        if not isinstance(embeddings, list) or not embeddings:
            raise WatchlistError(f"{name}: no embeddings")
        rows = tuple(_embedding(e, f"{name}, embedding {j}") for j, e in enumerate(embeddings))
        enrolled_at = person.get("enrolled_at")
        out.append(Enrolment(name, rows, enrolled_at if isinstance(enrolled_at, str) else None))
    return out


def import_watchlist(store: WatchlistStore, data: Any, *, replace: bool = False) -> list[Person]:
    """Add everyone in an export to ``store``, in one transaction: all of them or none.

    Args:
        data: what :func:`export_watchlist` returned (parsed JSON).
        replace: people already enrolled under the same name are replaced; otherwise that is an error.

    Raises:
        WatchlistError: a malformed export; PersonExists: a name is enrolled and ``replace`` is false.
    """
    return store.add_many(parse_export(data), replace=replace)


def read_import(store: WatchlistStore, path: str | Path, *, replace: bool = False) -> list[Person]:
    """:func:`import_watchlist` from a JSON file.

    Raises:
        WatchlistError: the file is unreadable or not JSON, or as :func:`import_watchlist`.
    """
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise WatchlistError(f"{path}: cannot read a watchlist export ({exc})") from exc
    return import_watchlist(store, data, replace=replace)
