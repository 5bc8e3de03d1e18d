"""FaceForensics++ (Rössler et al., "FaceForensics++: Learning to Detect Manipulated Facial Images", ICCV 2019).

Layout written by the dataset's download script (``-t videos``)::

    <root>/original_sequences/youtube/<comp>/videos/NNN.mp4              1000 real clips, ids 000-999
    <root>/original_sequences/actors/<comp>/videos/AA__scene.mp4        the DeepFakeDetection actors (real)
    <root>/manipulated_sequences/<method>/<comp>/videos/NNN_MMM.mp4     Deepfakes, Face2Face, FaceSwap,
                                                                         NeuralTextures, FaceShifter
    <root>/manipulated_sequences/DeepFakeDetection/<comp>/videos/AA_BB__scene__XXXXXXXX.mp4
    <root>/splits/{train,val,test}.json                                 the official split (720/140/140)

``<comp>`` is ``raw`` (older downloads call it ``c0``), ``c23`` or ``c40``: the
H.264 constant rate factor, which changes the artefacts a detector sees, so
one reader reads one compression. A manipulated ``NNN_MMM`` is target video
``NNN`` with the face (or, for Face2Face and NeuralTextures, the expressions)
of source video ``MMM``; DeepFakeDetection names actors the same way.

The split files are not in the download: they are ``dataset/splits/*.json``
of the FaceForensics GitHub repository, lists of ``[target, source]`` id
pairs. A clip belongs to a split when its id is in one of that split's
pairs, and a fake ``NNN_MMM`` when both its ids are (for the official files,
exactly when its pair is listed). The actor recordings and DeepFakeDetection
are in no official split, so they are left out when a split is asked for.

Groups are the identity shown: ``ffpp/youtube/NNN`` (one person per clip) or
``ffpp/actors/AA``. A fake is in its target's group and names its source in
``extra["pair_key"]``, so :func:`fakeguard.datasets.split_by_group` keeps a
target, its source and every fake made from the two on one side. The ids
are prefixed with the source because bare ``"000"`` would merge with other
datasets' numeric groups. Known limit: the 1000 clips were cut from 977
YouTube videos, so a few ids show the same person; the layout does not say
which (``conversion_dict.json`` of the download holds the YouTube ids).
"""

from __future__ import annotations

import logging
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from ._io import read_json, relpath, require_dir, require_file
from .base import BONAFIDE, Sample, register_reader
from .families import face_family

logger = logging.getLogger(__name__)

# Requested compression -> folder names tried in order ("raw" and "c0" are one thing).
COMPRESSIONS: dict[str, tuple[str, ...]] = {
    "raw": ("raw", "c0"),
    "c0": ("c0", "raw"),
    "c23": ("c23",),
    "c40": ("c40",),
}
METHODS: tuple[str, ...] = ("Deepfakes", "Face2Face", "FaceSwap", "NeuralTextures", "FaceShifter", "DeepFakeDetection")
"""The published manipulation folders, in the order they are read (other folders found are read after them)."""
SPLITS: tuple[str, ...] = ("train", "val", "test")
VIDEO_SUFFIX = ".mp4"

_YOUTUBE_REAL = re.compile(r"^(\d+)$")
_YOUTUBE_FAKE = re.compile(r"^(\d+)_(\d+)$")
_ACTOR_REAL = re.compile(r"^(\d+)__(.+)$")
_ACTOR_FAKE = re.compile(r"^(\d+)_(\d+)__(.+)$")


@dataclass(frozen=True)
class _Clip:
    """What a file name says: subset, target id, source id (fakes) and scene (actors)."""

    subset: str
    target: str
    source: str | None = None
    scene: str | None = None


def _parse(stem: str, fake: bool, actors: bool) -> _Clip | None:
    """The ids in a clip's file stem, or ``None`` when the name follows neither naming."""
    if actors:
        match = (_ACTOR_FAKE if fake else _ACTOR_REAL).match(stem)
        if match is None:
            return None
        if fake:
            return _Clip("actors", match[1], match[2], match[3])
        return _Clip("actors", match[1], None, match[2])
    match = (_YOUTUBE_FAKE if fake else _YOUTUBE_REAL).match(stem)
    if match is None:
        return None
    return _Clip("youtube", match[1], match[2] if fake else None)


