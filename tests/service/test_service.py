"""The REST service over HTTP: one real server (``fakeguard serve``) on a loopback port for the module.

The ``server`` fixture (``conftest.py``) runs it with an API key and a small upload limit
(``server.limit``). A few pure parts (the request gate, name cleaning, the serve command's
environment) are also tested in-process.
"""

from __future__ import annotations

import json
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from types import SimpleNamespace

import bentoml
import click
import httpx
import pytest

from fakeguard.service.cli.serve_cmd import serve_argv, serve_env
from fakeguard.service.service import Fakeguard, GateSettings, RequestGate, safe_name


@pytest.fixture(scope="module")
def media(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """A face photo, a 2 s tone, a 2 s clip with a moving face and sound, and broken files."""
    import media_factory as mf

    folder = tmp_path_factory.mktemp("media")
    frames = [mf.face_scene(320, 240, [(60 + 2 * i, 30, 180)]) for i in range(20)]
    video = mf.write_video(folder, "mp4", name="talk.mp4", frames=frames, fps=10, width=320, height=240, audio=True)
    cut = folder / "cut.mp4"
    cut.write_bytes(video.read_bytes()[:3000])
    text = folder / "notes.jpg"
    text.write_bytes(b"this is text, not a JPEG\n" * 20)
    return {
        "image": mf.write_jpeg(folder, "face.jpg", pixels=mf.face_scene(320, 240, [(70, 30, 180)])),
        "audio": mf.write_wav(folder, "voice.wav", seconds=2.0),
        "video": video,
        "corrupt": cut,
        "text": text,
    }


def _without_timings(report: dict) -> dict:
    return {k: v for k, v in report.items() if k != "timings"}


def _log_record(log: Path, request_id: str) -> dict:
    """The server's JSON log line for one request (BentoML prefixes a time stamp and suffixes a trace).

    The line is written just after the answer goes out, so it may trail the response a little.
    """
    deadline = time.monotonic() + 10
    while True:
        lines = [line for line in log.read_text().splitlines() if f'"request_id": "{request_id}"' in line]
        if lines or time.monotonic() > deadline:
            break
        time.sleep(0.1)
    assert lines, f"no log line for request {request_id}"
    return json.loads(lines[-1][lines[-1].index("{") : lines[-1].rindex("}") + 1])


# --------------------------------------------------------------------------- scoring over HTTP


def test_image_with_a_face_gives_an_image_report_with_faces(server, media):
    with bentoml.SyncHTTPClient(server.url, token=server.key) as client:
        report = client.score(file=media["image"])
    assert report["kind"] == "image" and report["file"] == "face.jpg"
    assert report["verdict"] in {"fake", "real", "uncertain"}
    assert len(report["faces"]) >= 1 and 0.0 <= report["faces"][0]["score"] <= 1.0
    assert report["faces"][0]["heatmap_png"] is None


def test_heatmaps_flag_adds_overlays(server, media):
    response = server.post("score_image", media["image"], form={"heatmaps": "true"})
    assert response.status_code == 200
    assert response.json()["faces"][0]["heatmap_png"]


def test_audio_gives_speech_segments(server, media):
    with bentoml.SyncHTTPClient(server.url, token=server.key) as client:
        report = client.score_audio(file=media["audio"])
    assert report["kind"] == "audio" and report["faces"] == []
    assert report["speech_segments"] and report["speech_segments"][0]["end_s"] > report["speech_segments"][0]["start_s"]


def test_video_gives_face_tracks_and_a_timeline(server, media):
    response = server.post("score_video", media["video"])
    assert response.status_code == 200, response.text
    report = response.json()
    assert report["kind"] == "video"
    assert report["face_tracks"] and report["timeline"] and report["speech_segments"]


@pytest.mark.parametrize(
    ("endpoint", "key", "found"),
    [("score_image", "audio", "audio"), ("score_audio", "video", "video"), ("score_video", "image", "image")],
)
def test_kind_endpoints_refuse_another_kind_with_415(server, media, endpoint, key, found):
    response = server.post(endpoint, media[key])
    assert response.status_code == 415
    body = response.json()
    assert body["error"] == "unsupported" and body["found"] == found
    assert body["expected"] == endpoint.removeprefix("score_") and body["file"] == media[key].name


def test_corrupt_file_is_422_naming_file_and_reason(server, media):
    response = server.post("score", media["corrupt"])
    assert response.status_code == 422
    body = response.json()
    assert body["error"] == "corrupt" and body["file"] == "cut.mp4" and body["reason"]


def test_bytes_of_no_known_kind_are_415(server, media):
    response = server.post("score", media["text"])
    assert response.status_code == 415 and response.json()["error"] == "unsupported"


def test_text_or_url_in_the_file_field_is_refused_not_fetched(server):
    for form in ({"file": "https://example.com/photo.jpg"}, {"file": "/etc/passwd"}):
        response = httpx.post(f"{server.url}/score", data=form, headers=server.auth, timeout=30)
        assert response.status_code == 400 and response.json()["error"] == "bad_request"
    response = httpx.post(f"{server.url}/score", json={"file": "/etc/passwd"}, headers=server.auth, timeout=30)
    assert response.status_code == 400  # a path in JSON is never read from the server's disk


def test_client_file_names_are_reduced_to_a_safe_label(server, media):
    response = server.post("score", media["audio"], name="../../etc/voice.wav")
    assert response.status_code == 200 and response.json()["file"] == "voice.wav"


# --------------------------------------------------------------------------- limits and keys


def test_declared_upload_over_the_limit_is_413_before_reading(server):
    headers = {**server.auth, "X-Request-ID": "too-big-1"}
    response = server.post("score", content=b"\0" * (server.limit + 50_000), name="big.mp4", headers=headers)
    assert response.status_code == 413
    body = response.json()
    assert body["error"] == "too_large" and body["maximum"] == server.limit and body["value"] > server.limit
    record = _log_record(server.log, "too-big-1")
    assert record["status"] == 413 and record["bytes_in"] == 0  # refused on its Content-Length, body unread


def test_streamed_upload_is_cut_off_past_the_limit(server):
    def chunked():  # no Content-Length: httpx sends Transfer-Encoding: chunked
        yield b'--b\r\nContent-Disposition: form-data; name="file"; filename="big.mp4"\r\n\r\n'
        for _ in range(30):
            yield b"\0" * 10_000
        yield b"\r\n--b--\r\n"

    headers = {**server.auth, "Content-Type": "multipart/form-data; boundary=b"}
    response = httpx.post(f"{server.url}/score", content=chunked(), headers=headers, timeout=60)
    assert response.status_code == 413
    assert response.json()["error"] == "too_large" and response.json()["maximum"] == server.limit


def test_api_key_is_required_and_checked(server, media):
    assert server.post("score", media["audio"], headers={}).status_code == 401
    assert server.post("score", media["audio"], headers={"Authorization": "Bearer nope"}).status_code == 401
    assert server.post("score", media["audio"], headers={"X-API-Key": server.key[:-1]}).status_code == 401
    assert server.post("score", media["audio"], headers={"X-API-Key": server.key}).status_code == 200
    refused = httpx.get(f"{server.url}/score_video_task/status", params={"task_id": "x"}, timeout=10)
    assert refused.status_code == 401 and refused.json()["error"] == "unauthorized"
    with bentoml.SyncHTTPClient(server.url) as client, pytest.raises(bentoml.exceptions.BentoMLException) as info:
        client.score(file=media["audio"])
    assert info.value.error_code == 401 and "unauthorized" in str(info.value)


def test_watchlist_admin_is_mounted_behind_the_key(server):
    # The test server has a key but no FAKEGUARD_WATCHLIST: past the gate, the admin app says so.
    assert httpx.get(f"{server.url}/admin/watchlist", timeout=10).status_code == 401
    answer = httpx.get(f"{server.url}/admin/watchlist", headers=server.auth, timeout=10)
    assert answer.status_code == 404 and answer.json()["error"] == "no_watchlist"


def test_health_and_metrics_answer_without_a_key(server):
    for path in ("/healthz", "/livez", "/readyz"):
        assert httpx.get(server.url + path, timeout=10).status_code == 200
    metrics = httpx.get(server.url + "/metrics", timeout=10)
    assert metrics.status_code == 200 and "bentoml_service_request" in metrics.text


def test_every_answer_has_a_request_id_and_a_log_line(server, media):
    response = server.post("score", media["audio"], headers={**server.auth, "X-Request-ID": "trace-42"})
    assert response.headers["x-request-id"] == "trace-42"
    refused = server.post("score", media["audio"], headers={})
    assert len(refused.headers["x-request-id"]) == 32
    record = _log_record(server.log, "trace-42")
    assert record["endpoint"] == "/score" and record["status"] == 200 and record["kind"] == "audio"
    assert record["timings"] and all(seconds >= 0 for seconds in record["timings"].values())


# --------------------------------------------------------------------------- task, concurrency, cleanup


def test_video_task_gives_the_same_report_as_the_direct_endpoint(server, media):
    submitted = server.post("score_video_task/submit", media["video"])
    assert submitted.status_code == 200
    task_id = submitted.json()["task_id"]
    deadline = time.monotonic() + 60
    while True:
        status = httpx.get(
            f"{server.url}/score_video_task/status", params={"task_id": task_id}, headers=server.auth, timeout=10
        ).json()["status"]
        if status != "in_progress" or time.monotonic() > deadline:
            break
        time.sleep(0.2)
    assert status == "completed"
    result = httpx.get(f"{server.url}/score_video_task/get", params={"task_id": task_id}, headers=server.auth)
    direct = server.post("score_video", media["video"])
    assert result.status_code == 200
    assert _without_timings(result.json()) == _without_timings(direct.json())


def test_video_task_with_the_wrong_kind_fails_with_415(server, media):
    task_id = server.post("score_video_task/submit", media["image"]).json()["task_id"]
    for _ in range(100):
        params = {"task_id": task_id}
        status = httpx.get(f"{server.url}/score_video_task/status", params=params, headers=server.auth).json()
        if status["status"] != "in_progress":
            break
        time.sleep(0.2)
    assert status["status"] == "failed"
    result = httpx.get(f"{server.url}/score_video_task/get", params={"task_id": task_id}, headers=server.auth)
    assert result.status_code == 415 and result.json()["found"] == "image"


def test_concurrent_good_and_bad_uploads_each_get_their_own_answer(server, media):
    jobs = [("image", 200), ("corrupt", 422), ("audio", 200), ("text", 415)] * 2

    def call(job):
        which, _ = job
        return server.post("score", media[which])

    with ThreadPoolExecutor(max_workers=8) as pool:
        responses = list(pool.map(call, jobs))
    for (which, expected), response in zip(jobs, responses):
        assert response.status_code == expected, (which, response.text)
        assert response.json()["file"] == media[which].name
        if expected == 200:
            assert response.json()["kind"] == which
    assert len({r.headers["x-request-id"] for r in responses}) == len(jobs)


def test_uploads_leave_no_file_behind(server, media):
    assert server.post("score", media["image"]).status_code == 200
    store = [p for p in server.tmpdir.iterdir() if p.name.startswith("fakeguard-tasks-")]
    assert len(store) == 1  # BentoML's task store, which holds submitted uploads, lives in the temp folder
    deadline = time.monotonic() + 10  # BentoML empties a request's folder just after the answer goes out
    while True:
        leftovers = [p for p in server.tmpdir.rglob("*") if p.is_file() and store[0] not in p.parents]
        if not leftovers or time.monotonic() > deadline:
            break
        time.sleep(0.1)
    assert not leftovers


# --------------------------------------------------------------------------- in-process parts


async def _failing_app(scope, receive, send):
    await send({"type": "http.response.start", "status": 500, "headers": [(b"content-type", b"text/plain")]})
    await send({"type": "http.response.body", "body": b"Traceback: secrets of the server"})


def _through_gate(requests: list[tuple[str, dict[str, str]]], api_key: str | None = None) -> list[httpx.Response]:
    """GET each (path, headers) through a :class:`RequestGate` in front of an app that always fails."""
    import asyncio

    gate = RequestGate(_failing_app, GateSettings(api_key=api_key, max_upload_bytes=100))

    async def run() -> list[httpx.Response]:
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=gate), base_url="http://gate") as client:
            return [await client.get(path, headers=headers) for path, headers in requests]

    return asyncio.run(run())


