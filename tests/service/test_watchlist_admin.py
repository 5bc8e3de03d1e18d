"""The service's watchlist admin endpoints, in-process behind the real request gate.

:class:`WatchlistAdmin` is a plain ASGI app, so these tests put the
:class:`RequestGate` in front of it and call it through httpx without starting a
server (``test_service.py`` checks that the running service mounts it at ``/admin``
behind the key). Enrolment runs the real face detector and descriptor on a drawn
face: the descriptor's numbers mean nothing on a drawing, but the same picture
scored afterwards gives the same embedding, so it matches.
"""

from __future__ import annotations

import asyncio
import io
from pathlib import Path

import httpx
import numpy as np
import pytest
from PIL import Image

from fakeguard.datasets.demo import cartoon_face
from fakeguard.service.admin import AdminSettings, WatchlistAdmin
from fakeguard.service.gate import GateSettings, RequestGate

pytest.importorskip("dlib")

KEY = "admin-test-key"
AUTH = {"Authorization": f"Bearer {KEY}"}


def png(pixels: np.ndarray) -> bytes:
    out = io.BytesIO()
    Image.fromarray(pixels).save(out, format="PNG")
    return out.getvalue()


FACE = png(cartoon_face(300, seed=2))
WALL = png(np.full((240, 320, 3), 110, np.uint8))


def call(db: Path | None, requests: list[tuple], api_key: str | None = KEY) -> list[httpx.Response]:
    """Send ``(method, path, kwargs)`` requests to the admin app behind a gate with ``api_key``."""
    admin = WatchlistAdmin(AdminSettings(api_key=api_key, watchlist=str(db) if db else None))
    gate = RequestGate(admin, GateSettings(api_key=api_key, max_upload_bytes=5_000_000))

    async def run() -> list[httpx.Response]:
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=gate), base_url="http://admin") as client:
            return [await client.request(method, path, **kwargs) for method, path, kwargs in requests]

    return asyncio.run(run())


def test_admin_endpoints_need_the_key(tmp_path):
    db = tmp_path / "results.sqlite"
    wrong, right = call(db, [("GET", "/watchlist", {}), ("GET", "/watchlist", {"headers": AUTH})])
    assert wrong.status_code == 401 and wrong.json()["error"] == "unauthorized"
    assert right.status_code == 200 and right.json() == {"people": []}


def test_without_a_configured_key_the_admin_endpoints_refuse_everything(tmp_path):
    db = tmp_path / "results.sqlite"
    files = {"photos": ("face.png", FACE)}
    answers = call(
        db,
        [
            ("GET", "/watchlist", {}),
            ("POST", "/watchlist", {"data": {"name": "Ann"}, "files": files}),
            ("DELETE", "/watchlist/Ann", {}),
        ],
        api_key=None,
    )
    assert [r.status_code for r in answers] == [403, 403, 403]
    assert all(r.json()["error"] == "forbidden" and "API key" in r.json()["reason"] for r in answers)
    assert not db.exists()  # nothing was even opened


def test_add_list_remove_round_trip_and_the_next_report_matches(tmp_path):
    from model_factory import random_face_weights

    from fakeguard.detectors.api import Detector

    db = tmp_path / "results.sqlite"
    add = {"data": {"name": " Ann Example "}, "files": [("photos", ("../../front.png", FACE))], "headers": AUTH}
    added, listed, again = call(
        db, [("POST", "/watchlist", add), ("GET", "/watchlist", {"headers": AUTH}), ("POST", "/watchlist", add)]
    )
    assert added.status_code == 201, added.text
    assert added.json()["person"] | {"enrolled_at": None} == {
        "name": "Ann Example",
        "enrolled_at": None,
        "faces": 1,
        "voices": 0,
    }
    assert [p["name"] for p in listed.json()["people"]] == ["Ann Example"]
    assert again.status_code == 409 and again.json()["error"] == "exists"

    photo = tmp_path / "same.png"
    photo.write_bytes(FACE)
    detector = Detector.load(face_model=random_face_weights(tmp_path / "face"), watchlist=db)
    report = detector.score(photo)
    assert report.faces[0].identity is not None and report.faces[0].identity.person == "Ann Example"

    removed, gone, listed = call(
        db,
        [
            ("DELETE", "/watchlist/Ann%20Example", {"headers": AUTH}),
            ("DELETE", "/watchlist/Ann%20Example", {"headers": AUTH}),
            ("GET", "/watchlist", {"headers": AUTH}),
        ],
    )
    assert removed.status_code == 200 and removed.json() == {"removed": "Ann Example", "embeddings_deleted": 1}
    assert gone.status_code == 404 and gone.json()["error"] == "unknown_person"
    assert listed.json() == {"people": []}
    assert detector.score(photo).faces[0].identity is None  # the detector saw the removal


def test_refused_uploads_are_named_and_nobody_is_enrolled(tmp_path):
    db = tmp_path / "results.sqlite"
    files = [("photos", ("front.png", FACE)), ("photos", ("wall.png", WALL))]
    refused, no_files, text, no_name, listed = call(
        db,
        [
            ("POST", "/watchlist", {"data": {"name": "Ann"}, "files": files, "headers": AUTH}),
            ("POST", "/watchlist", {"data": {"name": "Ann"}, "headers": AUTH}),
            ("POST", "/watchlist", {"data": {"name": "Ann", "photos": "/etc/passwd"}, "headers": AUTH}),
            ("POST", "/watchlist", {"files": files[:1], "headers": AUTH}),
            ("GET", "/watchlist", {"headers": AUTH}),
        ],
    )
    assert refused.status_code == 422
    body = refused.json()
    assert body["error"] == "refused" and [p["file"] for p in body["problems"]] == ["wall.png"]
    assert "no face" in body["problems"][0]["reason"]
    assert [r.status_code for r in (no_files, text, no_name)] == [400, 400, 400]
    assert listed.json() == {"people": []}


def test_a_service_without_a_watchlist_says_so(tmp_path):
    (answer,) = call(None, [("GET", "/watchlist", {"headers": AUTH})])
    assert answer.status_code == 404 and answer.json()["error"] == "no_watchlist"
    assert "FAKEGUARD_WATCHLIST" in answer.json()["reason"]
