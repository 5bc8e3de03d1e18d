"""Unsigned provenance: XMP/IPTC digital source type, EXIF fields, generator settings, damaged blocks.

Every input is written here: XMP packets, PNG text chunks, JPEG comments and
EXIF blocks around the small images of ``media_factory``. Damaged blocks
must end as warnings, never as exceptions.
"""

from __future__ import annotations

import io
import json
import zlib

import provenance_factory as pf
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from media_factory import gradient_rgb, png_chunk
from PIL import Image

from fakeguard.detectors.intake import as_source, identify
from fakeguard.detectors.provenance import Indication, ProvenanceConfig, TrustLevel, read_provenance
from fakeguard.detectors.provenance.blocks import walk
from fakeguard.detectors.provenance.exif import decode_user_comment, exif_signals
from fakeguard.detectors.provenance.png_text import text_signals
from fakeguard.detectors.provenance.verdict import provenance_effect
from fakeguard.detectors.provenance.xmp import xmp_signals

SIGNATURES = {
    "jpeg": b"\xff\xd8",
    "png": b"\x89PNG\r\n\x1a\n",
    "webp": b"RIFF\x00\x00\x00\x00WEBPVP8X",
    "tiff": b"II*\x00",
}
A1111 = (
    "portrait of a bank manager, studio light\n"
    "Negative prompt: blurry\n"
    "Steps: 30, Sampler: DPM++ 2M Karras, CFG scale: 7, Seed: 1234, Size: 512x512, "
    'Model hash: 6ce0161689, Model: v1-5-pruned-emaonly, Lora hashes: "a: 1, b: 2", Version: v1.7.0'
)


def _image(fmt: str, **save) -> bytes:
    buf = io.BytesIO()
    Image.fromarray(gradient_rgb()).save(buf, fmt, **save)
    return buf.getvalue()


@pytest.fixture(scope="module")
def jpeg() -> bytes:
    return _image("JPEG", quality=90)


@pytest.fixture(scope="module")
def png() -> bytes:
    return _image("PNG")


def _read(data: bytes, config: ProvenanceConfig | None = None):
    src, sniffed = identify(as_source(data))
    return read_provenance(src, sniffed, config=config or ProvenanceConfig())


def _only(reading, kind: str):
    found = [s for s in reading.provenance.signals if s.kind == kind]
    assert len(found) == 1, reading.provenance.signals
    return found[0]


# --------------------------------------------------------------------------- XMP


@pytest.mark.parametrize("form", ["element", "attribute", "resource"])
def test_xmp_digital_source_type_is_read_in_every_rdf_form(jpeg, form):
    reading = _read(pf.jpeg_with_xmp(jpeg, pf.source_type_xmp("trainedAlgorithmicMedia", form)))
    signal = _only(reading, "digital_source_type")
    assert signal.value == "trainedAlgorithmicMedia" and signal.indicates is Indication.AI_GENERATED
    assert signal.trust is TrustLevel.UNSIGNED and signal.source == "XMP Iptc4xmpExt:DigitalSourceType"
    assert reading.warnings == []


@pytest.mark.parametrize(
    ("code", "indication"),
    [
        ("compositeWithTrainedAlgorithmicMedia", Indication.AI_EDITED),
        ("algorithmicMedia", Indication.SYNTHETIC),
        ("digitalCapture", Indication.CAPTURED),
        ("somethingNew", Indication.OTHER),
    ],
)
def test_each_source_type_maps_to_its_indication(jpeg, code, indication):
    signal = _only(_read(pf.jpeg_with_xmp(jpeg, pf.source_type_xmp(code))), "digital_source_type")
    assert signal.value == code and signal.indicates is indication


def test_unsigned_ai_metadata_is_evidence_that_never_decides(jpeg):
    reading = _read(pf.jpeg_with_xmp(jpeg, pf.source_type_xmp()))
    effect = provenance_effect(reading)
    assert not effect.force_fake and effect.leading_reasons == []
    assert effect.evidence == [
        "unsigned metadata suggests AI generation: trainedAlgorithmicMedia in XMP Iptc4xmpExt:DigitalSourceType "
        "(anyone can write or strip it)"
    ]


def test_xmp_in_a_png_itxt_chunk_and_creator_tool_and_camera(png):
    body = (
        'xmp:CreatorTool="Adobe Photoshop 25.0 (Windows)" tiff:Make="Canon" tiff:Model="Canon EOS R5">'
        "<Iptc4xmpExt:DigitalSourceType>"
        "http://cv.iptc.org/newscodes/digitalsourcetype/compositeWithTrainedAlgorithmicMedia"
        "</Iptc4xmpExt:DigitalSourceType>"
    )
    itxt = png_chunk(b"iTXt", b"XML:com.adobe.xmp\x00\x00\x00\x00\x00" + pf.xmp_packet(body))
    reading = _read(pf.png_with_chunk(png, itxt))
    kinds = {s.kind: s for s in reading.provenance.signals}
    assert kinds["digital_source_type"].indicates is Indication.AI_EDITED
    assert kinds["software"].value == "Adobe Photoshop 25.0 (Windows)"
    assert kinds["software"].indicates is Indication.EDITED
    assert kinds["camera"].value == "Canon EOS R5" and kinds["camera"].indicates is Indication.CAPTURED
    assert reading.provenance.signals[0] is kinds["digital_source_type"]  # AI editing outranks a camera claim


