"""C2PA content credentials: files signed here with a self-made certificate, read back, tampered with.

Covers the trust levels (untrusted signer, trusted through a configured
anchor, tampered after signing) on a JPEG, a PNG, an MP4 and a WAV, the
verdict rule through the image and audio pipelines, ingredients, and a
missing ``c2pa-python``.
"""

from __future__ import annotations

import provenance_factory as pf
import pytest

from fakeguard.detectors.intake import as_source, identify
from fakeguard.detectors.provenance import (
    Indication,
    ProvenanceConfig,
    TrustLevel,
    read_provenance,
)
from fakeguard.detectors.provenance import c2pa as c2pa_reader
from fakeguard.detectors.provenance.verdict import provenance_effect
from fakeguard.detectors.report import Report, Verdict

pytest.importorskip("c2pa")

ALGORITHMIC = pf.IPTC + "algorithmicMedia"
MIMES = {"jpeg": "image/jpeg", "png": "image/png", "mp4": "video/mp4", "wav": "audio/wav"}


@pytest.fixture(scope="module")
def credentials() -> pf.Credentials:
    return pf.make_credentials()


@pytest.fixture(scope="module")
def originals(tmp_path_factory, credentials) -> dict[str, bytes]:
    """A small file of each of the four formats, unsigned."""
    import media_factory as mf

    folder = tmp_path_factory.mktemp("c2pa")
    paths = {
        "jpeg": mf.write_jpeg(folder),
        "png": mf.write_image(folder, "PNG"),
        "mp4": mf.write_video(folder, audio=True),
        "wav": mf.write_wav(folder),
    }
    return {kind: path.read_bytes() for kind, path in paths.items()}


@pytest.fixture(scope="module")
def signed(originals, credentials) -> dict[str, bytes]:
    """Each file signed with an AI-generation declaration (``c2pa.created``, ``trainedAlgorithmicMedia``)."""
    return {kind: pf.sign(data, MIMES[kind], credentials) for kind, data in originals.items()}


def _read(data: bytes, config: ProvenanceConfig | None = None, name: str = "<bytes>"):
    src, sniffed = identify(as_source(data, name))
    return read_provenance(src, sniffed, config=config or ProvenanceConfig())


def _content_offset(kind: str, data: bytes) -> int:
    """A byte inside the signed content (pixels, samples, frames), away from the manifest."""
    if kind == "jpeg":
        return data.rfind(b"\xff\xd9") - 8
    if kind == "png":
        return data.rfind(b"IDAT") + 12
    if kind == "mp4":
        return data.find(b"mdat") + 24
    return data.find(b"data") + 100  # the WAV's samples (its C2PA chunk comes after them)


@pytest.mark.parametrize("kind", list(MIMES))
def test_a_signed_file_reports_its_manifest_and_an_untrusted_signer(signed, kind):
    reading = _read(signed[kind])
    assert "c2pa" in reading.provenance.checked and not reading.warnings
    by_kind = {s.kind: s for s in reading.provenance.signals}
    action, manifest = by_kind["c2pa_action"], by_kind["c2pa_manifest"]
    assert action.value == "c2pa.created: trainedAlgorithmicMedia"
    assert action.indicates is Indication.AI_GENERATED and action.trust is TrustLevel.SIGNED_UNTRUSTED
    assert "DALL-E" in action.detail and pf.SIGNER in action.detail
    assert manifest.value == "fakeguard-tests 1.0" and manifest.source == "C2PA active manifest"
    assert "signingCredential.untrusted" in manifest.detail
    assert reading.provenance.signals[0] == action  # the declaration outranks the bare manifest


@pytest.mark.parametrize("kind", list(MIMES))
def test_a_configured_trust_anchor_makes_the_signer_trusted(signed, credentials, kind):
    reading = _read(signed[kind], ProvenanceConfig(trust_anchors=credentials.root_pem))
    assert {s.trust for s in reading.provenance.signals} == {TrustLevel.SIGNED_VALID}
    effect = provenance_effect(reading)
    assert effect.force_fake
    assert effect.leading_reasons[0].startswith("signed content credentials declare AI generation")


