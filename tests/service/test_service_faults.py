"""The REST service against misbehaving clients: uploads cut off mid-body, and uploads that trickle in.

One real server for the module (the ``server`` fixture of ``conftest.py``). The bad clients speak raw
HTTP/1.1 over loopback sockets, so that they can stop or stall where no HTTP library would; each test
then checks that well-behaved requests still get their correct report.
"""

from __future__ import annotations

import http.client
import json
import socket
import struct
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import pytest

BOUNDARY = "fakeguard-fault-boundary"


@pytest.fixture(scope="module")
def media(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """A JPEG with a drawn face and a 2 s WAV tone."""
    import media_factory as mf

    folder = tmp_path_factory.mktemp("fault_media")
    return {
        "image": mf.write_jpeg(folder, "face.jpg", pixels=mf.cartoon_face(240)),
        "audio": mf.write_wav(folder, "voice.wav", seconds=2.0),
    }


def _multipart(path: Path) -> bytes:
    """A multipart/form-data body holding ``path`` in the ``file`` field."""
    head = f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="file"; filename="{path.name}"\r\n'
    head += "Content-Type: application/octet-stream\r\n\r\n"
    return head.encode() + path.read_bytes() + f"\r\n--{BOUNDARY}--\r\n".encode()


def _head(server, body_length: int, request_id: str = "") -> bytes:
    """The request line and headers of a ``POST /score`` whose body is ``body_length`` bytes."""
    host = urlsplit(server.url).netloc
    lines = [
        "POST /score HTTP/1.1",
        f"Host: {host}",
        f"Authorization: Bearer {server.key}",
        *([f"X-Request-ID: {request_id}"] if request_id else []),
        f"Content-Type: multipart/form-data; boundary={BOUNDARY}",
        f"Content-Length: {body_length}",
        "",
        "",
    ]
    return "\r\n".join(lines).encode()


def _address(server) -> tuple[str, int]:
    parts = urlsplit(server.url)
    return parts.hostname, parts.port


def send_half_and_vanish(server, path: Path, abort: bool = False, request_id: str = "") -> int:
    """Send the headers (with the full Content-Length) and half the body, then close the socket.

    ``abort`` closes with a TCP reset (``SO_LINGER`` 0) instead of an orderly FIN. Returns the
    declared body length.
    """
    body = _multipart(path)
    sock = socket.create_connection(_address(server), timeout=10)
    try:
        sock.sendall(_head(server, len(body), request_id) + body[: len(body) // 2])
        time.sleep(0.05)  # let the server start reading the body before the client goes
        if abort:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    finally:
        sock.close()
    return len(body)


def trickle(server, path: Path, chunks: int = 20, pause_s: float = 0.05) -> tuple[int, dict]:
    """Upload ``path`` to ``/score`` in ``chunks`` pieces ``pause_s`` apart; (status, JSON body)."""
    body = _multipart(path)
    host, port = _address(server)
    conn = http.client.HTTPConnection(host, port, timeout=60)
    try:
        conn.putrequest("POST", "/score")
        conn.putheader("Authorization", f"Bearer {server.key}")
        conn.putheader("Content-Type", f"multipart/form-data; boundary={BOUNDARY}")
        conn.putheader("Content-Length", str(len(body)))
        conn.endheaders()
        step = -(-len(body) // chunks)
        for start in range(0, len(body), step):
            conn.send(body[start : start + step])
            time.sleep(pause_s)
        response = conn.getresponse()
        return response.status, httpx.Response(response.status, content=response.read()).json()
    finally:
        conn.close()


def _assert_report(response: httpx.Response, path: Path, kind: str) -> None:
    assert response.status_code == 200, response.text
    report = response.json()
    assert report["kind"] == kind and report["file"] == path.name
    assert report["verdict"] in {"fake", "real", "uncertain"}
    if kind == "image":
        assert len(report["faces"]) >= 1
    else:
        assert report["speech_segments"]


def _log_record(server, request_id: str) -> dict | None:
    """The server's JSON log line for one request, or None if none appears within 10 s."""
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        for line in server.log.read_text().splitlines():
            if f'"request_id": "{request_id}"' in line:
                return json.loads(line[line.index("{") : line.rindex("}") + 1])
        time.sleep(0.1)
    return None


def _assert_no_internal_errors(server) -> None:
    log = server.log.read_text()
    assert '"status": 500' not in log and '"error": "internal"' not in log, log[-3000:]


@pytest.mark.parametrize("abort", [False, True], ids=["fin", "reset"])
def test_client_gone_mid_body_leaves_the_server_serving(server, media, abort):
    ids = [f"vanish-{'reset' if abort else 'fin'}-{i}" for i in range(3)]
    for request_id in ids:
        declared = send_half_and_vanish(server, media["image"], abort=abort, request_id=request_id)
    assert httpx.get(f"{server.url}/readyz", timeout=10).status_code == 200
    _assert_report(server.post("score", media["image"]), media["image"], "image")
    _assert_report(server.post("score", media["audio"]), media["audio"], "audio")
    for request_id in ids:  # each cut-off upload is seen as such: a 400 for a body that never came whole
        record = _log_record(server, request_id)
        if record is not None or not abort:  # a reset may drop the request before the app sees it
            assert record is not None, f"no log line for {request_id}"
            assert record["status"] == 400 and record["error"] == "bad_request", record
            assert 0 < record["bytes_in"] < declared, record
    _assert_no_internal_errors(server)


def test_slow_client_trickling_an_upload_gets_its_report(server, media):
    started = time.monotonic()
    status, report = trickle(server, media["image"], chunks=20, pause_s=0.05)
    assert time.monotonic() - started >= 0.9  # it really was slow
    assert status == 200, report
    assert report["kind"] == "image" and report["file"] == media["image"].name and len(report["faces"]) >= 1


def test_good_requests_succeed_while_bad_clients_misbehave(server, media):
    stop = threading.Event()
    trickled: list[tuple[int, dict]] = []
    failures: list[BaseException] = []

    def vanisher(abort: bool) -> None:
        try:
            while not stop.is_set():
                send_half_and_vanish(server, media["audio"], abort=abort)
        except BaseException as exc:  # reported by the test, not lost in the thread
            failures.append(exc)

    def trickler() -> None:
        try:
            while not stop.is_set():
                trickled.append(trickle(server, media["image"], chunks=20, pause_s=0.05))
        except BaseException as exc:
            failures.append(exc)

    bad = [threading.Thread(target=vanisher, args=(abort,)) for abort in (False, True)]
    bad += [threading.Thread(target=trickler) for _ in range(2)]
    for thread in bad:
        thread.start()
    try:
        time.sleep(0.3)  # the bad clients are under way before the good ones start
        jobs = ["image", "audio"] * 5
        with ThreadPoolExecutor(max_workers=6) as pool:
            responses = list(pool.map(lambda which: server.post("score", media[which]), jobs))
    finally:
        stop.set()
        for thread in bad:
            thread.join(timeout=60)
    assert not failures, failures
    for which, response in zip(jobs, responses):
        _assert_report(response, media[which], which)
    assert len({r.headers["x-request-id"] for r in responses}) == len(jobs)
    assert trickled, "no trickled upload finished"
    for status, report in trickled:
        assert status == 200 and report["kind"] == "image", report
    _assert_no_internal_errors(server)
