"""Load test of the REST service on loopback: throughput, latency, errors, and memory over a soak.

Method:

1. Inputs: a small mixed set held in memory by the client: 4 JPEG photos with one face (real photos
   from ../shared/data/faces/deepface_celebs when present, else drawn faces of 200 to 640 px) and 4
   speech clips of 4 to 8 s (LibriSpeech clips from ../shared/data/speech/resemblyzer, cut to at most
   8 s, else generated speech-like audio: a gliding harmonic tone with syllable-rate loudness and
   pauses), written to a temporary folder.
2. The server: ``fakeguard serve --port P --workers W`` as a subprocess with an environment of its own
   (no inherited ``FAKEGUARD_*``/``BENTOML_*``; ``FAKEGUARD_THREADS=T``; an API key, so that the gate's
   check is part of the cost; a private ``BENTOML_HOME``), its log in the temporary folder. The script
   waits for ``/readyz``, posts every file once (warm-up, and a check that each gets a 200 report of
   its kind), and stops the server at the end (SIGTERM, then kill what is left of its process tree).
3. The load: N asyncio clients (``--clients``, default 16) on one ``httpx.AsyncClient`` (aiohttp when
   httpx is not installed), each posting a random file of the set to ``/score`` as soon as its last
   answer came, for S seconds (``--seconds``, default 60). Latency is from just before the request to
   the whole answer read; an error is any answer but 200, a 200 whose ``kind`` is not the file's, or a
   transport error (counted by exception name). Requests still in flight at the end are awaited and
   counted. Requests/s = successful requests / elapsed time (the in-flight tail included).
4. The in-process reference, like with like: after the server stopped, W fresh processes (one per
   worker) each load :class:`fakeguard.detectors.api.Detector` with the same T torch threads and the
   same intake limits, score every file once (warm-up), then score random files of the same set in a
   loop for the same S seconds; files/s is summed over the processes. The ratio is the service's
   requests/s over that (target: at least 0.8). The service pays for HTTP, multipart parsing, the
   temporary file per upload and the log line; the reference reads the files from the page cache.
5. Memory (``--soak-minutes M``, instead of the throughput run): the same load for M minutes, the
   server's total RSS (the ``fakeguard serve`` process and all its descendants, via psutil; shared
   pages are counted once per process) sampled every 10 s. The start value is the first sample after a
   warm-up of min(60 s, 10% of the soak) under load; growth = (end - start) / start (target: under
   10%). No in-process reference is run in this mode.

The client runs on the same machine as the server and takes CPU from it: on a 2-core machine it
lowers the service's numbers, and the client's own CPU seconds are reported so that this can be
judged.

Run:   python bench/service_load.py [--clients 16] [--seconds 60] [--workers 1] [--threads 1]
       python bench/service_load.py --soak-minutes 10
Writes bench/results/service_load.json (service_soak.json with --soak-minutes); ``--out`` elsewhere.
Exit status 1 when any request failed.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import random
import resource
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "bench" / "results"
SHARED = ROOT.parent / "shared" / "data"
SHARED_FACES = SHARED / "faces" / "deepface_celebs" / "real"
SHARED_SPEECH = SHARED / "speech" / "resemblyzer" / "real"
START_TIMEOUT_S = 180
SAMPLE_EVERY_S = 10.0

# --------------------------------------------------------------------------- inputs


def _speech_like(seconds: float, rate: int = 16000, seed: int = 0):
    """A voice-like signal: a harmonic tone whose pitch glides, loud in 4 Hz syllables, with pauses."""
    import numpy as np

    rng = np.random.default_rng(seed)
    t = np.arange(int(seconds * rate)) / rate
    f0 = 110 + 60 * rng.random() + 25 * np.sin(2 * np.pi * 0.7 * t + rng.random() * 6)
    phase = 2 * np.pi * np.cumsum(f0) / rate
    voice = sum(np.sin(k * phase) / k for k in range(1, 12))
    syllables = np.clip(np.sin(2 * np.pi * 4.0 * t + rng.random() * 6), 0, None) ** 0.5
    pauses = (np.sin(2 * np.pi * 0.35 * t + rng.random() * 6) > -0.6).astype(float)
    signal_ = voice * syllables * pauses + 0.003 * rng.standard_normal(t.size)
    return (0.3 * signal_ / np.abs(signal_).max()).astype(np.float32)


def make_inputs(folder: Path, images: int = 4, clips: int = 4) -> tuple[list[tuple[Path, str]], dict[str, str]]:
    """Write the file set; returns [(path, kind)] and where the images and the audio came from."""
    import numpy as np
    import soundfile as sf
    from PIL import Image

    files: list[tuple[Path, str]] = []
    photos = sorted(SHARED_FACES.glob("*.jp*g"))[:images] if SHARED_FACES.is_dir() else []
    if len(photos) == images:
        for i, photo in enumerate(photos):
            target = folder / f"photo{i}.jpg"
            target.write_bytes(photo.read_bytes())
            files.append((target, "image"))
        image_origin = f"{images} photos from ../shared/data/faces/deepface_celebs/real"
    else:
        sys.path.insert(0, str(ROOT / "tests"))
        import media_factory

        sizes = np.linspace(200, 640, images).astype(int)
        for i, size in enumerate(sizes):
            pixels = media_factory.cartoon_face(int(size), seed=i)
            target = folder / f"face{i}_{size}px.jpg"
            Image.fromarray(pixels).save(target, "JPEG", quality=90)
            files.append((target, "image"))
        image_origin = f"{images} drawn faces of {sizes.min()} to {sizes.max()} px (../shared absent)"
    clips_found = []
    if SHARED_SPEECH.is_dir():
        for path in sorted(SHARED_SPEECH.rglob("*.flac")):
            if sf.info(path).duration >= 4.0:
                clips_found.append(path)
            if len(clips_found) == clips:
                break
    if len(clips_found) == clips:
        for i, path in enumerate(clips_found):
            samples, rate = sf.read(path, dtype="float32")
            target = folder / f"speech{i}.flac"
            sf.write(target, samples[: 8 * rate], rate, format="FLAC", subtype="PCM_16")
            files.append((target, "audio"))
        audio_origin = f"{clips} LibriSpeech clips (4-8 s) from ../shared/data/speech/resemblyzer"
    else:
        for i, seconds in enumerate(np.linspace(4, 8, clips)):
            target = folder / f"voice{i}_{seconds:.1f}s.wav"
            sf.write(target, _speech_like(float(seconds), seed=i), 16000, format="WAV", subtype="PCM_16")
            files.append((target, "audio"))
        audio_origin = f"{clips} generated speech-like clips of 4 to 8 s (../shared absent)"
    return files, {"images": image_origin, "audio": audio_origin}


# --------------------------------------------------------------------------- the server


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _process_tree(pid: int) -> list:
    import psutil

    try:
        root = psutil.Process(pid)
        return [root, *root.children(recursive=True)]
    except psutil.NoSuchProcess:
        return []


def tree_rss_mb(pid: int) -> float:
    """Total RSS of a process and all its descendants, in MB."""
    import psutil

    total = 0
    for proc in _process_tree(pid):
        with contextlib.suppress(psutil.NoSuchProcess, psutil.AccessDenied):
            total += proc.memory_info().rss
    return total / 2**20


def child_env(threads: int, home: Path | None = None) -> dict[str, str]:
    """The environment of the server and the reference processes: no inherited fakeguard settings."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("FAKEGUARD_", "BENTOML_"))}
    env.update(FAKEGUARD_THREADS=str(threads), BENTOML_DO_NOT_TRACK="true")
    if home is not None:
        env["BENTOML_HOME"] = str(home / "bentoml")
    return env


