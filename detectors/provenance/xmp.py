"""XMP packets: IPTC's digital source type, the creator tool, camera and history.

IPTC's ``Iptc4xmpExt:DigitalSourceType`` is how a file states, in plain
metadata, that it is "trainedAlgorithmicMedia" (made by a generative
model), "compositeWithTrainedAlgorithmicMedia" (partly) or "digitalCapture".
Platforms label AI media from it; so does this reader, as unsigned evidence.
The properties read are the ``xmp_fields`` table of ``known_tools.yaml``.

XMP is RDF/XML, in which a property can be an attribute, an element's text,
an ``rdf:resource`` or a list of ``rdf:li`` items; every form is read. A
packet that is not well-formed XML, or that declares a DTD (XMP never
needs one, and entity expansion is the classic XML attack), is a warning.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET

from . import signals
from .tables import XmpField, tables
from .types import ProvenanceSignal

_RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"


def xmp_signals(packets: list[tuple[str, bytes]]) -> tuple[list[ProvenanceSignal], list[str]]:
    """Signals from XMP packets (``(where, bytes)`` pairs), and a warning per unreadable packet.

    A property repeated in one file (a History with ten Photoshop saves) gives one signal.
    """
    fields = {(f.ns, f.name): f for f in tables().xmp_fields}
    out: list[ProvenanceSignal] = []
    warnings: list[str] = []
    seen: set[tuple[str, str]] = set()
    for where, packet in packets:
        if b"<!DOCTYPE" in packet or b"<!ENTITY" in packet:
            warnings.append(f"{where} declares a DTD, which XMP never needs: ignored")
            continue
        try:
            root = ET.fromstring(packet)
        except ET.ParseError as exc:
            warnings.append(f"{where} is not well-formed XML ({exc}): ignored")
            continue
        make = model = ""
        for field, value in _properties(root, fields):
            if (field.label, value) in seen:
                continue
            seen.add((field.label, value))
            if field.kind == "camera_make":
                make = value
            elif field.kind == "camera_model":
                model = value
            else:
                signal = _signal(field, value)
                if signal is not None:
                    out.append(signal)
        if make or model:
            camera = signals.camera(make, model, "XMP tiff:Make/Model")
            if camera is not None:
                out.append(camera)
    return out, warnings


def _signal(field: XmpField, value: str) -> ProvenanceSignal | None:
    source = f"XMP {field.label}"
    if field.kind == "digital_source_type":
        return signals.source_type(value, source)
    return signals.software(value, source, known_only=field.known_only)


def _properties(root: ET.Element, fields: dict[tuple[str, str], XmpField]) -> list[tuple[XmpField, str]]:
    """Every ``(field, value)`` of the table in the packet, attributes and elements alike."""
    found = []
    for elem in root.iter():
        for attr, value in elem.attrib.items():
            field = fields.get(_split(attr))
            if field is not None and value.strip():
                found.append((field, value.strip()))
        field = fields.get(_split(elem.tag))
        if field is None:
            continue
        for value in _element_values(elem):
            found.append((field, value))
    return found


def _element_values(elem: ET.Element) -> list[str]:
    resource = elem.get(f"{{{_RDF}}}resource")
    if resource:
        return [resource.strip()]
    items = [li for li in elem.iter(f"{{{_RDF}}}li") if li.text and li.text.strip()]
    if items:
        return [li.text.strip() for li in items if li.text]
    return [elem.text.strip()] if elem.text and elem.text.strip() else []


def _split(tag: str) -> tuple[str, str]:
    """``{namespace}name`` -> ``(namespace, name)``."""
    if tag.startswith("{"):
        ns, _, name = tag[1:].partition("}")
        return ns, name
    return "", tag
