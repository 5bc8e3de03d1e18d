"""The watchlist's tables in the scan database: enrolled people and their embeddings, nothing else.

The tables live in the same SQLite file as the scan results
(:mod:`fakeguard.service.scan.store`), so one file holds everything a
deployment keeps; this module opens that file with its own connection and
creates its own tables, and the results store never touches them. Photos and
audio are never stored: an enrolment keeps one embedding per photo or clip,
the embedding model's name, and the file's base name (to say which file gave
which embedding).

Removing a person deletes their embeddings in the same transaction.
``secure_delete`` makes SQLite overwrite the freed pages with zeros, and the
write-ahead log is checkpointed afterwards, so the removed vectors do not
linger in the file (biometric data must really go when it is deleted).
"""

from __future__ import annotations

import sqlite3
import unicodedata
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

import numpy as np
from numpy.typing import NDArray

from .match import KINDS, Gallery

SCHEMA = """
CREATE TABLE IF NOT EXISTS watchlist_people (
    name TEXT PRIMARY KEY,
    enrolled_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS watchlist_embeddings (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    person TEXT NOT NULL REFERENCES watchlist_people (name) ON DELETE CASCADE,
    kind TEXT NOT NULL CHECK (kind IN ('face', 'voice')),
    model TEXT NOT NULL,
    dim INTEGER NOT NULL,
    vector BLOB NOT NULL,
    source TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS watchlist_embeddings_person ON watchlist_embeddings (person);
"""

#: Longest accepted name, in characters.
MAX_NAME = 200


class WatchlistError(ValueError):
    """A watchlist request that cannot be done as asked (the message says why)."""


class PersonExists(WatchlistError):
    """The name is already enrolled (re-enrol with ``replace=True``, or remove it first)."""


class UnknownPerson(WatchlistError, LookupError):
    """No one is enrolled under that name."""


@dataclass(frozen=True)
class StoredEmbedding:
    """One enrolled embedding.

    Attributes:
        kind: ``"face"`` or ``"voice"``.
        model: the embedding model (``dlib_resnet_v1``, ``ge2e_resemblyzer``).
        vector: ``(D,)`` float32, unit length.
        source: base name of the photo or clip it came from.
    """

    kind: str
    model: str
    vector: NDArray[np.float32] = field(repr=False)
    source: str


@dataclass(frozen=True)
class Enrolment:
    """One person to enrol: a name and their embeddings.

    Attributes:
        name: the person's name.
        embeddings: one per photo or clip.
        enrolled_at: ISO 8601 time to record (an import keeps the original); None: now.
    """

    name: str
    embeddings: tuple[StoredEmbedding, ...]
    enrolled_at: str | None = None


@dataclass(frozen=True)
class Person:
    """An enrolled person, as listed.

    Attributes:
        name: the name given at enrolment.
        enrolled_at: ISO 8601 UTC time of enrolment.
        faces: how many face embeddings are enrolled.
        voices: how many voice embeddings.
    """

    name: str
    enrolled_at: str
    faces: int
    voices: int

    def to_dict(self) -> dict[str, object]:
        return {"name": self.name, "enrolled_at": self.enrolled_at, "faces": self.faces, "voices": self.voices}


def check_name(name: str) -> str:
    """The name with outer spaces removed; rejects empty, overlong and control-character names."""
    cleaned = unicodedata.normalize("NFC", str(name)).strip()
    if not cleaned:
        raise WatchlistError("a watchlist name must not be empty")
    if len(cleaned) > MAX_NAME:
        raise WatchlistError(f"a watchlist name must be at most {MAX_NAME} characters, got {len(cleaned)}")
    if any(unicodedata.category(c) == "Cc" for c in cleaned):
        raise WatchlistError(f"a watchlist name must not contain control characters: {cleaned!r}")
    return cleaned


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


