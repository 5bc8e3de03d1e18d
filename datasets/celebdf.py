"""Celeb-DF v2 (Li et al., "Celeb-DF: A Large-scale Challenging Dataset for DeepFake Forensics", CVPR 2020).

Published layout::

    <root>/Celeb-real/idX_NNNN.mp4              590 interviews of 59 celebrities (real)
    <root>/Celeb-synthesis/idX_idY_NNNN.mp4     5639 swaps: video idX_NNNN with the face of idY
    <root>/YouTube-real/NNNNN.mp4               300 other YouTube videos (real, people unnamed)
    <root>/List_of_testing_videos.txt           the test set, lines "1 YouTube-real/00170.mp4"

The test list writes ``1`` for real and ``0`` for fake, the reverse of this
project's convention; it is flipped when read, and checked against the
folder, which is what decides the label.

There is no official train list: "train" here is every video not in the test
list, as the papers that train on Celeb-DF use it. The test list names
videos, not celebrities, so nothing keeps a test celebrity out of "train";
for an identity-disjoint split use :func:`fakeguard.datasets.split_by_group`
on ``split=None``.

Groups are the celebrity id (``id0``); a fake is in its target's group and
names its source celebrity in ``extra["pair_key"]``, so both people stay on one
side of a group split. YouTube-real people are not identified, so each file
is its own group (``youtube/00170``).
"""

from __future__ import annotations

import logging
import re
from pathlib import Path

from ._io import iter_fields, line_error, relpath, require_dir, require_file
from .base import BONAFIDE, FAKE, REAL, Sample, register_reader
from .families import face_family

logger = logging.getLogger(__name__)

# Folder -> label. The folder, not the test list, is the source of truth for labels.
FOLDERS: dict[str, int] = {"Celeb-real": REAL, "YouTube-real": REAL, "Celeb-synthesis": FAKE}
TEST_LIST = "List_of_testing_videos.txt"
GENERATOR = "celebdf_v2"
SPLITS: tuple[str, ...] = ("all", "train", "test")
VIDEO_SUFFIX = ".mp4"

_CELEB_REAL = re.compile(r"^(id\d+)_(\d+)$")
_CELEB_FAKE = re.compile(r"^(id\d+)_(id\d+)_(\d+)$")
_YOUTUBE = re.compile(r"^(\d+)$")
# Test-list label word -> project label. Celeb-DF writes 1 for REAL and 0 for fake: flipped here.
_LIST_LABELS: dict[str, int] = {"1": REAL, "0": FAKE}


def read_test_list(path: Path) -> dict[str, tuple[int, int]]:
    """The test list as ``relpath -> (project label, line number)``.

    Raises:
        FileNotFoundError: the file is missing.
        ValueError: a line has not 2 fields, a label other than 0 / 1, or a
            path outside the three video folders; names file and line.
    """
    out: dict[str, tuple[int, int]] = {}
    for lineno, (word, rel) in iter_fields(path, "Celeb-DF test list", 2, 2):
        if word not in _LIST_LABELS:
            raise line_error(path, lineno, f"label must be 1 (real) or 0 (fake), got {word!r}")
        if Path(rel).parts[0] not in FOLDERS:
            raise line_error(path, lineno, f"path {rel!r} is not under one of {sorted(FOLDERS)}")
        out[Path(rel).as_posix()] = (_LIST_LABELS[word], lineno)
    return out