def read_split_pairs(path: Path) -> list[tuple[str, str]]:
    """The ``[target, source]`` pairs of one official split file.

    Raises:
        FileNotFoundError: the file is missing.
        ValueError: not valid JSON (names file and line), not a list, or an
            entry that is not a pair of digit strings (names file and entry index).
    """
    doc = read_json(path, "FaceForensics++ split file")
    if not isinstance(doc, list):
        raise ValueError(f"{path}: expected a list of [target, source] pairs, got a JSON {type(doc).__name__}")
    pairs = []
    for index, item in enumerate(doc):
        if not (isinstance(item, list) and len(item) == 2 and all(isinstance(v, str) and v.isdigit() for v in item)):
            raise ValueError(f'{path}: entry [{index}] is not a pair of video ids such as ["953", "974"]: {item!r}')
        pairs.append((item[0], item[1]))
    return pairs


@register_reader("ffpp")
class FaceForensicsPP:
    """FaceForensics++ videos of one compression, optionally one official split.

    Args:
        root: the folder holding ``original_sequences/`` and ``manipulated_sequences/``.
        compression: ``"c23"`` (default, the level most papers report), ``"c40"``, ``"raw"`` or ``"c0"``.
        methods: manipulation folders to read (``["Deepfakes", "Face2Face"]``);
            ``None`` reads every folder that has ``<compression>/videos``.
            A named method without that folder is an error, not an empty result.
        split: ``None`` reads everything (and still records each clip's
            official split in ``extra["split"]`` where split files are found);
            ``"train"``, ``"val"`` or ``"test"`` keeps that split and requires
            its JSON file.
        include_actors: also read ``original_sequences/actors`` (the real
            counterparts of DeepFakeDetection). Skipped quietly when the folder
            is not downloaded.
        splits_dir: where the split JSONs are; default ``root/splits``, else
            ``root`` itself when the file is there (where some preprocessing
            repositories put them).
    """

    source = "ffpp"

    def __init__(
        self,
        root: Path,
        compression: str = "c23",
        methods: Sequence[str] | None = None,
        split: str | None = None,
        include_actors: bool = True,
        splits_dir: Path | str | None = None,
    ) -> None:
        if compression not in COMPRESSIONS:
            raise ValueError(f"compression must be one of {sorted(COMPRESSIONS)}, got {compression!r}")
        if split is not None and split not in SPLITS:
            raise ValueError(f"split must be None or one of {list(SPLITS)}, got {split!r}")
        if isinstance(methods, str):
            methods = [methods]
        self.root = Path(root)
        self.compression = compression
        self.methods = tuple(methods) if methods is not None else None
        self.split = split
        self.include_actors = include_actors
        self.splits_dir = Path(splits_dir) if splits_dir is not None else None

    def split_path(self, split: str) -> Path:
        """Where ``<split>.json`` is read from (see ``splits_dir``); the default path when neither exists."""
        name = f"{split}.json"
        if self.splits_dir is not None:
            return self.splits_dir / name
        default = self.root / "splits" / name
        beside = self.root / name
        return beside if not default.is_file() and beside.is_file() else default

    def _videos_dir(self, base: Path) -> Path | None:
        for folder in COMPRESSIONS[self.compression]:
            videos = base / folder / "videos"
            if videos.is_dir():
                return videos
        return None

    def _split_of_ids(self) -> dict[str, str]:
        """Video id -> official split, from the requested split's file or every split file present."""
        names = SPLITS if self.split is None else (self.split,)
        split_of: dict[str, str] = {}
        first_file: dict[str, Path] = {}
        for name in names:
            path = self.split_path(name)
            if self.split is None and not path.is_file():
                continue
            what = f"FaceForensics++ {name} split file (dataset/splits/{name}.json of the FaceForensics repository)"
            require_file(path, what)
            for pair in read_split_pairs(path):
                for vid in pair:
                    if split_of.setdefault(vid, name) != name:
                        raise ValueError(f"video {vid} is in two splits: {first_file[vid]} and {path}")
                    first_file.setdefault(vid, path)
        return split_of

    def _method_dirs(self) -> list[tuple[str, Path]]:
        """``(method, videos folder)`` to read, in :data:`METHODS` order then by name."""
        base = self.root / "manipulated_sequences"
        comp = "/".join(COMPRESSIONS[self.compression])
        if self.methods is not None:
            out = []
            for method in self.methods:
                videos = self._videos_dir(base / method)
                if videos is None:
                    found = sorted(p.name for p in base.iterdir() if p.is_dir()) if base.is_dir() else []
                    raise FileNotFoundError(
                        f"FaceForensics++ {method} videos not found: {base / method / self.compression / 'videos'}"
                        f" (method folders present: {found})"
                    )
                out.append((method, videos))
            return out
        if not base.is_dir():
            logger.warning("no manipulated_sequences folder under %s: reading the originals only", self.root)
            return []
        present = [p.name for p in base.iterdir() if p.is_dir()]
        order = [m for m in METHODS if m in present] + sorted(m for m in present if m not in METHODS)
        out = []
        for method in order:
            videos = self._videos_dir(base / method)
            if videos is None:
                logger.info("FaceForensics++ %s has no %s/videos folder; skipped", method, comp)
                continue
            if method not in METHODS:
                logger.warning("FaceForensics++ method folder %r is not a published method; read anyway", method)
            out.append((method, videos))
        return out

    def samples(self) -> list[Sample]:
        """Youtube originals, actor originals, then each method's fakes; files by name.

        Raises:
            FileNotFoundError: the root, the youtube originals of the
                compression, a named method's folder, or (with ``split``) the
                split file is missing; the message names the path.
            ValueError: a split file is not valid JSON or not a list of id
                pairs (names file and line or entry), or an id is in two split files.
        """
        require_dir(self.root, "FaceForensics++ root")
        split_of = self._split_of_ids()
        originals = self.root / "original_sequences"
        youtube = self._videos_dir(originals / "youtube")
        if youtube is None:
            expected = originals / "youtube" / self.compression / "videos"
            raise FileNotFoundError(f"FaceForensics++ original videos at {self.compression} not found: {expected}")
        # (method or None for originals, videos folder, actors' naming)
        folders: list[tuple[str | None, Path, bool]] = [(None, youtube, False)]
        if self.include_actors:
            actors = self._videos_dir(originals / "actors")
            if actors is not None:
                folders.append((None, actors, True))
            else:
                logger.info("no FaceForensics++ actors videos at %s under %s; skipped", self.compression, originals)
        for method, videos in self._method_dirs():
            # DeepFakeDetection swaps the actors, and names its files as they are named.
            folders.append((method, videos, method == "DeepFakeDetection"))

        out: list[Sample] = []
        skipped: Counter[str] = Counter()
        examples: dict[str, Path] = {}
        for method, videos, actors in folders:
            for path in sorted(videos.glob(f"*{VIDEO_SUFFIX}")):
                clip = _parse(path.stem, fake=method is not None, actors=actors)
                if clip is None:
                    skipped["unparsed"] += 1
                    examples.setdefault("unparsed", path)
                    continue
                clip_split = self._clip_split(clip, split_of)
                if clip_split == "":
                    skipped["straddles"] += 1
                    examples.setdefault("straddles", path)
                    clip_split = None
                if self.split is not None and clip_split != self.split:
                    if clip.subset == "actors":
                        skipped["actors"] += 1
                    continue
                out.append(self._sample(path, method, clip, clip_split))
        self._report(skipped, examples)
        logger.info("%s %s split=%s: %d samples", self.source, self.compression, self.split, len(out))
        return out

    @staticmethod
    def _clip_split(clip: _Clip, split_of: dict[str, str]) -> str | None:
        """The clip's official split; ``None`` when unknown; ``""`` for a fake whose ids are in different splits."""
        if clip.subset == "actors":
            return None
        target = split_of.get(clip.target)
        if clip.source is None:
            return target
        source = split_of.get(clip.source)
        if target is None and source is None:
            return None
        return target if target == source else ""

    def _sample(self, path: Path, method: str | None, clip: _Clip, clip_split: str | None) -> Sample:
        group = f"{self.source}/{clip.subset}/{clip.target}"
        extra: dict[str, object] = {
            "subset": clip.subset,
            "compression": self.compression,
            "split": clip_split,
            "video": path.stem,
            "target": clip.target,
            "relpath": relpath(path, self.root),
        }
        if clip.scene is not None:
            extra["scene"] = clip.scene
        if method is None:
            extra["pair_key"] = ()
            return Sample(path, 0, self.source, BONAFIDE, group, BONAFIDE, extra)
        extra.update(method=method, source_video=clip.source, pair_key=(f"{self.source}/{clip.subset}/{clip.source}",))
        return Sample(path, 1, self.source, method, group, face_family(method, 1), extra)

    def _report(self, skipped: Counter[str], examples: dict[str, Path]) -> None:
        if skipped["unparsed"]:
            logger.warning(
                "%s: %d video(s) not named NNN.mp4 / NNN_MMM.mp4 / AA__scene.mp4 / AA_BB__scene.mp4 skipped, "
                "since their identities are unknown (e.g. %s)",
                self.source,
                skipped["unparsed"],
                examples["unparsed"],
            )
        if skipped["straddles"]:
            logger.warning(
                "%s: %d fake(s) whose target and source ids are not in the same official split are in no split "
                "(e.g. %s); the split files may not match the videos",
                self.source,
                skipped["straddles"],
                examples["straddles"],
            )
        if skipped["actors"]:
            logger.info(
                "%s: %d actor / DeepFakeDetection video(s) left out: they are in no official split",
                self.source,
                skipped["actors"],
            )
