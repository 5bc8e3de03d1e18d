"""A plain folder of media sorted into ``real/`` and ``fake/``: the layout users make by hand.

::

    <root>/real/**/<file>                     label 0
    <root>/fake/<generator>/**/<file>         label 1, generator = first folder under fake/
    <root>/fake/<file>                        label 1, generator "unknown"

Files are picked by extension (audio, image and video) and searched
recursively; anything else (notes, ``.DS_Store``) is skipped. The group is the
name of the file's parent folder, so a user who files recordings as
``real/<speaker>/...`` gets speaker-disjoint splits for free.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path

from ._io import relpath, require_dir
from .base import BONAFIDE, Sample, register_reader

logger = logging.getLogger(__name__)

MEDIA_EXTENSIONS: frozenset[str] = frozenset(
    {
        # audio
        ".wav", ".flac", ".mp3", ".m4a", ".aac", ".ogg", ".opus", ".wma", ".aiff", ".aif",
        # image
        ".jpg", ".jpeg", ".png", ".bmp", ".webp", ".tif", ".tiff", ".gif", ".heic",
        # video
        ".mp4", ".mov", ".avi", ".mkv", ".webm", ".m4v", ".mpg", ".mpeg", ".wmv",
    }
)  # fmt: skip
CLASS_FOLDERS: dict[str, int] = {"real": 0, "fake": 1}
UNKNOWN_GENERATOR = "unknown"
REAL_GENERATOR = "human"


def _media_files(folder: Path) -> list[Path]:
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.rglob("*") if p.is_file() and p.suffix.lower() in MEDIA_EXTENSIONS)


@register_reader("folder")
class FolderReader:
    """``real/`` and ``fake/`` under one root.

    Args:
        root: the folder holding ``real/`` and/or ``fake/``.
        source: name reported as ``Sample.source``; defaults to the root's name.
        family: optional map from a generator folder name to an attack family
            (for instance :func:`fakeguard.datasets.families.speech_family` for
            a folder of speech); without it fakes have no family, since a free
            folder name says nothing reliable.
    """

    def __init__(
        self, root: Path, source: str | None = None, family: Callable[[str], str | None] | None = None
    ) -> None:
        self.root = Path(root)
        self.source = source if source is not None else self.root.name
        self.family = family

    def samples(self) -> list[Sample]:
        """Real files then fake files, each sorted by path.

        Raises:
            FileNotFoundError: the root is missing, or holds neither ``real/`` nor ``fake/``.
        """
        require_dir(self.root, "folder dataset root")
        if not any((self.root / name).is_dir() for name in CLASS_FOLDERS):
            raise FileNotFoundError(f"neither real/ nor fake/ found in folder dataset root: {self.root}")
        out: list[Sample] = []
        for class_name, label in CLASS_FOLDERS.items():
            class_dir = self.root / class_name
            for path in _media_files(class_dir):
                parts = path.relative_to(class_dir).parts
                if label == 0:
                    generator, family = REAL_GENERATOR, BONAFIDE
                else:
                    generator = parts[0] if len(parts) > 1 else UNKNOWN_GENERATOR
                    family = self.family(generator) if self.family is not None else None
                out.append(
                    Sample(
                        path=path,
                        label=label,
                        source=self.source,
                        generator=generator,
                        group=path.parent.name,
                        attack_family=family,
                        extra={"relpath": relpath(path, self.root)},
                    )
                )
        if not out:
            logger.warning("no media files under %s/real or %s/fake", self.root, self.root)
        return out