@register_reader("celebdf")
class CelebDF:
    """Celeb-DF v2, all of it or the test list or the rest.

    Args:
        root: the ``Celeb-DF-v2`` folder.
        split: ``None`` or ``"all"`` reads every video (recording ``extra["split"]``
            when the test list is there); ``"test"`` reads the videos in
            ``List_of_testing_videos.txt``; ``"train"`` the videos not in it.
            Both need the list.
    """

    source = "celebdf"

    def __init__(self, root: Path, split: str | None = None) -> None:
        if split is not None and split not in SPLITS:
            raise ValueError(f"split must be None or one of {list(SPLITS)}, got {split!r}")
        self.root = Path(root)
        self.split = None if split == "all" else split

    @property
    def test_list_path(self) -> Path:
        """``root/List_of_testing_videos.txt``."""
        return self.root / TEST_LIST

    def samples(self) -> list[Sample]:
        """Celeb-real, YouTube-real, then Celeb-synthesis, each by file name.

        Raises:
            FileNotFoundError: the root, all three video folders, or (with
                ``split``) the test list is missing; names the path.
            ValueError: a test-list line is malformed or its label contradicts
                the folder the video is in; names file and line.
        """
        require_dir(self.root, "Celeb-DF root")
        listed: dict[str, tuple[int, int]] | None = None
        if self.split is not None:
            listed = read_test_list(require_file(self.test_list_path, "Celeb-DF test list"))
        elif self.test_list_path.is_file():
            listed = read_test_list(self.test_list_path)
        present = [name for name in FOLDERS if (self.root / name).is_dir()]
        if not present:
            raise FileNotFoundError(f"none of the Celeb-DF folders {sorted(FOLDERS)} found in {self.root}")
        for name in FOLDERS:
            if name not in present:
                logger.warning("Celeb-DF folder %s not found under %s; its videos are missing", name, self.root)

        out: list[Sample] = []
        seen: set[str] = set()
        unparsed: list[Path] = []
        for folder in present:
            label = FOLDERS[folder]
            for path in sorted((self.root / folder).glob(f"*{VIDEO_SUFFIX}")):
                rel = relpath(path, self.root)
                seen.add(rel)
                in_test: bool | None = None
                if listed is not None:
                    in_test = rel in listed
                    if in_test and listed[rel][0] != label:
                        words = ("real", "fake")
                        raise line_error(
                            self.test_list_path,
                            listed[rel][1],
                            f"{rel} is listed as {words[listed[rel][0]]} but {folder}/ holds {words[label]} videos",
                        )
                if self.split is not None and in_test != (self.split == "test"):
                    continue
                sample = self._sample(path, folder, label, rel, in_test)
                if sample is None:
                    unparsed.append(path)
                    continue
                out.append(sample)
        if unparsed:
            logger.warning(
                "%s: %d video(s) not named idX_NNNN / idX_idY_NNNN / NNNNN skipped, since their identities "
                "are unknown (e.g. %s)",
                self.source,
                len(unparsed),
                unparsed[0],
            )
        if listed is not None:
            missing = sorted(set(listed) - seen)
            if missing:
                logger.warning(
                    "%s: %d video(s) in %s not found on disk (e.g. %s)",
                    self.source,
                    len(missing),
                    self.test_list_path,
                    missing[0],
                )
        logger.info("%s split=%s: %d samples", self.source, self.split, len(out))
        return out

    def _sample(self, path: Path, folder: str, label: int, rel: str, in_test: bool | None) -> Sample | None:
        """The sample of one video, or ``None`` when its name does not follow the folder's naming."""
        stem = path.stem
        extra: dict[str, object] = {
            "folder": folder,
            "split": None if in_test is None else ("test" if in_test else "train"),
            "relpath": rel,
        }
        if folder == "YouTube-real":
            if _YOUTUBE.match(stem) is None:
                return None
            extra.update(video=stem, pair_key=())
            return Sample(path, REAL, self.source, BONAFIDE, f"youtube/{stem}", BONAFIDE, extra)
        if label == REAL:
            match = _CELEB_REAL.match(stem)
            if match is None:
                return None
            extra.update(video=match[2], identity=match[1], pair_key=())
            return Sample(path, REAL, self.source, BONAFIDE, match[1], BONAFIDE, extra)
        match = _CELEB_FAKE.match(stem)
        if match is None:
            return None
        target, source, video = match[1], match[2], match[3]
        extra.update(video=video, target=target, source_identity=source, pair_key=(source,))
        return Sample(path, FAKE, self.source, GENERATOR, target, face_family(GENERATOR, FAKE), extra)
