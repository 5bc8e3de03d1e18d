"""A small media tree for the scanner's tests, and the untrained face weights they scan it with.

The fixtures are in tests/service/conftest.py; the tree's contents are here so that tests can name them.
"""

from __future__ import annotations

import os
from pathlib import Path

import cv2

#: Relative paths the walk lists in :func:`make_tree` (with ``*.tmp`` excluded).
MEDIA = {"a.jpg", "b.png", "tone.wav", "clip.mp4", "broken.jpg", "notes.txt", "sub/c.jpg", "sub/deeper/tone2.wav"}


def make_tree(root: Path, factory) -> Path:
    """Faces, tones, a clip, a corrupt JPEG, a text file, nesting, a symlink loop, an excluded file."""
    (root / "sub" / "deeper").mkdir(parents=True)
    for name, seed in (("a.jpg", 1), ("b.png", 2), ("sub/c.jpg", 3)):
        cv2.imwrite(str(root / name), factory.cartoon_face(160, seed=seed)[..., ::-1])
    factory.write_wav(root, "tone.wav", seconds=0.5)
    factory.write_wav(root / "sub" / "deeper", "tone2.wav", seconds=0.5, samples=factory.tone(0.5, freq=300))
    factory.write_video(root, "mp4", name="clip.mp4", seconds=1.0, fps=4)
    (root / "broken.jpg").write_bytes(b"\xff\xd8\xff\xe0" + b"\x00" * 200)
    (root / "notes.txt").write_text("not media\n")
    (root / "skip.tmp").write_bytes(b"excluded")
    os.symlink("..", root / "sub" / "deeper" / "loop")  # back to sub/: a loop
    return root