@contextlib.contextmanager
def running_server(home: Path, workers: int, threads: int):
    """``fakeguard serve`` on a free loopback port with an API key; yields (url, key, process)."""
    import httpx

    port, key = _free_port(), secrets.token_urlsafe(16)
    env = child_env(threads, home) | {"FAKEGUARD_BENCH_KEY": key}
    cmd = [sys.executable, "-c", "from fakeguard.service.cli import main; main()", "serve", "--port", str(port)]
    cmd += ["--workers", str(workers), "--api-key-env", "FAKEGUARD_BENCH_KEY"]
    log = home / "server.log"
    with log.open("wb") as out:
        proc = subprocess.Popen(cmd, cwd=home, env=env, stdout=out, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + START_TIMEOUT_S
        while True:
            if proc.poll() is not None:
                raise RuntimeError(f"server exited with {proc.returncode}:\n{log.read_text()[-3000:]}")
            with contextlib.suppress(httpx.TransportError):
                if httpx.get(f"{url}/readyz", timeout=2).status_code == 200:
                    break
            if time.monotonic() > deadline:
                raise RuntimeError(f"server not ready after {START_TIMEOUT_S} s:\n{log.read_text()[-3000:]}")
            time.sleep(0.3)
        yield url, key, proc
    finally:
        family = _process_tree(proc.pid)
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=10)
        for child in family[1:]:
            with contextlib.suppress(Exception):
                child.kill()