# --------------------------------------------------------------------------- generator settings


def test_a_png_parameters_chunk_names_the_generator_and_its_settings(png):
    reading = _read(pf.png_with_chunk(png, png_chunk(b"tEXt", b"parameters\x00" + A1111.encode())))
    signal = _only(reading, "generator_settings")
    assert signal.value.startswith("Stable Diffusion web UI") and signal.source == "PNG tEXt 'parameters'"
    assert signal.indicates is Indication.AI_GENERATED and signal.trust is TrustLevel.UNSIGNED
    assert "Model: v1-5-pruned-emaonly" in signal.detail and "Seed: 1234" in signal.detail
    assert "prompt: portrait of a bank manager" in signal.detail
    assert reading.provenance.summary.startswith("Stable Diffusion web UI")


def test_comfyui_prompt_and_workflow_chunks_are_one_signal(png):
    graph = {"4": {"class_type": "CheckpointLoaderSimple", "inputs": {"ckpt_name": "sd_xl_base_1.0.safetensors"}}}
    chunks = png_chunk(b"tEXt", b"prompt\x00" + json.dumps(graph).encode())
    chunks += png_chunk(b"zTXt", b"workflow\x00\x00" + zlib.compress(json.dumps({"nodes": []}).encode()))
    signal = _only(_read(pf.png_with_chunk(png, chunks)), "generator_settings")
    assert signal.value == "ComfyUI" and signal.source == "PNG tEXt 'prompt', PNG zTXt 'workflow'"
    assert signal.detail == "model: sd_xl_base_1.0.safetensors"


def test_a_plain_comment_is_not_a_generator(png, jpeg):
    assert _read(pf.png_with_chunk(png, png_chunk(b"tEXt", b"Comment\x00holiday 2019"))).provenance.signals == []
    assert _read(pf.jpeg_with_segment(jpeg, 0xFE, b"holiday 2019")).provenance.signals == []


def test_settings_in_a_jpeg_comment_and_in_exif(jpeg):
    assert _only(_read(pf.jpeg_with_segment(jpeg, 0xFE, A1111.encode())), "generator_settings").source == "JPEG comment"
    exif = Image.Exif()
    exif[0x0131] = "NovelAI"
    exif[0x010F], exif[0x0110] = "Apple", "iPhone 15"
    exif.get_ifd(0x8769)[0x9286] = b"UNICODE\x00" + A1111.encode("utf-16-be")
    data = _image("JPEG", exif=exif.tobytes())
    reading = _read(data)
    kinds = {s.kind: s for s in reading.provenance.signals}
    assert kinds["generator_settings"].source == "EXIF UserComment (0x9286)"
    assert kinds["software"].value == "NovelAI" and kinds["software"].indicates is Indication.AI_GENERATED
    assert kinds["camera"].value == "Apple iPhone 15"
    assert reading.warnings == []


def test_user_comment_encodings():
    assert decode_user_comment(b"ASCII\x00\x00\x00Steps: 1") == "Steps: 1"
    assert decode_user_comment(b"UNICODE\x00" + "Steps: 1".encode("utf-16-be")) == "Steps: 1"
    assert decode_user_comment(b"UNICODE\x00" + "Steps: 1".encode("utf-16-le")) == "Steps: 1"
    assert decode_user_comment(b"\x00" * 8 + b"plain") == "plain"


# --------------------------------------------------------------------------- nothing, and damage


@pytest.mark.parametrize("fmt", ["JPEG", "PNG", "WEBP", "TIFF", "BMP", "GIF"])
def test_a_file_with_no_metadata_reports_absence(fmt):
    reading = _read(_image(fmt))
    assert reading.provenance.signals == [] and reading.warnings == []
    assert reading.provenance.summary.startswith("none found")
    assert "xmp" in reading.provenance.checked


