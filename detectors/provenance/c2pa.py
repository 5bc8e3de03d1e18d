"""C2PA content credentials, read and validated with ``c2pa-python``.

A C2PA manifest is a signed statement embedded in the file: which tool made
it (the claim generator), what was done (actions such as ``c2pa.created``
with an IPTC digital source type), from which ingredients, and a hash of the
bytes it covers. The library checks the signature, the hashes and the
signer's certificate chain and answers a validation state:

* ``Trusted``: intact, and the signer chains to a configured trust anchor
  -> ``signed_valid``;
* ``Valid``: intact, signer unknown (``signingCredential.untrusted``)
  -> ``signed_untrusted``;
* ``Invalid``: a hash no longer matches the bytes (``assertion.dataHash.mismatch``,
  ``assertion.bmffHash.mismatch``...) or the signature does not verify
  -> ``signed_tampered``, with the failure codes in the detail.

Each manifest of the store (the active one and its ingredients') is judged by
the failures whose URL names it, so a tampered ingredient does not taint an
intact edit, nor the other way round.

Nothing is fetched: remote manifests and OCSP look-ups are switched off.
Without ``c2pa-python`` installed the reader reports one warning and the
other readers go on.
"""

from __future__ import annotations

import json
import logging
import os
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from ..intake import MediaSource
from .signals import clip, source_type
from .tables import tables
from .types import Indication, ProvenanceSignal, TrustLevel

log = logging.getLogger(__name__)

#: intake's format names -> the MIME types the C2PA library reads. Formats it
#: cannot carry a manifest in (BMP, Matroska, Ogg, raw AAC) are left out.
C2PA_FORMATS = {
    "jpeg": "image/jpeg",
    "png": "image/png",
    "webp": "image/webp",
    "tiff": "image/tiff",
    "gif": "image/gif",
    "mp4": "video/mp4",
    "mov": "video/quicktime",
    "avi": "video/avi",
    "wav": "audio/wav",
    "flac": "audio/flac",
    "mp3": "audio/mpeg",
    "m4a": "audio/mp4",
}

NOT_INSTALLED = "c2pa reader not installed (pip install c2pa-python): content credentials were not checked"

#: Failure codes that say only that the signer (or its timestamp authority) is not
#: trusted, or that a revocation check was not made: the content itself is intact.
UNTRUSTED_CODES = frozenset(
    {
        "signingCredential.untrusted",
        "timeStamp.untrusted",
        "signingCredential.ocsp.skipped",
        "signingCredential.ocsp.inaccessible",
        "signingCredential.ocsp.unknown",
    }
)
_ACTIONS = ("c2pa.actions", "c2pa.actions.v2")
_MAX_DEPTH = 8


@dataclass
class C2paResult:
    """Signals, warnings, and whether the credentials could be checked at all."""

    signals: list[ProvenanceSignal] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    checked: bool = False


@lru_cache(maxsize=1)
def _library() -> Any:
    try:
        import c2pa
    except (ImportError, OSError):  # OSError: the wheel's native library cannot be loaded
        log.info("c2pa-python is not importable", exc_info=True)
        return None
    return c2pa


@lru_cache(maxsize=4)
def _context(pid: int, trust_anchors: str | None) -> Any:
    # Keyed by the process id too: a worker forked from a parent must not reuse the parent's native handle.
    settings: dict[str, Any] = {"verify": {"remote_manifest_fetch": False, "ocsp_fetch": False}}
    if trust_anchors:
        settings["trust"] = {"trust_anchors": trust_anchors}
    return _library().Context.from_dict(settings)


def read_c2pa(src: MediaSource, fmt: str, trust_anchors: str | None) -> C2paResult:
    """Read and validate the C2PA manifest store of ``src`` (format name ``fmt``) into signals.

    Args:
        src: the file.
        fmt: intake's format name; formats C2PA does not cover give an unchecked result.
        trust_anchors: PEM roots whose signers are trusted (None: nobody is).
    """
    mime = C2PA_FORMATS.get(fmt)
    if mime is None:
        return C2paResult()
    lib = _library()
    if lib is None:
        return C2paResult(warnings=[NOT_INSTALLED])
    try:
        context = _context(os.getpid(), trust_anchors)
    except Exception as exc:  # a malformed trust-anchor PEM: say so, read nothing
        return C2paResult(warnings=[f"C2PA trust anchors cannot be loaded ({exc}): content credentials not checked"])
    try:
        with src.open() as stream, lib.Reader(mime, stream, context=context) as reader:
            store = json.loads(reader.json())
    except lib.C2paError.ManifestNotFound:
        return C2paResult(checked=True)
    except lib.C2paError.RemoteManifest as exc:
        return C2paResult(
            warnings=[f"the file points to a remote C2PA manifest, which fakeguard does not fetch ({exc})"],
            checked=True,
        )
    except (lib.C2paError, ValueError, OSError) as exc:
        return C2paResult(warnings=[f"C2PA manifest cannot be read ({exc}): ignored"], checked=True)
    return C2paResult(signals=store_signals(store), checked=True)