# --------------------------------------------------------------------------- the client


class Poster:
    """POSTs a file to a URL with one shared asyncio HTTP client: httpx when installed, else aiohttp."""

    def __init__(self, clients: int, key: str) -> None:
        self.headers = {"Authorization": f"Bearer {key}"}
        try:
            import httpx
        except ImportError:
            import aiohttp

            self.library = f"aiohttp {aiohttp.__version__}"
            connector = aiohttp.TCPConnector(limit=clients)
            self._session = aiohttp.ClientSession(connector=connector, timeout=aiohttp.ClientTimeout(total=600))
            self._httpx = None
        else:
            self.library = f"httpx {httpx.__version__}"
            limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)
            self._httpx = httpx.AsyncClient(limits=limits, timeout=600)

    async def post(self, url: str, name: str, data: bytes) -> tuple[int, dict | None]:
        """(status, JSON body or None)."""
        if self._httpx is not None:
            response = await self._httpx.post(url, files={"file": (name, data)}, headers=self.headers)
            try:
                return response.status_code, response.json()
            except ValueError:
                return response.status_code, None
        import aiohttp

        form = aiohttp.FormData()
        form.add_field("file", data, filename=name, content_type="application/octet-stream")
        async with self._session.post(url, data=form, headers=self.headers) as response:
            try:
                return response.status, await response.json(content_type=None)
            except ValueError:
                return response.status, None

    async def close(self) -> None:
        if self._httpx is not None:
            await self._httpx.aclose()
        else:
            await self._session.close()


def _percentile(values: list[float], q: float) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    rank = q / 100 * (len(ordered) - 1)
    low = int(rank)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