def _check_embedding(e: StoredEmbedding) -> None:
    if e.kind not in KINDS:
        raise WatchlistError(f"{e.source}: embedding kind must be one of {KINDS}, got {e.kind!r}")
    v = np.asarray(e.vector)
    if v.ndim != 1 or not v.size or not np.all(np.isfinite(v)):
        raise WatchlistError(f"{e.source}: a {e.kind} embedding must be a finite 1-d vector")


def _row(name: str, e: StoredEmbedding) -> tuple[object, ...]:
    """An embedding as a ``watchlist_embeddings`` row (the vector as little-endian float32 bytes)."""
    vector = np.asarray(e.vector, dtype="<f4")
    return (name, e.kind, e.model, int(vector.size), vector.tobytes(), e.source)


class WatchlistStore:
    """The watchlist in a SQLite file (normally the scan database, ``results.sqlite``).

    Args:
        path: the database file, created with the watchlist tables if missing.
        check_same_thread: False lets other threads use the connection; the caller
            must then serialise every use with a lock of its own (as
            :class:`~fakeguard.detectors.identity.matcher.WatchlistMatcher` does).
    """

    def __init__(self, path: str | Path, *, check_same_thread: bool = True) -> None:
        self.path = Path(path)
        self.conn = sqlite3.connect(str(self.path), isolation_level=None, check_same_thread=check_same_thread)
        self.conn.execute("PRAGMA journal_mode=WAL")
        self.conn.execute("PRAGMA synchronous=NORMAL")
        self.conn.execute("PRAGMA foreign_keys=ON")
        self.conn.execute("PRAGMA secure_delete=ON")
        self.conn.executescript(SCHEMA)

    def close(self) -> None:
        self.conn.close()

    def __enter__(self) -> WatchlistStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        self.conn.execute("BEGIN IMMEDIATE")
        try:
            yield self.conn
        except BaseException:
            self.conn.execute("ROLLBACK")
            raise
        self.conn.execute("COMMIT")

    def add(
        self, name: str, embeddings: Iterable[StoredEmbedding], *, replace: bool = False, enrolled_at: str | None = None
    ) -> Person:
        """Enrol ``name`` with these embeddings, all or nothing.

        Args:
            name: the person's name (see :func:`check_name`).
            embeddings: at least one.
            replace: an enrolled name is re-enrolled: its old embeddings are
                deleted in the same transaction. Without it an enrolled name is an error.
            enrolled_at: the enrolment time to record (an import keeps the original); default now.

        Raises:
            PersonExists: the name is enrolled and ``replace`` is false.
            WatchlistError: a bad name, no embeddings, or a malformed embedding.
        """
        return self.add_many([Enrolment(name, tuple(embeddings), enrolled_at)], replace=replace)[0]

    def add_many(self, enrolments: Iterable[Enrolment], *, replace: bool = False) -> list[Person]:
        """Enrol several people in one transaction: all of them, or (on any error) none.

        Raises:
            PersonExists: a name is enrolled and ``replace`` is false.
            WatchlistError: a bad or repeated name, a person with no embeddings, a malformed embedding.
        """
        checked: list[Enrolment] = []
        for entry in enrolments:
            name = check_name(entry.name)
            if not entry.embeddings:
                raise WatchlistError(f"{name}: nothing to enrol (no face and no voice embeddings)")
            for e in entry.embeddings:
                _check_embedding(e)
            if any(c.name == name for c in checked):
                raise WatchlistError(f"{name!r} is given twice")
            checked.append(Enrolment(name, entry.embeddings, entry.enrolled_at))
        with self._transaction() as conn:
            for entry in checked:
                exists = conn.execute("SELECT 1 FROM watchlist_people WHERE name = ?", (entry.name,)).fetchone()
                if exists and not replace:
                    raise PersonExists(f"{entry.name!r} is already on the watchlist: remove it first, or replace it")
                if exists:
                    conn.execute("DELETE FROM watchlist_embeddings WHERE person = ?", (entry.name,))
                    conn.execute("DELETE FROM watchlist_people WHERE name = ?", (entry.name,))
                conn.execute(
                    "INSERT INTO watchlist_people (name, enrolled_at) VALUES (?, ?)",
                    (entry.name, entry.enrolled_at or _now()),
                )
                conn.executemany(
                    "INSERT INTO watchlist_embeddings (person, kind, model, dim, vector, source) "
                    "VALUES (?, ?, ?, ?, ?, ?)",
                    [_row(entry.name, e) for e in entry.embeddings],
                )
        return [p for p in (self.person(e.name) for e in checked) if p is not None]

    def remove(self, name: str) -> int:
        """Delete a person and every embedding of theirs; returns how many embeddings went.

        Raises:
            UnknownPerson: no one is enrolled under ``name``.
        """
        name = check_name(name)
        with self._transaction() as conn:
            if not conn.execute("SELECT 1 FROM watchlist_people WHERE name = ?", (name,)).fetchone():
                raise UnknownPerson(f"{name!r} is not on the watchlist")
            n = conn.execute("DELETE FROM watchlist_embeddings WHERE person = ?", (name,)).rowcount
            conn.execute("DELETE FROM watchlist_people WHERE name = ?", (name,))
        # Move the deletion out of the write-ahead log into the (zeroed) database pages now.
        self.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        return int(n)

    def person(self, name: str) -> Person | None:
        """One enrolled person, or None."""
        people = self._people("WHERE p.name = ?", (check_name(name),))
        return people[0] if people else None

    def people(self) -> list[Person]:
        """Everyone enrolled, by name."""
        return self._people("", ())

    def _people(self, where: str, args: tuple[object, ...]) -> list[Person]:
        cursor = self.conn.execute(
            "SELECT p.name, p.enrolled_at, "
            "COALESCE(SUM(e.kind = 'face'), 0), COALESCE(SUM(e.kind = 'voice'), 0) "
            f"FROM watchlist_people p LEFT JOIN watchlist_embeddings e ON e.person = p.name {where} "
            "GROUP BY p.name ORDER BY p.name",
            args,
        )
        return [Person(name, at, int(faces), int(voices)) for name, at, faces, voices in cursor]

    def embeddings(self, name: str | None = None, kind: str | None = None) -> list[tuple[str, StoredEmbedding]]:
        """``(person, embedding)`` pairs, by person then enrolment order; optionally of one person or kind."""
        clauses, args = [], []
        if name is not None:
            clauses.append("person = ?")
            args.append(check_name(name))
        if kind is not None:
            clauses.append("kind = ?")
            args.append(kind)
        where = f"WHERE {' AND '.join(clauses)}" if clauses else ""
        cursor = self.conn.execute(
            f"SELECT person, kind, model, dim, vector, source FROM watchlist_embeddings {where} ORDER BY person, id",
            args,
        )
        out = []
        for person, k, model, dim, blob, source in cursor:
            vector = np.frombuffer(blob, dtype="<f4").astype(np.float32)
            if vector.size != dim:
                raise WatchlistError(f"{self.path}: a stored {k} embedding of {person!r} is damaged")
            out.append((person, StoredEmbedding(k, model, vector, source)))
        return out

    def gallery(self, kind: str, model: str, threshold: float) -> Gallery:
        """The enrolled embeddings of ``kind`` made by ``model``, ready to match.

        Embeddings of another model (enrolled before an encoder change) are left
        out: similarities between two models' embeddings mean nothing.
        """
        rows = [(p, e) for p, e in self.embeddings(kind=kind) if e.model == model]
        owners = [p for p, _ in rows]
        vectors = np.stack([e.vector for _, e in rows]) if rows else np.zeros((0, 0), np.float32)
        return Gallery.build(kind, model, threshold, owners, vectors)

    def revision(self) -> tuple[int, int]:
        """Changes whenever the watchlist changes: a cheap check for whether a cached gallery is stale."""
        count, top = self.conn.execute("SELECT COUNT(*), COALESCE(MAX(id), 0) FROM watchlist_embeddings").fetchone()
        return int(count), int(top)
