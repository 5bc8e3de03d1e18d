"""Match an identity embedding against the enrolled people of a watchlist.

A person is enrolled with several embeddings (one per photo, one per voice
clip). A query's similarity to a person is the highest cosine similarity to
any of that person's embeddings: the nearest enrolled photo of a face seen in
profile, or the nearest clip of a voice heard on a phone line, says more than
an average of all of them would. Every embedding is unit length, so the whole
watchlist is one matrix product: 1,000 people with 5 embeddings each is a
``(5000, 256)`` float32 matrix and a query costs tens of microseconds
(``bench/identity_speed.py``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
from numpy.typing import NDArray

#: The two kinds of identity a watchlist holds.
KINDS: tuple[str, ...] = ("face", "voice")


@dataclass(frozen=True)
class IdentityMatch:
    """How much a face or a voice resembles one enrolled person.

    Attributes:
        person: the enrolled name.
        similarity: cosine similarity of the query to that person's nearest
            enrolled embedding, in [-1, 1].
        threshold: the similarity from which it counts as the same person
            (``thresholds.yaml``, chosen on data: docs/watchlist.md).
        kind: ``"face"`` or ``"voice"``.
    """

    person: str
    similarity: float
    threshold: float
    kind: str

    @property
    def matched(self) -> bool:
        """Whether the similarity reaches the threshold."""
        return self.similarity >= self.threshold

    def to_dict(self) -> dict[str, object]:
        return {
            "person": self.person,
            "similarity": round(self.similarity, 4),
            "threshold": self.threshold,
            "kind": self.kind,
            "matched": self.matched,
        }


def unit_rows(vectors: NDArray[np.floating]) -> NDArray[np.float32]:
    """``vectors`` (``(D,)`` or ``(N, D)``) scaled to unit length, float32."""
    v = np.asarray(vectors, dtype=np.float32)
    norms = np.linalg.norm(v, axis=-1, keepdims=True)
    return v / np.maximum(norms, np.float32(1e-12))


def mean_embedding(vectors: NDArray[np.floating]) -> NDArray[np.float32]:
    """One embedding for several of the same face or voice: the unit-length mean of ``(N, D)`` rows.

    What a video face track or a long speech turn is matched with, so that it is
    compared once rather than frame by frame.
    """
    v = unit_rows(np.atleast_2d(vectors))
    if not len(v):
        raise ValueError("no embeddings to average")
    return unit_rows(v.mean(axis=0))


@dataclass(frozen=True)
class Gallery:
    """The enrolled embeddings of one kind, ready to match.

    Build one with :meth:`build` (or ``WatchlistStore.gallery``). Rows are grouped
    by person so that the per-person maximum is one ``np.maximum.reduceat``.

    Attributes:
        kind: ``"face"`` or ``"voice"``.
        model: the embedding model every row comes from.
        threshold: the match threshold for this kind and model.
        people: enrolled names, in row-group order.
        vectors: ``(N, D)`` float32 unit rows, grouped by person.
        starts: ``(len(people),)`` index of each person's first row.
    """

    kind: str
    model: str
    threshold: float
    people: tuple[str, ...]
    vectors: NDArray[np.float32] = field(repr=False)
    starts: NDArray[np.intp] = field(repr=False)

    @classmethod
    def build(
        cls,
        kind: str,
        model: str,
        threshold: float,
        owners: Sequence[str],
        vectors: NDArray[np.floating],
    ) -> Gallery:
        """A gallery from one row per enrolled embedding.

        Args:
            owners: the person each row of ``vectors`` belongs to (any order).
            vectors: ``(N, D)`` embeddings; they are normalised here.
        """
        if kind not in KINDS:
            raise ValueError(f"kind must be one of {KINDS}, got {kind!r}")
        vectors = np.asarray(vectors, dtype=np.float32)
        if len(owners) != len(vectors):
            raise ValueError(f"{len(owners)} owners for {len(vectors)} embeddings")
        if not len(owners):
            return cls(kind, model, float(threshold), (), np.zeros((0, 0), np.float32), np.zeros(0, np.intp))
        order = np.argsort(np.asarray(owners, dtype=object), kind="stable")
        sorted_owners = [owners[i] for i in order]
        people, starts = [], []
        for i, name in enumerate(sorted_owners):
            if not people or people[-1] != name:
                people.append(name)
                starts.append(i)
        return cls(
            kind=kind,
            model=model,
            threshold=float(threshold),
            people=tuple(people),
            vectors=np.ascontiguousarray(unit_rows(vectors[order])),
            starts=np.asarray(starts, dtype=np.intp),
        )

    def __len__(self) -> int:
        return len(self.people)

    @property
    def dim(self) -> int:
        return int(self.vectors.shape[1]) if self.vectors.size else 0

    def similarities(self, query: NDArray[np.floating]) -> NDArray[np.float32]:
        """Each person's similarity to the query: the maximum over their embeddings.

        Args:
            query: ``(D,)`` or ``(Q, D)`` embeddings (normalised here).

        Returns:
            ``(len(people),)`` or ``(Q, len(people))`` float32 cosine similarities.
        """
        q = unit_rows(query)
        if not len(self.people):
            return np.zeros((*q.shape[:-1], 0), np.float32)
        if q.shape[-1] != self.dim:
            raise ValueError(f"a {q.shape[-1]}-d query against {self.dim}-d {self.kind} embeddings ({self.model})")
        sims = q @ self.vectors.T
        return np.maximum.reduceat(sims, self.starts, axis=-1)

    def rank(self, query: NDArray[np.floating], top: int = 3) -> list[IdentityMatch]:
        """The ``top`` most similar people to one query, most similar first, matched or not."""
        sims = self.similarities(np.asarray(query).reshape(-1))
        if not sims.size:
            return []
        top = min(top, sims.size)
        best = np.argpartition(-sims, top - 1)[:top]
        best = best[np.argsort(-sims[best], kind="stable")]
        return [IdentityMatch(self.people[i], float(sims[i]), self.threshold, self.kind) for i in best]

    def match(self, query: NDArray[np.floating]) -> IdentityMatch | None:
        """The most similar person if the similarity reaches the threshold, else None."""
        ranked = self.rank(query, top=1)
        return ranked[0] if ranked and ranked[0].matched else None
