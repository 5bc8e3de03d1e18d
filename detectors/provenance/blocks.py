"""Metadata blocks out of a file's container structure, without decoding a pixel.

JPEG segments, PNG chunks and WebP chunks are walked by their length fields
(a few microseconds per file), collecting the blocks the readers need: raw
EXIF, XMP packets, PNG text chunks and JPEG comments. Other formats (TIFF,
GIF, audio and video containers) are searched for XMP packets by their
``<x:xmpmeta`` marker, the "packet scanning" the XMP specification provides
for files whose structure a reader does not know.

A damaged block becomes a warning and the walk goes on where it can: a
truncated XMP packet or an oversized text chunk never stops scoring.
"""

from __future__ import annotations

import struct
import zlib
from dataclasses import dataclass, field

#: XMP's namespace header in a JPEG APP1 segment.
_JPEG_XMP = b"http://ns.adobe.com/xap/1.0/\x00"
_JPEG_EXIF = b"Exif\x00\x00"
_PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
_PNG_TEXT = {b"tEXt", b"zTXt", b"iTXt"}
_PNG_XMP_KEY = "XML:com.adobe.xmp"
_XMP_START = (b"<x:xmpmeta", b"<x:xapmeta")
_XMP_END = (b"</x:xmpmeta>", b"</x:xapmeta>")


@dataclass(frozen=True)
class TextBlock:
    """A piece of free text a generator may have written.

    Attributes:
        key: the PNG keyword (``parameters``, ``prompt``...), None for a JPEG comment.
        text: the decoded text.
        where: the block in words ("PNG tEXt 'parameters'", "JPEG comment").
    """

    key: str | None
    text: str
    where: str


@dataclass
class Blocks:
    """What a walk found. ``xmp`` holds ``(where, packet bytes)`` pairs."""

    exif: list[bytes] = field(default_factory=list)
    xmp: list[tuple[str, bytes]] = field(default_factory=list)
    texts: list[TextBlock] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def walk(data: bytes, fmt: str, max_text_bytes: int) -> Blocks:
    """Collect the metadata blocks of ``data``, a whole file of format ``fmt`` (intake's format name).

    Args:
        data: the file's bytes (or, for audio and video, a head and a tail window of them).
        fmt: ``jpeg``, ``png``, ``webp``, ``tiff``... Formats without a walker are scanned for XMP.
        max_text_bytes: text and XMP blocks larger than this (decompressed) are skipped with a warning.
    """
    blocks = Blocks()
    walker = {"jpeg": _walk_jpeg, "png": _walk_png, "webp": _walk_webp}.get(fmt)
    if walker is not None:
        walker(data, blocks, max_text_bytes)
    else:
        if fmt == "tiff":
            blocks.exif.append(data)  # a TIFF's first IFD is where EXIF's Software/Make/Model live
        scan_xmp(data, blocks, max_text_bytes)
    return blocks


def scan_xmp(data: bytes, blocks: Blocks, max_text_bytes: int, where: str = "XMP packet") -> None:
    """Find every ``<x:xmpmeta>...</x:xmpmeta>`` element in ``data``."""
    pos = 0
    while True:
        hits = [(i, n) for n, m in enumerate(_XMP_START) if (i := data.find(m, pos)) >= 0]
        if not hits:
            return
        start, which = min(hits)
        end = data.find(_XMP_END[which], start)
        if end < 0:
            blocks.warnings.append(f"{where} at byte {start} is truncated (no closing tag): ignored")
            return
        end += len(_XMP_END[which])
        _add_xmp(blocks, f"{where} at byte {start}", data[start:end], max_text_bytes)
        pos = end


def _add_xmp(blocks: Blocks, where: str, packet: bytes, max_text_bytes: int) -> None:
    if len(packet) > max_text_bytes:
        blocks.warnings.append(f"{where} is {len(packet)} bytes, over the {max_text_bytes}-byte limit: ignored")
    else:
        blocks.xmp.append((where, packet))


# --------------------------------------------------------------------------- JPEG

# Markers that stand alone, without a length: TEM, RSTn, SOI.
_STANDALONE = {0x01, *range(0xD0, 0xD9)}