@pytest.mark.parametrize("kind", list(MIMES))
def test_bytes_changed_after_signing_report_tampering(signed, credentials, kind):
    data = bytearray(signed[kind])
    data[_content_offset(kind, data)] ^= 0xFF
    reading = _read(bytes(data), ProvenanceConfig(trust_anchors=credentials.root_pem))
    manifest = next(s for s in reading.provenance.signals if s.kind == "c2pa_manifest")
    assert manifest.trust is TrustLevel.SIGNED_TAMPERED
    assert "mismatch" in manifest.detail  # assertion.dataHash.mismatch or assertion.bmffHash.mismatch
    effect = provenance_effect(reading)
    assert not effect.force_fake and not effect.leading_reasons  # a broken declaration decides nothing
    assert [code for code, _ in effect.warnings] == ["provenance_tampered"]


def test_an_unsigned_file_has_no_credentials_and_says_absence_is_not_evidence(originals):
    reading = _read(originals["jpeg"])
    assert reading.provenance.signals == [] and reading.warnings == []
    assert reading.provenance.summary.startswith("none found (checked: c2pa")
    assert "absence says nothing" in reading.provenance.summary
    effect = provenance_effect(reading)
    assert not effect.force_fake and effect.evidence == [] and effect.warnings == []


def test_a_signed_capture_is_shown_and_changes_nothing(originals, credentials):
    data = pf.sign(originals["jpeg"], "image/jpeg", credentials, pf.manifest("digitalCapture", agent="Camera app"))
    reading = _read(data, ProvenanceConfig(trust_anchors=credentials.root_pem))
    action = next(s for s in reading.provenance.signals if s.kind == "c2pa_action")
    assert action.indicates is Indication.CAPTURED and action.trust is TrustLevel.SIGNED_VALID
    effect = provenance_effect(reading)
    assert not effect.force_fake and effect.evidence == [] and effect.leading_reasons == []


def test_an_ai_generated_ingredient_is_found_through_the_edit(originals, credentials):
    parent = pf.sign(originals["jpeg"], "image/jpeg", credentials)
    edit = pf.manifest(None, agent="Adobe Photoshop", action="c2pa.opened")
    child = pf.sign(originals["jpeg"], "image/jpeg", credentials, edit, ingredient=(parent, "image/jpeg"))
    reading = _read(child, ProvenanceConfig(trust_anchors=credentials.root_pem))
    sources = {s.source for s in reading.provenance.signals}
    assert "C2PA manifest of ingredient 'parent asset'" in sources
    parent_action = next(s for s in reading.provenance.signals if s.source.startswith("C2PA manifest of ingredient"))
    assert parent_action.indicates is Indication.AI_GENERATED and parent_action.trust is TrustLevel.SIGNED_VALID
    manifest = next(s for s in reading.provenance.signals if s.source == "C2PA active manifest")
    assert "1 ingredient(s)" in manifest.detail


def test_a_missing_c2pa_library_is_a_warning_and_the_other_readers_go_on(monkeypatch, signed):
    monkeypatch.setattr(c2pa_reader, "_library", lambda: None)
    reading = _read(signed["jpeg"])
    assert reading.warnings == [c2pa_reader.NOT_INSTALLED]
    assert "c2pa" not in reading.provenance.checked and "xmp" in reading.provenance.checked
    assert [code for code, _ in provenance_effect(reading).warnings] == ["provenance"]


def test_a_damaged_manifest_store_is_a_warning(signed):
    data = bytearray(signed["jpeg"])
    at = data.find(b"jumb") + 100  # inside the manifest store's boxes
    data[at : at + 16] = b"\xff" * 16
    reading = _read(bytes(data))
    assert len(reading.warnings) == 1 and reading.warnings[0].startswith("C2PA manifest cannot be read")
    assert reading.provenance.signals == []