def test_gate_turns_any_500_into_an_internal_error_with_the_request_id():
    (response,) = _through_gate([("/score", {})])
    assert response.status_code == 500
    assert response.json() == {"error": "internal", "request_id": response.headers["x-request-id"]}


def test_gate_takes_either_key_header_and_spares_probes():
    requests = [("/score", {}), ("/score", {"Authorization": "bearer k"}), ("/score", {"X-API-Key": "k"})]
    statuses = [r.status_code for r in _through_gate([*requests, ("/readyz", {})], api_key="k")]
    assert statuses == [401, 500, 500, 500]  # 500: let through to the (failing) app


def test_a_bug_while_scoring_is_a_logged_500_and_the_service_goes_on(tmp_path, caplog):
    class BrokenDetector:
        limits = None

        def score(self, source, heatmaps=False):
            raise ZeroDivisionError("a bug")

    service = Fakeguard.inner.__new__(Fakeguard.inner)
    service.models = SimpleNamespace(get=lambda: BrokenDetector())
    upload = tmp_path / "x.wav"
    upload.write_bytes(b"RIFF")
    status, body = service._score(upload, "x.wav", False, None, "rid-1")
    assert (status, body) == (500, {"error": "internal", "request_id": "rid-1"})
    assert any(r.exc_info and "rid-1" in r.getMessage() for r in caplog.records)


def test_safe_name_keeps_the_last_component_and_the_extension():
    assert safe_name("C:\\Users\\me\\clip.mp4") == "clip.mp4"
    assert safe_name("a" * 300 + ".wav").endswith(".wav") and len(safe_name("a" * 300 + ".wav")) == 100
    assert safe_name(None) == safe_name("../") == "upload"


def test_serve_env_takes_the_key_from_the_named_variable_only():
    env = serve_env(3, "MY_KEY", {"MY_KEY": "s3cret"})
    assert env["FAKEGUARD_API_KEY"] == "s3cret" and env["FAKEGUARD_WORKERS"] == "3"
    assert "s3cret" not in " ".join(serve_argv("127.0.0.1", 3000))
    with pytest.raises(click.UsageError, match="MY_KEY"):
        serve_env(1, "MY_KEY", {})
    assert "FAKEGUARD_API_KEY" not in serve_env(1, None, {})
