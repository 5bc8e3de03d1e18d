"""How provenance changes a report: the one rule, in one place.

* A C2PA declaration of generative AI (``ai_generated`` or ``ai_edited``)
  that is signed, intact and by a trusted signer makes the verdict ``fake``,
  whatever the classifiers say, and leads the reasons: the maker of the file
  has said so, and nobody else could have written that statement.
* The same declaration by a signer not on the trust list, and unsigned
  AI metadata (generator settings, IPTC source type, a watermark), are
  shown as evidence among the reasons. They never change the score or the
  verdict: anyone can write them, on a real photo as well, and stripping
  them is a re-save away.
* Credentials that no longer validate (the file changed after signing) are
  a warning, ``provenance_tampered``.
* A signed declaration of capture (a camera's credentials) does not lower the
  score: a camera can photograph a screen showing a deepfake.
* Absent metadata changes nothing.
* Unreadable metadata blocks are warnings, ``provenance``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .types import Indication, ProvenanceReading, ProvenanceSignal, TrustLevel

#: Evidence lines kept in the reasons; the full list is in the provenance section.
MAX_EVIDENCE = 3

_WORDS = {Indication.AI_GENERATED: "AI generation", Indication.AI_EDITED: "AI editing"}


@dataclass(frozen=True)
class ProvenanceEffect:
    """What the provenance signals do to a report.

    Attributes:
        force_fake: a trusted signed AI declaration was found: the verdict is ``fake``.
        leading_reasons: reasons to put before the classifiers' (the decisive declaration).
        evidence: reasons to put after them (untrusted and unsigned AI claims).
        warnings: ``(code, message)`` pairs for the report's warnings.
    """

    force_fake: bool = False
    leading_reasons: list[str] = field(default_factory=list)
    evidence: list[str] = field(default_factory=list)
    warnings: list[tuple[str, str]] = field(default_factory=list)


def provenance_effect(reading: ProvenanceReading) -> ProvenanceEffect:
    """Apply the rules of the module docstring to a reading."""
    signals = reading.provenance.signals
    decisive = [s for s in signals if _is_credential(s) and s.trust is TrustLevel.SIGNED_VALID and s.declares_ai]
    leading = [f"signed content credentials declare {_WORDS[s.indicates]}: {s.value} ({_where(s)})" for s in decisive]
    evidence = []
    for s in signals:
        if not s.declares_ai or s in decisive or s.trust is TrustLevel.SIGNED_TAMPERED:
            continue
        if s.trust is TrustLevel.SIGNED_UNTRUSTED:
            evidence.append(
                f"content credentials declare {_WORDS[s.indicates]} ({s.value}), but their signer is not trusted: "
                f"evidence, not proof ({_where(s)})"
            )
        else:
            evidence.append(
                f"unsigned metadata suggests {_WORDS[s.indicates]}: {s.value} in {s.source} "
                "(anyone can write or strip it)"
            )
    warnings = [("provenance", w) for w in reading.warnings]
    tampered = [s for s in signals if s.kind == "c2pa_manifest" and s.trust is TrustLevel.SIGNED_TAMPERED]
    if tampered:
        what = "; ".join(f"{s.source}: {s.detail}" for s in tampered)
        warnings.append(
            (
                "provenance_tampered",
                "content credentials (C2PA) no longer validate: the file was changed after signing or the "
                f"signature is broken; their claims are shown but not relied on ({what})",
            )
        )
    return ProvenanceEffect(bool(decisive), leading[:MAX_EVIDENCE], evidence[:MAX_EVIDENCE], warnings)


def _is_credential(signal: ProvenanceSignal) -> bool:
    return signal.kind.startswith("c2pa_") or signal.trust is not TrustLevel.UNSIGNED


def _where(signal: ProvenanceSignal) -> str:
    return f"{signal.source}; {signal.detail}" if signal.detail else signal.source
