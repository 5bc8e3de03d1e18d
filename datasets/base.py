"""The sample record every reader returns, the reader protocol and the reader registry.

A reader turns one published dataset layout into a flat list of
:class:`Sample` records. Readers never open the media: decoding, cropping and
windowing belong to :mod:`fakeguard.detectors`, so that training and serving
share one preprocessing path. Keeping readers to "list the files and say what
they are" also makes them cheap enough to test on trees of empty files.

Label convention (project-wide): ``1`` = fake / spoof, ``0`` = real / bona
fide. Sources that say it differently are flipped here, at the reader, and
nowhere else.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Any, Protocol, TypeVar, runtime_checkable

logger = logging.getLogger(__name__)

REAL = 0
FAKE = 1
BONAFIDE = "bonafide"
"""Generator and attack family given to real samples by the readers of published datasets."""

_REAL_WORDS = frozenset({"real", "bonafide", "genuine"})
_FAKE_WORDS = frozenset({"fake", "spoof", "synthetic"})


def label_from_str(value: str) -> int:
    """Map a dataset's label word to the project label.

    Case, surrounding blanks and the separator in "bona-fide" / "bona fide" /
    "bona_fide" are ignored, since protocols spell it all three ways.

    Args:
        value: the word as the dataset writes it (``"bonafide"``, ``"bona-fide"``,
            ``"spoof"``, ``"real"``, ``"fake"``, ``"genuine"``, ``"synthetic"``).

    Returns:
        ``0`` for real / bona fide, ``1`` for fake / spoof.

    Raises:
        ValueError: the word is none of the above; the message quotes it, so a
            protocol with a new label word fails loudly instead of being read
            as one class.
    """
    word = value.strip().lower().replace("-", "").replace("_", "").replace(" ", "")
    if word in _REAL_WORDS:
        return REAL
    if word in _FAKE_WORDS:
        return FAKE
    raise ValueError(
        f"unknown label {value!r}: expected one of real/bonafide/bona-fide/genuine or fake/spoof/synthetic"
    )


@dataclass(frozen=True)
class Sample:
    """One media file and what is known about it, without its content.

    Attributes:
        path: the file on disk (absolute when the reader was given an absolute
            root). Not checked for existence unless the reader is asked to.
        label: ``1`` fake / spoof, ``0`` real / bona fide.
        source: the dataset or shared-data folder the sample was read from
            (``"asvspoof2019_la"``, ``"wavefake"``, ``"yourtts"``): results are
            reported per source so that a source shortcut shows.
        generator: what made the file: ``"bonafide"`` / a ``"human (...)"``
            description for real samples, an attack id (``"A07"``) or a
            vocoder / model name (``"hifigan"``, ``"YourTTS (...)"``) for fakes.
        group: the speaker or identity. Splits keep each group on one side, so
            a model cannot pass a test by recognising a voice or a face.
        attack_family: a coarse class of the generator (``"gan_vocoder"``,
            ``"e2e_tts"``, ...; ``"bonafide"`` for real samples), used for
            leave-one-family-out tests; ``None`` where it is not known.
        extra: anything else the layout records (codec, partition,
            ``relpath``, ``pair_key``, sample rate). Read-only; not part of
            equality or hashing.
    """

    path: Path
    label: int
    source: str
    generator: str
    group: str
    attack_family: str | None = None
    extra: Mapping[str, Any] = field(default_factory=dict, compare=False, hash=False)

    def __post_init__(self) -> None:
        if self.label not in (REAL, FAKE):
            raise ValueError(f"{self.path}: label must be 0 (real) or 1 (fake), got {self.label!r}")
        if not isinstance(self.path, Path):
            object.__setattr__(self, "path", Path(self.path))
        object.__setattr__(self, "extra", MappingProxyType(dict(self.extra)))

    @property
    def is_fake(self) -> bool:
        """True for fake / spoof samples (label 1)."""
        return self.label == FAKE


@runtime_checkable
class Reader(Protocol):
    """Anything that lists the samples of one dataset.

    Implementations take the dataset root as their first argument and do all
    their reading in :meth:`samples`, not in ``__init__``, so that building a
    reader (for ``--help``, or to list readers) never touches the disk.
    """

    def samples(self) -> list[Sample]:
        """Every sample of the selection, in a stable order (the layout's own order)."""
        ...


ReaderFactory = Callable[..., Reader]
_F = TypeVar("_F", bound=ReaderFactory)
_readers: dict[str, ReaderFactory] = {}


def register_reader(name: str) -> Callable[[_F], _F]:
    """Class or function decorator adding a reader under ``name`` (timm-style registry).

    Registering by name instead of an if/elif chain means a new layout is one
    new module, and configs and the CLI can name any reader as a string.

    Args:
        name: lower-case registry key, e.g. ``"asvspoof2019_la"``.

    Returns:
        The decorator, which returns the factory unchanged.

    Raises:
        ValueError: the name is already taken by a different factory.
    """

    def decorate(factory: _F) -> _F:
        existing = _readers.get(name)
        if existing is not None and existing is not factory:
            raise ValueError(f"reader {name!r} is already registered to {existing!r}")
        _readers[name] = factory
        return factory

    return decorate


def list_readers() -> list[str]:
    """Names of all registered readers, sorted."""
    return sorted(_readers)


def create_reader(name: str, root: str | Path | None = None, **kwargs: Any) -> Reader:
    """Build a registered reader.

    ``None`` keyword values are dropped before the call (as timm's
    ``create_model`` does), so CLI options left unset do not override a
    reader's own defaults.

    Args:
        name: a name from :func:`list_readers`.
        root: the dataset root in its published layout; ``None`` lets a reader
            with a default root (the shared data) use it.
        **kwargs: reader-specific options (``partition="dev"``, ...).

    Returns:
        The reader; nothing has been read yet.

    Raises:
        KeyError: unknown name; the message lists the known ones.
    """
    try:
        factory = _readers[name]
    except KeyError:
        raise KeyError(f"unknown reader {name!r}; known readers: {', '.join(list_readers())}") from None
    options = {k: v for k, v in kwargs.items() if v is not None}
    if root is None:
        return factory(**options)
    return factory(Path(root), **options)
