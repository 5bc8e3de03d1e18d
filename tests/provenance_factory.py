"""Provenance test inputs: a self-made certificate chain, C2PA-signed files, XMP packets, PNG text.

Everything is made here, in memory: an ECDSA P-256 root and signer
certificate (``cryptography``), manifests signed with ``c2pa-python``,
XMP packets and PNG/JPEG metadata blocks written byte by byte. Nothing is
downloaded and nothing is read from ``../shared``.

The module is plain (no pytest imports) so that tests and benchmark scripts can use it.
"""

from __future__ import annotations

import copy
import datetime as dt
import io
import struct
from dataclasses import dataclass
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

IPTC = "http://cv.iptc.org/newscodes/digitalsourcetype/"
ORGANISATION = "fakeguard tests"
SIGNER = "test signer"
PARENT_ID = "xmp:iid:fakeguard-test-parent"


@dataclass(frozen=True)
class Credentials:
    """A signing certificate chain (leaf then root, PEM), its private key and the root alone."""

    chain_pem: bytes
    key_pem: bytes
    root_pem: str


def _name(common_name: str) -> x509.Name:
    return x509.Name(
        [
            x509.NameAttribute(NameOID.COMMON_NAME, common_name),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, ORGANISATION),
        ]
    )


def _usage(signing: bool) -> x509.KeyUsage:
    return x509.KeyUsage(
        digital_signature=signing,
        content_commitment=False,
        key_encipherment=False,
        data_encipherment=False,
        key_agreement=False,
        key_cert_sign=not signing,
        crl_sign=not signing,
        encipher_only=False,
        decipher_only=False,
    )


def make_credentials() -> Credentials:
    """A root CA and a C2PA signing certificate it issued (ES256, EKU emailProtection, valid for 30 days).

    C2PA refuses self-signed signing certificates, hence the two levels.
    """
    now = dt.datetime.now(dt.timezone.utc)
    root_key = ec.generate_private_key(ec.SECP256R1())
    root = (
        x509.CertificateBuilder()
        .subject_name(_name("test root"))
        .issuer_name(_name("test root"))
        .public_key(root_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=30))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(_usage(signing=False), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(root_key.public_key()), critical=False)
        .sign(root_key, hashes.SHA256())
    )
    key = ec.generate_private_key(ec.SECP256R1())
    leaf = (
        x509.CertificateBuilder()
        .subject_name(_name(SIGNER))
        .issuer_name(root.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=30))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(_usage(signing=True), critical=True)
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.EMAIL_PROTECTION]), critical=False)
        .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(root_key.public_key()), critical=False)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .sign(root_key, hashes.SHA256())
    )
    pem = serialization.Encoding.PEM
    key_pem = key.private_bytes(pem, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    return Credentials(leaf.public_bytes(pem) + root.public_bytes(pem), key_pem, root.public_bytes(pem).decode())


def manifest(source_type: str | None = "trainedAlgorithmicMedia", agent: str = "DALL-E", action: str = "c2pa.created"):
    """A manifest definition with one action (``source_type`` None: an action without one)."""
    entry: dict[str, Any] = {"action": action, "softwareAgent": {"name": agent}}
    if source_type:
        entry["digitalSourceType"] = IPTC + source_type
    return {
        "claim_generator_info": [{"name": "fakeguard-tests", "version": "1.0"}],
        "title": "test asset",
        "assertions": [{"label": "c2pa.actions", "data": {"actions": [entry]}}],
    }


def sign(
    data: bytes,
    mime: str,
    credentials: Credentials,
    definition: dict[str, Any] | None = None,
    ingredient: tuple[bytes, str] | None = None,
) -> bytes:
    """``data`` with a C2PA manifest embedded and signed by ``credentials``.

    Args:
        data: the asset.
        mime: its MIME type (``image/jpeg``, ``video/mp4``, ``audio/wav``...).
        credentials: the signer.
        definition: the manifest (default: :func:`manifest`, an AI-generation declaration).
        ingredient: ``(bytes, mime)`` of a parent asset to record as this one's ingredient.
    """
    import c2pa

    signer = c2pa.Signer.from_info(c2pa.C2paSignerInfo(b"es256", credentials.chain_pem, credentials.key_pem, None))
    definition = definition or manifest()
    if ingredient is not None:  # the first action opens the parent, which C2PA wants named by its id
        definition = copy.deepcopy(definition)
        actions = definition["assertions"][0]["data"]["actions"]
        actions[0] = {**actions[0], "parameters": {"ingredientIds": [PARENT_ID]}}
    builder = c2pa.Builder(definition)
    if ingredient is not None:
        parent, parent_mime = ingredient
        parent_json = {"title": "parent asset", "relationship": "parentOf", "instance_id": PARENT_ID}
        builder.add_ingredient(parent_json, parent_mime, io.BytesIO(parent))
    out = io.BytesIO()
    builder.sign(signer, mime, io.BytesIO(data), out)
    return out.getvalue()


# --------------------------------------------------------------------------- XMP and PNG/JPEG blocks


def xmp_packet(body: str) -> bytes:
    """An XMP packet around ``body`` (rdf:Description content, attributes or elements)."""
    return (
        '<?xpacket begin="\ufeff" id="W5M0MpCehiHzreSzNTczkc9d"?>'
        '<x:xmpmeta xmlns:x="adobe:ns:meta/">'
        '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">'
        '<rdf:Description rdf:about="" '
        'xmlns:Iptc4xmpExt="http://iptc.org/std/Iptc4xmpExt/2008-02-29/" '
        'xmlns:xmp="http://ns.adobe.com/xap/1.0/" '
        'xmlns:tiff="http://ns.adobe.com/tiff/1.0/" '
        f"{body}</rdf:Description></rdf:RDF></x:xmpmeta>"
        '<?xpacket end="w"?>'
    ).encode()


def source_type_xmp(code: str = "trainedAlgorithmicMedia", form: str = "element") -> bytes:
    """An XMP packet declaring an IPTC digital source type as an ``element``, ``attribute`` or ``resource``."""
    url = IPTC + code
    if form == "attribute":
        return xmp_packet(f'Iptc4xmpExt:DigitalSourceType="{url}">')
    if form == "resource":
        return xmp_packet(f'><Iptc4xmpExt:DigitalSourceType rdf:resource="{url}"/>')
    return xmp_packet(f"><Iptc4xmpExt:DigitalSourceType>{url}</Iptc4xmpExt:DigitalSourceType>")


def jpeg_with_segment(jpeg: bytes, marker: int, payload: bytes) -> bytes:
    """``jpeg`` with one more segment (``0xE1`` APP1, ``0xFE`` comment...) right after its SOI."""
    return jpeg[:2] + struct.pack(">BBH", 0xFF, marker, len(payload) + 2) + payload + jpeg[2:]


def jpeg_with_xmp(jpeg: bytes, packet: bytes) -> bytes:
    """``jpeg`` with ``packet`` in an APP1 XMP segment."""
    return jpeg_with_segment(jpeg, 0xE1, b"http://ns.adobe.com/xap/1.0/\x00" + packet)


def png_with_chunk(png: bytes, chunk: bytes) -> bytes:
    """``png`` with ``chunk`` (made by ``media_factory.png_chunk``) inserted right after IHDR."""
    return png[:33] + chunk + png[33:]