def test_a_truncated_xmp_packet_is_a_warning(jpeg):
    packet = pf.source_type_xmp()
    reading = _read(pf.jpeg_with_xmp(jpeg, packet[: len(packet) // 2]))
    assert reading.provenance.signals == []
    assert len(reading.warnings) == 1 and "truncated" in reading.warnings[0]
    assert [code for code, _ in provenance_effect(reading).warnings] == ["provenance"]


@pytest.mark.parametrize(
    ("packet", "words"),
    [
        (b"<x:xmpmeta><rdf:RDF><unclosed></x:xmpmeta>", "not well-formed"),
        (b'<x:xmpmeta xmlns:x="adobe:ns:meta/"><!DOCTYPE x [<!ENTITY a "a">]>&a;</x:xmpmeta>', "declares a DTD"),
        (b'<x:xmpmeta xmlns:x="adobe:ns:meta/">&a;</x:xmpmeta>', "not well-formed"),  # an entity never declared
    ],
)
def test_malformed_or_hostile_xmp_is_a_warning(jpeg, packet, words):
    reading = _read(pf.jpeg_with_xmp(jpeg, packet))
    assert reading.provenance.signals == [] and len(reading.warnings) == 1 and words in reading.warnings[0]


def test_an_oversized_png_text_chunk_is_skipped_with_a_warning(png):
    huge = png_chunk(b"tEXt", b"parameters\x00" + b"Steps: 1, Sampler: x, " + b"a" * (5 << 20))
    reading = _read(pf.png_with_chunk(png, huge))
    assert reading.provenance.signals == []
    assert len(reading.warnings) == 1 and "over the 4194304-byte limit" in reading.warnings[0]


def test_a_compressed_text_bomb_is_stopped_at_the_limit(png):
    bomb = png_chunk(b"zTXt", b"parameters\x00\x00" + zlib.compress(b"a" * (64 << 20)))
    reading = _read(pf.png_with_chunk(png, bomb), ProvenanceConfig(max_text_bytes=1 << 20))
    assert (
        "PNG zTXt 'parameters' cannot be read (decompresses to more than the 1048576-byte limit)"
        in (reading.warnings[0])
    )


def test_a_text_chunk_cut_off_by_the_end_of_the_file_is_a_warning(png):
    cut = png[:33] + png_chunk(b"tEXt", b"parameters\x00" + A1111.encode())[:-30]
    blocks = walk(cut, "png", 1 << 20)
    assert blocks.texts == [] and "the file ends first" in blocks.warnings[0]


@pytest.mark.filterwarnings("ignore:Corrupt EXIF data")  # Pillow skips a cut IFD with a Python warning
@pytest.mark.parametrize(
    ("block", "reported"),
    [
        (b"Exif\x00\x00XX*\x00\x08\x00\x00\x00", True),  # not a TIFF header: unreadable, said so
        (b"Exif\x00\x00II*\x00\x08\x00\x00\x00\xff\xff" + b"\x01" * 12, False),  # a cut IFD: Pillow reads what is there
    ],
)
def test_a_damaged_exif_block_never_raises(jpeg, block, reported):
    reading = _read(pf.jpeg_with_segment(jpeg, 0xE1, block))
    assert reading.provenance.signals == []
    assert [w.startswith("EXIF block cannot be read") for w in reading.warnings] == ([True] if reported else [])


@pytest.mark.filterwarnings("ignore:Corrupt EXIF data")
@settings(max_examples=60, deadline=None)
@given(st.binary(max_size=400), st.sampled_from(["jpeg", "png", "webp", "tiff", "mp4"]))
def test_random_bytes_after_a_signature_never_raise(payload, fmt):
    head = {
        "jpeg": b"\xff\xd8",
        "png": b"\x89PNG\r\n\x1a\n",
        "webp": b"RIFF\x00\x00\x00\x00WEBPVP8X",
        "tiff": b"II*\x00",
    }
    blocks = walk(head.get(fmt, b"") + payload, fmt, 4096)

    xmp_signals(blocks.xmp)
    exif_signals(blocks.exif)
    text_signals(blocks.texts)


@settings(max_examples=40, deadline=None)
@given(st.data())
def test_mutated_metadata_blocks_never_raise(data):
    packet = pf.jpeg_with_xmp(_image("JPEG"), pf.source_type_xmp())
    start = packet.find(b"<x:xmpmeta")
    flips = data.draw(st.lists(st.integers(0, len(packet) - start - 1), max_size=6))
    mutated = bytearray(packet)
    for i in flips:
        mutated[start + i] ^= 0x5A
    reading = _read(bytes(mutated), ProvenanceConfig(watermark=False))
    assert isinstance(reading.warnings, list)


def test_the_image_pipeline_scores_a_file_whose_metadata_is_broken(tmp_path, png):
    pytest.importorskip("dlib")
    from model_factory import random_face_weights

    from fakeguard.detectors.api import Detector

    detector = Detector.load(face_model=str(random_face_weights(tmp_path / "face")))
    huge = png_chunk(b"tEXt", b"parameters\x00" + b"a" * (5 << 20))
    report = detector.score(pf.png_with_chunk(png, huge))
    assert report.provenance is not None and report.provenance.signals == []
    assert any(w.code == "provenance" and "over the" in w.message for w in report.warnings)