async def run_load(
    url: str,
    key: str,
    files: list[tuple[str, str, bytes]],
    clients: int,
    seconds: float,
    server_pid: int,
    warmup_s: float = 0.0,
    seed: int = 0,
) -> dict:
    """``clients`` concurrent posters for ``seconds``; latencies, errors and RSS samples every 10 s."""
    poster = Poster(clients, key)
    latencies: list[float] = []
    errors: dict[str, int] = {}
    kinds: dict[str, int] = {}
    samples: list[dict] = []
    started = time.perf_counter()
    deadline = started + seconds

    async def client(index: int) -> None:
        rng = random.Random(seed * 1000 + index)
        while time.perf_counter() < deadline:
            name, kind, data = rng.choice(files)
            t0 = time.perf_counter()
            try:
                status, body = await poster.post(f"{url}/score", name, data)
            except Exception as exc:
                errors[type(exc).__name__] = errors.get(type(exc).__name__, 0) + 1
                continue
            if status != 200:
                errors[str(status)] = errors.get(str(status), 0) + 1
            elif not body or body.get("kind") != kind:
                errors["200 wrong kind"] = errors.get("200 wrong kind", 0) + 1
            else:
                latencies.append(time.perf_counter() - t0)
                kinds[kind] = kinds.get(kind, 0) + 1

    async def sampler() -> None:
        while True:
            samples.append(
                {"t_s": round(time.perf_counter() - started, 1), "rss_mb": round(tree_rss_mb(server_pid), 1)}
            )
            await asyncio.sleep(SAMPLE_EVERY_S)

    cpu0 = resource.getrusage(resource.RUSAGE_SELF)
    sampling = asyncio.create_task(sampler())
    try:
        await asyncio.gather(*(client(i) for i in range(clients)))
    finally:
        sampling.cancel()
        await poster.close()
    elapsed = time.perf_counter() - started
    samples.append({"t_s": round(elapsed, 1), "rss_mb": round(tree_rss_mb(server_pid), 1)})
    cpu1 = resource.getrusage(resource.RUSAGE_SELF)
    answered = len(latencies) + sum(errors.values())
    ms = [1000 * s for s in latencies]
    return {
        "client_library": poster.library,
        "clients": clients,
        "elapsed_s": round(elapsed, 2),
        "requests": answered,
        "ok": len(latencies),
        "requests_per_s": round(len(latencies) / elapsed, 3),
        "latency_ms": {
            "p50": _round(_percentile(ms, 50)),
            "p95": _round(_percentile(ms, 95)),
            "p99": _round(_percentile(ms, 99)),
            "mean": _round(sum(ms) / len(ms)) if ms else None,
            "max": _round(max(ms)) if ms else None,
        },
        "errors_by_status": errors,
        "ok_by_kind": kinds,
        "client_cpu_s": round(cpu1.ru_utime + cpu1.ru_stime - cpu0.ru_utime - cpu0.ru_stime, 2),
        "rss_samples": samples,
        "warmup_s": round(warmup_s, 1),
    }


def _round(value: float | None, digits: int = 1) -> float | None:
    return None if value is None else round(value, digits)


def warm_up(url: str, key: str, files: list[tuple[str, str, bytes]]) -> None:
    """Post each file once; every one must come back a 200 report of its kind."""
    import httpx

    for name, kind, data in files:
        response = httpx.post(
            f"{url}/score", files={"file": (name, data)}, headers={"Authorization": f"Bearer {key}"}, timeout=600
        )
        if response.status_code != 200 or response.json().get("kind") != kind:
            raise RuntimeError(f"warm-up of {name}: {response.status_code} {response.text[:500]}")


# --------------------------------------------------------------------------- the in-process reference


def reference_child(files: list[str], threads: int, seconds: float, seed: int) -> dict:
    """Executed in a fresh process: load the Detector as a worker does, warm up, score random files for ``seconds``."""
    from fakeguard.detectors.api import Detector
    from fakeguard.detectors.intake.limits import IntakeLimits
    from fakeguard.detectors.runtime import set_threads

    set_threads(threads)
    detector = Detector.load(limits=IntakeLimits.from_env())
    detector.face  # noqa: B018 - load the face model now, as a worker does before it is ready
    for path in files:
        detector.score(path)
    rng = random.Random(seed)
    done = 0
    started = time.perf_counter()
    while time.perf_counter() - started < seconds:
        detector.score(rng.choice(files))
        done += 1
    elapsed = time.perf_counter() - started
    return {"files": done, "elapsed_s": elapsed, "files_per_s": done / elapsed}


def run_reference(files: list[Path], processes: int, threads: int, seconds: float) -> dict:
    """``processes`` reference children at once (one per server worker); files/s summed."""
    env = child_env(threads)
    procs = [
        subprocess.Popen(
            [sys.executable, __file__, "--reference-child", *map(str, files)]
            + ["--threads", str(threads), "--seconds", str(seconds), "--seed", str(i)],
            stdout=subprocess.PIPE,
            text=True,
            env=env,
        )
        for i in range(processes)
    ]
    outs = []
    for proc in procs:
        stdout = proc.communicate()[0]
        if proc.returncode:
            raise RuntimeError(f"reference process failed with {proc.returncode}")
        outs.append(json.loads(stdout.strip().splitlines()[-1]))
    return {
        "processes": processes,
        "threads": threads,
        "files": sum(o["files"] for o in outs),
        "files_per_s": round(sum(o["files_per_s"] for o in outs), 3),
    }


