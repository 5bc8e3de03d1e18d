"""The real REST service for the tests of this folder: ``fakeguard serve`` on a free loopback port.

Each test module that asks for ``server`` gets its own server for the module (started once, stopped
after its last test). The server runs with an API key and a small upload limit, so that one start
covers the open and the refused cases; its ``TMPDIR`` is a folder of the test's, so that what it
leaves behind can be looked at.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import psutil
import pytest

LIMIT = 200_000  # FAKEGUARD_MAX_UPLOAD_BYTES of the test server; every generated file is far smaller
START_TIMEOUT_S = 90


@dataclass
class Server:
    url: str
    key: str
    log: Path
    tmpdir: Path
    limit: int = LIMIT

    @property
    def auth(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.key}"}

    def post(
        self,
        endpoint: str,
        path: Path | None = None,
        *,
        content: bytes = b"",
        name: str | None = None,
        form: dict[str, str] | None = None,
        headers: dict[str, str] | None = None,
    ) -> httpx.Response:
        """POST one upload (a file, or ``content`` as ``name``) with the key unless ``headers`` say otherwise."""
        body = path.read_bytes() if path is not None else content
        files = {"file": (name or (path.name if path else "upload.bin"), body)}
        headers = self.auth if headers is None else headers
        return httpx.post(f"{self.url}/{endpoint}", files=files, data=form, headers=headers, timeout=120)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _stop(proc: subprocess.Popen) -> None:
    """SIGTERM the server (BentoML stops its workers), then kill whatever is left of it."""
    try:
        family = [proc, *psutil.Process(proc.pid).children(recursive=True)]
    except psutil.NoSuchProcess:
        family = [proc]
    proc.send_signal(signal.SIGTERM)
    try:
        proc.wait(timeout=30)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(timeout=10)
    for child in family[1:]:
        with contextlib.suppress(psutil.NoSuchProcess):
            child.kill()


@contextlib.contextmanager
def running_server(home: Path, limit: int = LIMIT) -> Iterator[Server]:
    """``fakeguard serve`` with an API key (read from another variable) and an upload limit, until the block ends.

    After the server stops, its temporary folder must be empty: uploads may not outlive their request.
    """
    tmpdir = home / "tmp"
    tmpdir.mkdir()
    port = _free_port()
    key = secrets.token_urlsafe(16)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("FAKEGUARD_", "BENTOML_"))}
    env.update(
        FAKEGUARD_TEST_KEY=key,
        FAKEGUARD_MAX_UPLOAD_BYTES=str(limit),
        BENTOML_HOME=str(home / "bentoml"),
        BENTOML_DO_NOT_TRACK="true",
        TMPDIR=str(tmpdir),
    )
    log = home / "server.log"
    cmd = [sys.executable, "-c", "from fakeguard.service.cli import main; main()", "serve", "--port", str(port)]
    with log.open("wb") as out:  # cwd is a bare folder: the service must come from the installed package
        proc = subprocess.Popen(
            [*cmd, "--api-key-env", "FAKEGUARD_TEST_KEY"], cwd=home, env=env, stdout=out, stderr=subprocess.STDOUT
        )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + START_TIMEOUT_S
        while True:
            if proc.poll() is not None:
                pytest.fail(f"server exited with {proc.returncode}:\n{log.read_text()[-3000:]}")
            try:
                if httpx.get(f"{url}/readyz", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline:
                pytest.fail(f"server not ready after {START_TIMEOUT_S} s:\n{log.read_text()[-3000:]}")
            time.sleep(0.3)
        yield Server(url, key, log, tmpdir, limit)
    finally:
        _stop(proc)
    leftovers = [p for p in tmpdir.rglob("*") if p.is_file()]
    assert not leftovers, f"files left in the server's temp folder after it stopped: {leftovers}"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """The service with an API key and a 200 kB upload limit, for one test module."""
    with running_server(tmp_path_factory.mktemp("server")) as running:
        yield running


# --- the scanner's tests: a media tree and untrained face weights --------------------------------


@pytest.fixture(scope="module")
def face_weights(tmp_path_factory):
    """Two untrained face weight folders (different seeds: different models keys)."""
    from model_factory import random_face_weights

    root = tmp_path_factory.mktemp("w")
    return random_face_weights(root / "face0", 0), random_face_weights(root / "face1", 1)


@pytest.fixture(scope="module")
def detector(face_weights):
    from fakeguard.detectors.api import Detector

    return Detector.load(face_model=str(face_weights[0]))


@pytest.fixture
def tree(tmp_path, factory):
    """See :func:`scan_tree.make_tree`."""
    from scan_tree import make_tree

    return make_tree(tmp_path / "media", factory)
