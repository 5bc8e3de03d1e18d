"""What a file declares about its own origin, and how far each declaration can be trusted.

A classifier estimates; provenance can prove, but only as far as the
declaration is protected. Content credentials (C2PA) are signed: their
signature and content hash say whether the declaration is intact and who
made it. Everything else (XMP, EXIF, PNG text, an invisible watermark) is
unsigned: anyone can write it, and any re-save can strip it. Each signal
therefore carries a :class:`TrustLevel`, and the report's verdict only
follows the signed, trusted ones (see :mod:`.verdict`).

Missing metadata says nothing about a file: most real photos lose theirs on
the first upload, and so do most AI images. A report with no signal lists
what was looked for (``checked``) and says so.
"""

from __future__ import annotations

import enum
import os
from dataclasses import dataclass, field
from pathlib import Path


class TrustLevel(str, enum.Enum):
    """How far a signal can be believed, strongest first.

    * ``signed_valid``: a C2PA manifest whose signature and content hashes
      check out and whose signer chains to a configured trust anchor.
    * ``signed_untrusted``: signature and hashes check out, but the signer is
      not on the trust list (or no trust list is configured): anyone can make
      such a certificate.
    * ``signed_tampered``: a C2PA manifest that no longer validates (the bytes
      changed after signing, or the signature does not verify). Its claims are
      shown, never followed.
    * ``unsigned``: metadata or a watermark that anyone can write or strip.
    """

    SIGNED_VALID = "signed_valid"
    SIGNED_UNTRUSTED = "signed_untrusted"
    SIGNED_TAMPERED = "signed_tampered"
    UNSIGNED = "unsigned"


class Indication(str, enum.Enum):
    """What a signal says about the media's origin.

    * ``ai_generated``: made by a generative model (IPTC ``trainedAlgorithmicMedia``,
      a generator's settings, a generator's watermark).
    * ``ai_edited``: a capture or artwork changed with a generative model
      (``compositeWithTrainedAlgorithmicMedia``, an AI editing tool).
    * ``synthetic``: made by an algorithm or by hand, without a generative
      model (``algorithmicMedia``, ``digitalArt``, ``compositeSynthetic``).
    * ``edited``: a capture changed by a person or a conventional editor.
    * ``captured``: a camera or a scanner, by its own account.
    * ``other``: a fact about the file (a signer, an unknown tool) that says
      nothing on its own about how the content was made.
    """

    AI_GENERATED = "ai_generated"
    AI_EDITED = "ai_edited"
    SYNTHETIC = "synthetic"
    EDITED = "edited"
    CAPTURED = "captured"
    OTHER = "other"


#: Indications that declare generative AI: a signed, trusted one makes the verdict ``fake``.
AI_INDICATIONS = frozenset({Indication.AI_GENERATED, Indication.AI_EDITED})

_TRUST_RANK = {
    TrustLevel.SIGNED_VALID: 0,
    TrustLevel.SIGNED_UNTRUSTED: 1,
    TrustLevel.UNSIGNED: 2,
    TrustLevel.SIGNED_TAMPERED: 3,
}
_INDICATION_RANK = {ind: i for i, ind in enumerate(Indication)}


@dataclass(frozen=True)
class ProvenanceSignal:
    """One thing the file says about its origin.

    Attributes:
        kind: ``c2pa_manifest``, ``c2pa_action``, ``digital_source_type``,
            ``software``, ``camera``, ``generator_settings`` or ``watermark``.
        value: what it says, in a few words ("c2pa.created: trainedAlgorithmicMedia",
            "Adobe Photoshop 25.0", "Stable Diffusion web UI").
        source: where it was found ("C2PA active manifest", "XMP Iptc4xmpExt:DigitalSourceType",
            "EXIF Software (0x0131)", "PNG tEXt 'parameters'", "DWT-DCT watermark").
        trust: how far it can be believed.
        indicates: what it says about the origin.
        detail: supporting facts (the signer, a model name, a bit accuracy), or empty.
    """

    kind: str
    value: str
    source: str
    trust: TrustLevel
    indicates: Indication = Indication.OTHER
    detail: str = ""

    @property
    def declares_ai(self) -> bool:
        return self.indicates in AI_INDICATIONS

    def rank(self) -> tuple[int, int]:
        """Sort key, strongest first: trust, then how much the indication says about AI."""
        return _TRUST_RANK[self.trust], _INDICATION_RANK[self.indicates]


@dataclass(frozen=True)
class Provenance:
    """The report's provenance section.

    Attributes:
        signals: everything found, strongest first (see :meth:`ProvenanceSignal.rank`).
        checked: what was looked for: ``c2pa``, ``xmp``, ``exif``, ``text`` (PNG text
            chunks, JPEG comments), ``watermark``. A reader that is not installed, or
            does not apply to the format, is absent here.
        summary: the strongest signal in one line, or what was looked for and not
            found. This is the field for one column of a table (scan exports).
    """

    signals: list[ProvenanceSignal] = field(default_factory=list)
    checked: list[str] = field(default_factory=list)
    summary: str = ""


@dataclass(frozen=True)
class ProvenanceReading:
    """What :func:`~fakeguard.detectors.provenance.read_provenance` returns.

    Attributes:
        provenance: the report section.
        warnings: unreadable metadata blocks and missing readers, as sentences.
            Never a reason to stop: a broken XMP packet is a warning, the file is
            still scored.
        seconds: time spent reading.
    """

    provenance: Provenance
    warnings: list[str] = field(default_factory=list)
    seconds: float = 0.0


#: Environment variable naming a PEM file of trusted C2PA signing roots (such as the
#: C2PA trust list). Without it no signer is trusted: valid signatures report
#: ``signed_untrusted`` and never decide a verdict.
TRUST_ANCHORS_ENV = "FAKEGUARD_C2PA_TRUST_ANCHORS"


@dataclass(frozen=True)
class ProvenanceConfig:
    """How provenance is read.

    Attributes:
        trust_anchors: PEM text of the root certificates whose C2PA signers are
            trusted. fakeguard ships none (it never downloads one): point
            ``FAKEGUARD_C2PA_TRUST_ANCHORS`` at the C2PA trust list, or at your own roots.
        watermark: look for the invisible watermarks of :mod:`.watermark` in images.
        max_text_bytes: a PNG text chunk, JPEG comment or XMP packet larger than this
            (after decompression) is skipped with a warning.
        scan_bytes: audio and video files are searched for XMP in their first and
            last this many bytes (a movie's metadata sits in its header or trailer).
    """

    trust_anchors: str | None = None
    watermark: bool = True
    max_text_bytes: int = 4 << 20
    scan_bytes: int = 4 << 20

    @classmethod
    def from_env(cls) -> ProvenanceConfig:
        """Defaults, with trust anchors read from :data:`TRUST_ANCHORS_ENV` when it is set.

        Raises:
            OSError: the variable names a file that cannot be read (a misconfiguration
                that should stop the service, not silently trust nobody).
        """
        path = os.environ.get(TRUST_ANCHORS_ENV)
        return cls(trust_anchors=Path(path).read_text() if path else None)
