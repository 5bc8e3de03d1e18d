"""Sniffing: the kind and format come from the bytes, never from the file name."""

from __future__ import annotations

import random
import shutil

import media_factory as mf
import pytest

from fakeguard.detectors.errors import CorruptMedia, MediaError, MediaNotFound, UnsupportedMedia
from fakeguard.detectors.intake import (
    SUPPORTED_FORMATS,
    MediaKind,
    as_source,
    load_audio,
    load_image,
    probe,
    sniff,
    sniff_bytes,
)

CONTAINERS = {"mp4", "mov", "mkv", "webm", "avi", "ogg", "m4a"}


@pytest.mark.parametrize("key", sorted(mf.SNIFF_EXPECTED))
def test_sniff_bytes_identifies_every_format(key, catalogue_bytes):
    kind, fmt = mf.SNIFF_EXPECTED[key]
    sniffed = sniff_bytes(catalogue_bytes[key][:8192])
    assert sniffed.kind is MediaKind(kind)
    assert sniffed.format == fmt
    assert sniffed.container is (fmt in CONTAINERS)
    assert sniffed.mime.split("/")[0] in {"image", "audio", "video"}


@pytest.mark.parametrize("key", sorted(mf.SNIFF_EXPECTED))
def test_sniff_from_a_path_reads_the_same_answer(key, catalogue, catalogue_bytes):
    assert sniff(as_source(catalogue[key])) == sniff_bytes(catalogue_bytes[key])


def test_opus_in_ogg_is_audio(catalogue_bytes):
    data = catalogue_bytes["ogg_opus"]
    assert data[:4] == b"OggS" and b"OpusHead" in data[:128]
    sniffed = sniff_bytes(data)
    assert (sniffed.kind, sniffed.format, sniffed.mime) == (MediaKind.AUDIO, "ogg", "audio/ogg")


def test_renamed_mp3_is_still_audio(tmp_path, catalogue):
    renamed = tmp_path / "photo.jpg"
    shutil.copyfile(catalogue["mp3"], renamed)
    sniffed = sniff(as_source(renamed))
    assert (sniffed.kind, sniffed.format) == (MediaKind.AUDIO, "mp3")
    info = probe(renamed)
    assert (info.kind, info.format) == (MediaKind.AUDIO, "mp3")
    assert load_audio(as_source(renamed)).samples.size > 0
    with pytest.raises(UnsupportedMedia) as err:
        load_image(as_source(renamed))
    assert err.value.file == str(renamed)
    assert "mp3" in err.value.reason


def test_renamed_png_is_still_an_image(tmp_path, catalogue):
    renamed = tmp_path / "voice.wav"
    shutil.copyfile(catalogue["png"], renamed)
    assert probe(renamed).kind is MediaKind.IMAGE
    with pytest.raises(UnsupportedMedia) as err:
        load_audio(as_source(renamed))
    assert str(renamed) in str(err.value)


def _random_bytes(seed: int, n: int = 4096) -> bytes:
    rng = random.Random(seed)
    return bytes(rng.randrange(256) for _ in range(n))


@pytest.mark.parametrize("seed", range(5))
def test_random_bytes_are_unsupported(seed):
    data = _random_bytes(seed)
    with pytest.raises(UnsupportedMedia) as err:
        sniff_bytes(data, name="noise.bin")
    assert err.value.file == "noise.bin"
    assert "noise.bin" in str(err.value)
    with pytest.raises(UnsupportedMedia):
        probe(data, name="noise.bin")


@pytest.mark.parametrize(
    ("data", "mime"),
    [
        (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\nendobj\n", "application/pdf"),
        (b"PK\x03\x04\x14\x00\x00\x00\x08\x00" + bytes(64), "application/zip"),
    ],
    ids=["pdf", "zip"],
)
def test_known_non_media_formats_are_unsupported_and_named(data, mime):
    with pytest.raises(UnsupportedMedia) as err:
        sniff_bytes(data, name="invoice.jpg")
    assert err.value.file == "invoice.jpg"
    assert mime in err.value.reason
    assert err.value.code == "unsupported"
    with pytest.raises(UnsupportedMedia):
        probe(data, name="invoice.jpg")


def test_plain_text_is_unsupported():
    with pytest.raises(UnsupportedMedia, match="unrecognised content"):
        sniff_bytes(b"hello, this is not a picture\n" * 10)


def test_empty_bytes_sniff_unsupported_but_probe_reports_corrupt(tmp_path):
    with pytest.raises(UnsupportedMedia, match="empty"):
        sniff_bytes(b"", name="nothing")
    with pytest.raises(CorruptMedia, match="empty") as err:
        probe(b"", name="nothing.mp4")
    assert err.value.file == "nothing.mp4"
    empty = tmp_path / "empty.jpg"
    empty.write_bytes(b"")
    with pytest.raises(CorruptMedia, match="0 bytes") as err:
        probe(empty)
    assert err.value.file == str(empty)


@pytest.mark.parametrize("key", sorted(mf.SNIFF_EXPECTED))
def test_very_short_prefixes_never_raise_anything_but_media_errors(key, catalogue_bytes):
    data = catalogue_bytes[key]
    for n in (1, 2, 3, 4, 8, 12, 16, 20, 32):
        try:
            sniffed = sniff_bytes(data[:n])
        except MediaError as exc:
            assert isinstance(exc, UnsupportedMedia)
        else:
            assert sniffed.kind in set(MediaKind)


def test_supported_formats_table():
    assert SUPPORTED_FORMATS[MediaKind.IMAGE] == ("bmp", "gif", "jpeg", "png", "tiff", "webp")
    assert SUPPORTED_FORMATS[MediaKind.VIDEO] == ("avi", "mkv", "mov", "mp4", "webm")
    assert set(SUPPORTED_FORMATS[MediaKind.AUDIO]) == {"aac", "flac", "m4a", "mp3", "ogg", "wav"}


def test_as_source_bytes_and_names():
    src = as_source(b"abc")
    assert (src.name, src.data, src.path, src.size, src.head(2)) == ("<bytes>", b"abc", None, 3, b"ab")
    assert as_source(bytearray(b"abc"), name="x.bin").name == "x.bin"
    assert as_source(src, name="renamed").name == "renamed"
    assert as_source(src) is src


def test_as_source_missing_path_and_folder_are_not_found(tmp_path):
    missing = tmp_path / "nope.mp4"
    with pytest.raises(MediaNotFound, match="no such file") as err:
        as_source(missing)
    assert err.value.file == str(missing)
    assert err.value.code == "not_found"
    with pytest.raises(MediaNotFound, match="directory"):
        as_source(tmp_path)
    with pytest.raises(MediaNotFound, match="no such file"):
        probe(missing)