def _walk_jpeg(data: bytes, blocks: Blocks, max_text_bytes: int) -> None:
    pos, n = 2, len(data)
    while pos + 4 <= n:
        if data[pos] != 0xFF:
            blocks.warnings.append(f"JPEG segment structure broken at byte {pos}: later metadata not read")
            return
        marker = data[pos + 1]
        if marker == 0xFF:  # fill byte
            pos += 1
            continue
        if marker in _STANDALONE:
            pos += 2
            continue
        if marker in (0xD9, 0xDA):  # end of image, start of scan: no metadata after this point
            return
        (length,) = struct.unpack(">H", data[pos + 2 : pos + 4])
        body = data[pos + 4 : pos + 2 + length]
        if length < 2 or len(body) < length - 2:
            if marker in (0xE1, 0xFE):
                blocks.warnings.append(f"JPEG metadata segment at byte {pos} is truncated: ignored")
            return
        if marker == 0xE1 and body.startswith(_JPEG_EXIF):
            blocks.exif.append(body)
        elif marker == 0xE1 and body.startswith(_JPEG_XMP):
            packet = body[len(_JPEG_XMP) :]
            if b"<x:xmpmeta" in packet or b"<x:xapmeta" in packet:
                scan_xmp(packet, blocks, max_text_bytes, where=f"XMP (JPEG APP1 at byte {pos})")
            else:
                blocks.warnings.append(f"XMP (JPEG APP1 at byte {pos}) holds no xmpmeta element: ignored")
        elif marker == 0xFE:
            blocks.texts.append(TextBlock(None, _decode_text(body), "JPEG comment"))
        pos += 2 + length


# --------------------------------------------------------------------------- PNG


def _walk_png(data: bytes, blocks: Blocks, max_text_bytes: int) -> None:
    pos, n = len(_PNG_SIGNATURE), len(data)
    while pos + 8 <= n:
        length, kind = struct.unpack(">I4s", data[pos : pos + 8])
        if kind == b"IEND":
            return
        body = data[pos + 8 : pos + 8 + length]
        if len(body) < length:
            if kind in _PNG_TEXT or kind == b"eXIf":
                blocks.warnings.append(
                    f"PNG {kind.decode('latin-1')} chunk at byte {pos} declares {length} bytes "
                    f"but the file ends first: ignored"
                )
            return
        if kind in _PNG_TEXT:
            _png_text(kind, body, pos, blocks, max_text_bytes)
        elif kind == b"eXIf":
            blocks.exif.append(body)
        pos += 12 + length


def _png_text(kind: bytes, body: bytes, pos: int, blocks: Blocks, max_text_bytes: int) -> None:
    name = kind.decode("latin-1")
    key_raw, sep, rest = body.partition(b"\x00")
    key = key_raw.decode("latin-1", "replace")
    where = f"PNG {name} '{key}'"
    if not sep or not key:
        blocks.warnings.append(f"PNG {name} chunk at byte {pos} has no keyword: ignored")
        return
    if len(body) > max_text_bytes:
        blocks.warnings.append(f"{where} is {len(body)} bytes, over the {max_text_bytes}-byte limit: ignored")
        return
    try:
        if kind == b"tEXt":
            raw, utf8 = rest, False
        elif kind == b"zTXt":
            raw, utf8 = _inflate(rest[1:], max_text_bytes), False
        else:  # iTXt: compression flag, method, language\0, translated keyword\0, text
            if len(rest) < 2:
                raise ValueError("header cut short")
            compressed = rest[0] == 1
            _lang, _, after = rest[2:].partition(b"\x00")
            _translated, _, text = after.partition(b"\x00")
            raw, utf8 = (_inflate(text, max_text_bytes) if compressed else text), True
    except ValueError as exc:
        blocks.warnings.append(f"{where} cannot be read ({exc}): ignored")
        return
    if key == _PNG_XMP_KEY:
        _add_xmp(blocks, f"XMP ({where})", raw, max_text_bytes)
        return
    text = raw.decode("utf-8", "replace") if utf8 else raw.decode("latin-1")
    blocks.texts.append(TextBlock(key, text, where))


def _inflate(data: bytes, limit: int) -> bytes:
    """zlib-decompress at most ``limit`` bytes (a small chunk can inflate to gigabytes)."""
    inflater = zlib.decompressobj()
    try:
        out = inflater.decompress(data, limit)
    except zlib.error as exc:
        raise ValueError(f"bad compressed data: {exc}") from exc
    if inflater.unconsumed_tail:
        raise ValueError(f"decompresses to more than the {limit}-byte limit")
    return out


# --------------------------------------------------------------------------- WebP


def _walk_webp(data: bytes, blocks: Blocks, max_text_bytes: int) -> None:
    pos, n = 12, len(data)
    while pos + 8 <= n:
        kind, length = struct.unpack("<4sI", data[pos : pos + 8])
        body = data[pos + 8 : pos + 8 + length]
        if len(body) < length:
            if kind in (b"EXIF", b"XMP "):
                name = kind.decode("latin-1").strip()
                blocks.warnings.append(f"WebP {name} chunk at byte {pos} is truncated: ignored")
            return
        if kind == b"EXIF":
            blocks.exif.append(body)
        elif kind == b"XMP ":
            scan_xmp(body, blocks, max_text_bytes, where=f"XMP (WebP chunk at byte {pos})")
        pos += 8 + length + (length & 1)


def _decode_text(raw: bytes) -> str:
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return raw.decode("latin-1")