# --------------------------------------------------------------------------- main


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=16, help="concurrent clients (default 16)")
    parser.add_argument("--seconds", type=float, default=60.0, help="length of the load, and of the reference")
    parser.add_argument("--workers", type=int, default=1, help="server workers (and reference processes)")
    parser.add_argument("--threads", type=int, default=1, help="torch threads per worker / reference process")
    parser.add_argument("--soak-minutes", type=float, default=None, help="run the load this long and track RSS")
    parser.add_argument("--out", type=Path, default=None, help="result file (default bench/results/...)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--reference-child", nargs="+", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.reference_child:
        print(json.dumps(reference_child(args.reference_child, args.threads, args.seconds, args.seed)))
        return 0

    soak = args.soak_minutes is not None
    out = args.out or RESULTS / ("service_soak.json" if soak else "service_load.json")
    with tempfile.TemporaryDirectory(prefix="fakeguard-load-") as tmp:
        folder = Path(tmp)
        inputs = folder / "inputs"
        inputs.mkdir()
        files, origin = make_inputs(inputs)
        payload = [(path.name, kind, path.read_bytes()) for path, kind in files]
        print(f"inputs: {origin['images']}; {origin['audio']}", file=sys.stderr)
        with running_server(folder, args.workers, args.threads) as (url, key, proc):
            warm_up(url, key, payload)
            seconds = args.seconds
            warmup_s = 0.0
            if soak:
                seconds = 60 * args.soak_minutes
                warmup_s = min(60.0, 0.1 * seconds)
            print(f"load: {args.clients} clients for {seconds:.0f} s on {args.workers} worker(s)", file=sys.stderr)
            load = asyncio.run(run_load(url, key, payload, args.clients, seconds, proc.pid, warmup_s, args.seed))
        result: dict = {
            "benchmark": "service_load" if not soak else "service_soak",
            "input": origin | {"files": [{"name": n, "kind": k, "bytes": len(d)} for n, k, d in payload]},
            "config": {
                "clients": args.clients,
                "seconds": seconds,
                "workers": args.workers,
                "threads": args.threads,
                "cpus": os.cpu_count(),
                "load_average_at_end": [round(v, 2) for v in os.getloadavg()],
            },
            "service": {k: v for k, v in load.items() if k != "rss_samples"},
        }
        samples = load["rss_samples"]
        if soak:
            after = [s for s in samples if s["t_s"] >= warmup_s]
            start, end = (after[0] if after else samples[0]), samples[-1]
            growth = 100 * (end["rss_mb"] - start["rss_mb"]) / start["rss_mb"]
            result["rss"] = {
                "start_mb": start["rss_mb"],
                "start_at_s": start["t_s"],
                "end_mb": end["rss_mb"],
                "max_mb": max(s["rss_mb"] for s in samples),
                "growth_pct": round(growth, 2),
                "samples": samples,
            }
            result["targets"] = {"no_errors": not load["errors_by_status"], "rss_growth_under_10pct": growth < 10}
        else:
            result["rss"] = {"start_mb": samples[0]["rss_mb"], "end_mb": samples[-1]["rss_mb"]}
            print(f"reference: {args.workers} process(es) x {args.threads} thread(s), {seconds:.0f} s", file=sys.stderr)
            reference = run_reference([p for p, _ in files], args.workers, args.threads, seconds)
            ratio = load["requests_per_s"] / reference["files_per_s"] if reference["files_per_s"] else None
            result["in_process"] = reference
            result["service_to_in_process_ratio"] = None if ratio is None else round(ratio, 3)
            result["targets"] = {"no_errors": not load["errors_by_status"], "ratio_at_least_0.8": (ratio or 0) >= 0.8}
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps(result, indent=2))
    print(f"wrote {out}", file=sys.stderr)
    return 1 if load["errors_by_status"] else 0


if __name__ == "__main__":
    sys.exit(main())
