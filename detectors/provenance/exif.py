"""EXIF Software, Make/Model and the text fields generators fill.

Cameras write Make and Model; editors and some generators write Software;
AUTOMATIC1111's web UI puts its settings into a JPEG's UserComment. Which
tags are read, and what each means, is the ``exif_fields`` table of
``known_tools.yaml``. The raw EXIF comes from :mod:`.blocks` (a JPEG APP1
segment, a PNG ``eXIf`` chunk, a WebP ``EXIF`` chunk or a TIFF's first IFD)
and is parsed by Pillow without opening the image.
"""

from __future__ import annotations

import logging

from PIL import Image

from . import signals
from .blocks import TextBlock
from .png_text import text_signals
from .tables import tables
from .types import ProvenanceSignal

log = logging.getLogger(__name__)

#: UserComment's 8-byte character-code prefixes (EXIF 2.3, 4.6.5).
_ASCII = b"ASCII\x00\x00\x00"
_UNICODE = b"UNICODE\x00"


def exif_signals(raw_blocks: list[bytes]) -> tuple[list[ProvenanceSignal], list[str]]:
    """Signals from raw EXIF blocks, and a warning for each block that cannot be parsed."""
    out: list[ProvenanceSignal] = []
    warnings: list[str] = []
    for raw in raw_blocks:
        try:
            exif = Image.Exif()
            exif.load(raw)
            values = {f.label: _value(exif, f.tag, f.ifd) for f in tables().exif_fields}
        except Exception as exc:  # Pillow raises many types on a damaged IFD
            log.debug("unreadable EXIF block", exc_info=True)
            warnings.append(f"EXIF block cannot be read ({type(exc).__name__}: {exc}): ignored")
            continue
        make = model = ""
        texts = []
        for f in tables().exif_fields:
            value = values[f.label]
            if not value:
                continue
            if f.kind == "software":
                signal = signals.software(value, f.label)
                if signal is not None:
                    out.append(signal)
            elif f.kind == "camera_make":
                make = value
            elif f.kind == "camera_model":
                model = value
            elif f.kind == "text":
                texts.append(TextBlock(None, value, f.label))
        if make or model:
            camera = signals.camera(make, model, "EXIF Make/Model (0x010F/0x0110)")
            if camera is not None:
                out.append(camera)
        out.extend(text_signals(texts))
    return out, warnings


def _value(exif: Image.Exif, tag: int, ifd: int | None) -> str:
    value = exif.get_ifd(ifd).get(tag) if ifd is not None else exif.get(tag)
    if value is None:
        return ""
    if isinstance(value, bytes):
        return decode_user_comment(value)
    return str(value).strip("\x00 ").strip()


def decode_user_comment(raw: bytes) -> str:
    """Text of an EXIF UserComment: its 8-byte character-code prefix, then the text.

    ``UNICODE`` text is UTF-16 in the file's byte order, which the comment does
    not repeat: big-endian is assumed (what piexif, used by AUTOMATIC1111,
    writes) unless the first character's high byte says otherwise.
    """
    if raw.startswith(_UNICODE):
        body = raw[len(_UNICODE) :]
        encoding = "utf-16-le" if len(body) >= 2 and body[0] != 0 and body[1] == 0 else "utf-16-be"
        return body.decode(encoding, "replace").strip("\x00 ")
    if raw.startswith(_ASCII):
        raw = raw[len(_ASCII) :]
    elif raw[:8] == b"\x00" * 8:
        raw = raw[8:]
    return raw.decode("utf-8", "replace").strip("\x00 ")
