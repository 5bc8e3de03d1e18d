"""Fuzzing intake: whatever the bytes, the only exceptions are MediaError subclasses.

Each property runs at most 200 examples and stops drawing work after a time
budget, so the module stays bounded on a slow machine. A failure prints the
reproducing blob (``@reproduce_failure``) as Hypothesis always does.
"""

from __future__ import annotations

import time
import warnings

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fakeguard.detectors.errors import MediaError, UnsupportedMedia
from fakeguard.detectors.intake import (
    SUPPORTED_FORMATS,
    IntakeLimits,
    MediaKind,
    as_source,
    load_audio,
    load_image,
    probe,
    sample_frames,
    sniff_bytes,
)

#: Wall-clock seconds one property may spend on examples; later examples return at once.
BUDGET_S = 20.0
FUZZ_SETTINGS = settings(
    max_examples=200,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
#: Tighter than the defaults so that a mutated header cannot make one example slow.
LIMITS = IntakeLimits(max_pixels=4_000_000, max_duration_s=600.0, max_frames=50, decode_timeout_s=20.0)

_started: dict[str, float] = {}


def _within_budget(name: str) -> bool:
    start = _started.setdefault(name, time.monotonic())
    return time.monotonic() - start < BUDGET_S


#: Leading bytes of each format, so that random tails reach the decoders behind the sniffer.
MAGICS = [
    b"\xff\xd8\xff\xe0\x00\x10JFIF\x00",
    b"\x89PNG\r\n\x1a\n",
    b"GIF89a",
    b"BM",
    b"II*\x00",
    b"MM\x00*",
    b"RIFF\x00\x01\x00\x00WEBPVP8 ",
    b"RIFF\x00\x01\x00\x00WAVEfmt ",
    b"RIFF\x00\x01\x00\x00AVI LIST",
    b"fLaC",
    b"ID3\x03\x00",
    b"\xff\xfb\x90\x00",
    b"OggS\x00\x02",
    b"\x00\x00\x00\x18ftypisom\x00\x00\x02\x00isomiso2",
    b"\x00\x00\x00\x18ftypM4A \x00\x00\x02\x00M4A isom",
    b"\x00\x00\x00\x14ftypqt  \x00\x00\x02\x00qt  ",
    b"\x1aE\xdf\xa3\x01\x00\x00\x00\x00\x00\x00\x1fB\x86\x81\x01B\x82\x88matroska",
    b"\x1aE\xdf\xa3\x01\x00\x00\x00\x00\x00\x00\x1fB\x86\x81\x01B\x82\x84webm",
]


def _decode_by_kind(data: bytes, name: str) -> None:
    """probe, then the decoder for the kind the bytes claim; only MediaError may escape."""
    info = probe(data, LIMITS, name=name)
    assert info.file == name
    src = as_source(data, name=name)
    if info.kind is MediaKind.IMAGE:
        decoded = load_image(src, LIMITS)
        assert decoded.pixels.ndim == 3 and decoded.pixels.shape[2] == 3
    elif info.kind is MediaKind.AUDIO:
        decoded = load_audio(src, 16000, LIMITS)
        assert decoded.samples.ndim == 1
    else:
        for frame in sample_frames(src, fps=4, limits=LIMITS, max_frames=4):
            assert frame.pixels.ndim == 3 and frame.pixels.shape[2] == 3


def _only_media_errors(data: bytes, name: str) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # Pillow warns about corrupt EXIF; not an error
        try:
            _decode_by_kind(data, name)
        except MediaError as exc:
            assert exc.file == name, f"error names {exc.file!r}, not {name!r}"
            assert exc.reason


@FUZZ_SETTINGS
@given(st.binary(max_size=4096))
def test_sniff_bytes_on_arbitrary_bytes(data):
    try:
        sniffed = sniff_bytes(data, name="fuzz.bin")
    except UnsupportedMedia as exc:
        assert exc.file == "fuzz.bin"
    else:
        assert sniffed.format in SUPPORTED_FORMATS[sniffed.kind] and sniffed.mime


@FUZZ_SETTINGS
@given(st.sampled_from(MAGICS), st.binary(max_size=2048))
def test_sniff_bytes_on_magic_prefixed_bytes(magic, tail):
    try:
        sniffed = sniff_bytes(magic + tail, name="fuzz.bin")
    except UnsupportedMedia as exc:
        assert exc.file == "fuzz.bin"
    else:
        assert sniffed.format in SUPPORTED_FORMATS[sniffed.kind]


@FUZZ_SETTINGS
@given(st.binary(max_size=4096))
def test_probe_on_arbitrary_bytes(data):
    if _within_budget("probe_arbitrary"):
        _only_media_errors(data, "arbitrary.bin")


@FUZZ_SETTINGS
@given(st.sampled_from(MAGICS), st.binary(max_size=4096))
def test_probe_and_decode_on_magic_prefixed_bytes(magic, tail):
    if _within_budget("probe_magic"):
        _only_media_errors(magic + tail, "magic.bin")


@st.composite
def mutated_files(draw, catalogue_bytes: dict[str, bytes]):
    """A catalogue file, maybe truncated, with a few bytes overwritten (mostly in its header)."""
    key = draw(st.sampled_from(sorted(catalogue_bytes)))
    data = bytearray(catalogue_bytes[key])
    if draw(st.booleans()):
        data = data[: draw(st.integers(1, len(data)))]
    n = len(data)
    positions = st.one_of(st.integers(0, min(n, 512) - 1), st.integers(0, n - 1))
    for pos, value in draw(st.lists(st.tuples(positions, st.integers(0, 255)), max_size=16)):
        data[pos] = value
    return key, bytes(data)


@pytest.mark.slow
@FUZZ_SETTINGS
@given(st.data())
def test_probe_and_decode_on_mutated_valid_files(catalogue_bytes, data):
    key, blob = data.draw(mutated_files(catalogue_bytes))
    if _within_budget("mutated"):
        _only_media_errors(blob, f"mutated-{key}")


@pytest.mark.slow
@FUZZ_SETTINGS
@given(st.data())
def test_truncations_of_valid_files(catalogue_bytes, data):
    key = data.draw(st.sampled_from(sorted(catalogue_bytes)))
    whole = catalogue_bytes[key]
    cut = data.draw(st.integers(1, len(whole) - 1))
    if _within_budget("truncated"):
        _only_media_errors(whole[:cut], f"truncated-{key}")