def test_failures_are_charged_to_the_manifest_they_name():
    store = {
        "active_manifest": "urn:c2pa:child",
        "validation_state": "Invalid",
        "manifests": {
            "urn:c2pa:child": {
                "claim_generator_info": [{"name": "Editor"}],
                "ingredients": [{"title": "base", "active_manifest": "urn:c2pa:parent"}],
                "signature_info": {"common_name": "Editor Inc"},
            },
            "urn:c2pa:parent": {
                "claim_generator_info": [{"name": "Generator"}],
                "assertions": [
                    {
                        "label": "c2pa.actions.v2",
                        "data": {
                            "actions": [{"action": "c2pa.created", "digitalSourceType": pf.IPTC + "algorithmicMedia"}]
                        },
                    }
                ],
            },
        },
        "validation_results": {
            "activeManifest": {"failure": [{"code": "signingCredential.untrusted", "url": "urn:c2pa:child/sig"}]},
            "ingredientDeltas": [
                {"validationDeltas": {"failure": [{"code": "assertion.dataHash.mismatch", "url": "urn:c2pa:parent/h"}]}}
            ],
        },
    }
    signals = c2pa_reader.store_signals(store)
    trust = {s.source: s.trust for s in signals if s.kind == "c2pa_manifest"}
    assert trust == {
        "C2PA active manifest": TrustLevel.SIGNED_UNTRUSTED,
        "C2PA manifest of ingredient 'base'": TrustLevel.SIGNED_TAMPERED,
    }
    action = next(s for s in signals if s.kind == "c2pa_action")
    assert action.value == "c2pa.created: algorithmicMedia" and action.indicates is Indication.SYNTHETIC


# --------------------------------------------------------------------------- through the pipelines


@pytest.fixture(scope="module")
def detector(tmp_path_factory):
    pytest.importorskip("dlib")
    from model_factory import random_face_weights

    from fakeguard.detectors.api import Detector

    return Detector.load(face_model=str(random_face_weights(tmp_path_factory.mktemp("w") / "face")))


def test_a_trusted_ai_declaration_makes_an_image_fake_whatever_the_classifier_says(detector, signed, credentials):
    from fakeguard.detectors.pipelines.image import score_image

    src, sniffed = identify(as_source(signed["jpeg"], "signed.jpg"))
    config = ProvenanceConfig(trust_anchors=credentials.root_pem)
    report = score_image(src, sniffed, detector.face, provenance_config=config)
    assert report.score is None  # a gradient has no face: the classifier has nothing to say
    assert report.verdict is Verdict.FAKE
    assert report.reasons[0].startswith("signed content credentials declare AI generation: c2pa.created")
    assert report.provenance is not None and report.provenance.signals[0].trust is TrustLevel.SIGNED_VALID
    assert "provenance" in {t.stage for t in report.timings}
    again = Report.from_dict(report.to_dict())
    assert again.provenance == report.provenance


def test_an_untrusted_declaration_is_evidence_and_leaves_the_verdict_alone(detector, signed, originals):
    from fakeguard.detectors.pipelines.audio import score_audio

    src, sniffed = identify(as_source(signed["wav"], "signed.wav"))
    report = score_audio(src, sniffed, detector.voice, provenance_config=ProvenanceConfig())
    plain = score_audio(*identify(as_source(originals["wav"], "plain.wav")), detector.voice)  # same samples
    assert report.score == plain.score and report.verdict == detector.thresholds.verdict(report.score)
    assert any("signer is not trusted" in r for r in report.reasons)
    assert report.provenance is not None and report.provenance.summary.startswith(
        "c2pa.created: trainedAlgorithmicMedia"
    )


def test_a_trusted_declaration_on_a_video_makes_it_fake(detector, signed, credentials):
    from fakeguard.detectors.pipelines.video import score_video

    src, sniffed = identify(as_source(signed["mp4"], "signed.mp4"))
    config = ProvenanceConfig(trust_anchors=credentials.root_pem)
    report = score_video(src, sniffed, detector.face, detector.voice, provenance_config=config)
    assert report.verdict is Verdict.FAKE
    assert report.reasons[0].startswith("signed content credentials declare AI generation")
    assert report.media is not None and report.media.has_audio  # the signed clip still decodes
    assert "provenance" in {t.stage for t in report.timings}


def test_an_unforeseen_manifest_shape_is_a_warning_not_a_crash(monkeypatch, signed):
    def broken(*_args):
        raise AttributeError("'str' object has no attribute 'get'")

    monkeypatch.setattr(c2pa_reader, "store_signals", broken)
    reading = _read(signed["jpeg"])
    assert reading.warnings == [
        "C2PA reader failed (AttributeError: 'str' object has no attribute 'get'): its signals are missing"
    ]
    assert "xmp" in reading.provenance.checked
