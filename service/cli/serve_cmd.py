"""``fakeguard serve``: the REST service (BentoML) on the shipped default models.

The command turns its options into the environment that :mod:`fakeguard.service.service` reads
and then becomes ``python -m bentoml serve fakeguard.service.service:Fakeguard`` (``exec``: the
server gets the signals and the exit code directly, with no wrapper process in between). The
service is imported from the installed package, so the command works from any directory.
"""

from __future__ import annotations

import os
import sys

import click

#: The BentoML import string of the service class.
SERVICE = "fakeguard.service.service:Fakeguard"


def serve_argv(host: str, port: int) -> list[str]:
    """The command line that runs the server with this interpreter's BentoML."""
    return [sys.executable, "-m", "bentoml", "serve", SERVICE, "--host", host, "--port", str(port)]


def serve_env(workers: int, api_key_env: str | None, environ: dict[str, str] | None = None) -> dict[str, str]:
    """The server's environment: the caller's, plus the worker count and the API key.

    Args:
        workers: worker processes (``FAKEGUARD_WORKERS``), each with its own models.
        api_key_env: the name of a variable holding the API key, copied to ``FAKEGUARD_API_KEY``
            (so the key never appears on a command line); None keeps ``FAKEGUARD_API_KEY`` as it is.
        environ: the starting environment (default ``os.environ``).

    Raises:
        click.UsageError: ``api_key_env`` names a variable that is unset or empty.
    """
    env = dict(os.environ if environ is None else environ)
    env["FAKEGUARD_WORKERS"] = str(workers)
    if api_key_env is not None:
        key = env.get(api_key_env, "")
        if not key:
            raise click.UsageError(f"--api-key-env {api_key_env}: that environment variable is unset or empty")
        env["FAKEGUARD_API_KEY"] = key
    env.setdefault("BENTOML_DO_NOT_TRACK", "true")  # no usage reports leave the machine unless asked for
    return env


@click.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to bind (0.0.0.0 for every interface).")
@click.option("--port", type=click.IntRange(1, 65535), default=3000, show_default=True, help="Port to listen on.")
@click.option(
    "--workers",
    type=click.IntRange(min=1),
    default=1,
    show_default=True,
    help="Worker processes; each loads the models and scores one request at a time.",
)
@click.option(
    "--api-key-env",
    metavar="NAME",
    default=None,
    help="Require the API key held in environment variable NAME (default: FAKEGUARD_API_KEY if set).",
)
def serve_command(host: str, port: int, workers: int, api_key_env: str | None) -> None:
    """Start the REST service (BentoML) on the shipped default models.

    Endpoints: POST /score, /score_image, /score_audio, /score_video (a multipart upload in the
    'file' field) and the task /score_video_task/{submit,status,get}; GET /healthz, /livez,
    /readyz (200 once the models are loaded) and /metrics. Settings come from the environment:
    FAKEGUARD_API_KEY, FAKEGUARD_MAX_UPLOAD_BYTES, FAKEGUARD_MAX_* (intake limits),
    FAKEGUARD_VOICE_MODEL, FAKEGUARD_FACE_MODEL, FAKEGUARD_THREADS, FAKEGUARD_REQUEST_TIMEOUT_S.
    The server runs until interrupted (Ctrl+C).
    """
    env = serve_env(workers, api_key_env)
    argv = serve_argv(host, port)
    click.echo(
        f"fakeguard: serving on http://{host}:{port} with {workers} worker(s)"
        f"{', API key required' if env.get('FAKEGUARD_API_KEY') else ''}",
        err=True,
    )
    os.execve(argv[0], argv, env)