def store_signals(store: dict[str, Any]) -> list[ProvenanceSignal]:
    """Signals of a manifest store as the library reports it (``Reader.json()``), active manifest first."""
    manifests = store.get("manifests") or {}
    state = store.get("validation_state")
    failures = _failures(store)
    out: list[ProvenanceSignal] = []
    seen: set[str] = set()

    def visit(label: str, source: str, depth: int) -> None:
        manifest = manifests.get(label)
        if manifest is None or label in seen or depth > _MAX_DEPTH:
            return
        seen.add(label)
        own = [(code, url) for code, url in failures if label in url]
        if depth == 0:  # failures that name no manifest belong to the active one
            own += [(code, url) for code, url in failures if not any(m in url for m in manifests)]
        trust, codes = _trust({code for code, _ in own}, state)
        out.extend(manifest_signals(manifest, source, trust, codes))
        for ingredient in manifest.get("ingredients") or []:
            child = ingredient.get("active_manifest")
            if child:
                title = ingredient.get("title") or "untitled"
                visit(child, f"C2PA manifest of ingredient '{clip(title, 60)}'", depth + 1)

    active = store.get("active_manifest")
    if active:
        visit(active, "C2PA active manifest", 0)
    return out


def _failures(store: dict[str, Any]) -> list[tuple[str, str]]:
    results = store.get("validation_results") or {}
    groups = [(results.get("activeManifest") or {}).get("failure") or []]
    groups += [
        ((delta.get("validationDeltas") or {}).get("failure") or []) for delta in results.get("ingredientDeltas") or []
    ]
    groups.append(store.get("validation_status") or [])
    found = {(str(s.get("code", "")), str(s.get("url", ""))) for group in groups for s in group if isinstance(s, dict)}
    return sorted(found)


def _trust(codes: set[str], state: str | None) -> tuple[TrustLevel, list[str]]:
    broken = sorted(codes - UNTRUSTED_CODES)
    if broken:
        return TrustLevel.SIGNED_TAMPERED, broken
    if "signingCredential.untrusted" in codes or state != "Trusted":
        return TrustLevel.SIGNED_UNTRUSTED, sorted(codes)
    return TrustLevel.SIGNED_VALID, []


def manifest_signals(
    manifest: dict[str, Any], source: str, trust: TrustLevel, codes: list[str]
) -> list[ProvenanceSignal]:
    """The manifest's claim generator, then each action that says how the content was made."""
    signer = _signer(manifest)
    generator = _claim_generator(manifest)
    tool = tables().tool(generator) if generator else None
    facts = [f"signed by {signer}" if signer else "signer unknown"]
    ingredients = manifest.get("ingredients") or []
    if ingredients:
        facts.append(f"{len(ingredients)} ingredient(s)")
    if tool is not None:
        facts.append(f"known {tool.category.replace('_', ' ')}: {tool.name}")
    if codes:
        facts.append(("validation failures: " if trust is TrustLevel.SIGNED_TAMPERED else "") + ", ".join(codes))
    out = [
        ProvenanceSignal(
            "c2pa_manifest",
            clip(generator) or "unnamed claim generator",
            source,
            trust,
            tool.indicates if tool is not None else Indication.OTHER,
            "; ".join(facts),
        )
    ]
    seen: set[str] = set()
    for assertion in manifest.get("assertions") or []:
        label = str(assertion.get("label", "")).split("__")[0]
        data = assertion.get("data")
        if not isinstance(data, dict):
            continue
        if label in _ACTIONS:
            for action in data.get("actions") or []:
                signal = _action_signal(action, source, trust, signer) if isinstance(action, dict) else None
                if signal is not None and signal.value not in seen:
                    seen.add(signal.value)
                    out.append(signal)
        elif label.startswith("stds.iptc"):
            value = next((v for k, v in data.items() if k.endswith("DigitalSourceType") and isinstance(v, str)), None)
            signal = source_type(value, f"{source}, IPTC assertion", trust) if value else None
            if signal is not None:
                out.append(signal)
    return out


def _action_signal(action: dict[str, Any], source: str, trust: TrustLevel, signer: str) -> ProvenanceSignal | None:
    """An action that declares a digital source type or names a known AI tool; other edits are left out."""
    name = str(action.get("action", "unnamed action"))
    agent = _agent_name(action.get("softwareAgent"))
    dst = action.get("digitalSourceType") or (action.get("parameters") or {}).get("digitalSourceType")
    facts = [f"software agent: {clip(agent, 80)}"] if agent else []
    if signer:
        facts.append(f"signed by {signer}")
    if isinstance(dst, str) and dst:
        known = tables().source_type(dst)
        code, indication = known if known else (clip(dst), Indication.OTHER)
        return ProvenanceSignal("c2pa_action", f"{name}: {code}", source, trust, indication, "; ".join(facts))
    tool = tables().tool(agent) if agent else None
    if tool is not None and tool.indicates in (Indication.AI_GENERATED, Indication.AI_EDITED):
        value = f"{name} by {clip(agent, 80)}"
        return ProvenanceSignal("c2pa_action", value, source, trust, tool.indicates, "; ".join(facts))
    return None


def _claim_generator(manifest: dict[str, Any]) -> str:
    info = manifest.get("claim_generator_info")
    if isinstance(info, list) and info and isinstance(info[0], dict):
        first = info[0]
        return " ".join(str(first[k]) for k in ("name", "version") if first.get(k))
    return str(manifest.get("claim_generator") or "")


def _agent_name(agent: Any) -> str:
    if isinstance(agent, dict):
        return " ".join(str(agent[k]) for k in ("name", "version") if agent.get(k))
    return str(agent) if agent else ""


def _signer(manifest: dict[str, Any]) -> str:
    info = manifest.get("signature_info") or {}
    name, issuer = info.get("common_name"), info.get("issuer")
    if name and issuer and name != issuer:
        return f"{name} ({issuer})"
    return str(name or issuer or "")
