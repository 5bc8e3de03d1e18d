"""The ``fakeguard`` command line: inspect's output, JSON Lines, exit codes, bad files among good ones."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from fakeguard.service.cli import cli

SHARED = Path(__file__).resolve().parents[2].parent / "shared" / "data"


def run(*args: str):
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def test_help_lists_subcommands_and_exit_codes():
    result = run("--help")
    assert result.exit_code == 0
    for name in ("inspect", "score", "train", "eval"):
        assert name in result.output
    assert "Exit codes" in result.output


def test_inspect_json_for_good_and_bad_files(catalogue, tmp_path):
    bad = tmp_path / "notes.jpg"
    bad.write_bytes(b"this is text, not a JPEG")
    renamed = tmp_path / "song.jpg"
    renamed.write_bytes(catalogue["mp3"].read_bytes())
    result = run(
        "inspect",
        "--json",
        str(catalogue["jpeg"]),
        str(bad),
        str(renamed),
        str(catalogue["mp4"]),
        str(tmp_path / "missing.wav"),
    )
    assert result.exit_code == 1  # some inputs failed, the rest were processed
    lines = [json.loads(line) for line in result.output.splitlines()]
    assert [line["ok"] for line in lines] == [True, False, True, True, False]
    assert lines[0]["kind"] == "image" and lines[0]["format"] == "jpeg" and len(lines[0]["sha256"]) == 64
    assert lines[1]["error"] == "unsupported" and lines[1]["file"] == str(bad)
    assert lines[2]["kind"] == "audio" and lines[2]["format"] == "mp3"  # the bytes decide, not the name
    assert lines[3]["kind"] == "video" and lines[3]["duration_s"] > 0
    assert lines[4]["error"] == "not_found"


def test_inspect_table_and_exit_zero_when_all_good(catalogue):
    result = run("inspect", str(catalogue["png"]), str(catalogue["flac"]))
    assert result.exit_code == 0
    assert "image" in result.output and "audio" in result.output and "flac" in result.output


def test_limit_options_apply(catalogue):
    result = run("inspect", "--json", "--max-bytes", "10", str(catalogue["png"]))
    line = json.loads(result.output)
    assert result.exit_code == 1 and line["error"] == "too_large" and line["limit"] == "max_bytes"


def test_bad_limit_is_a_usage_error(catalogue):
    result = CliRunner().invoke(cli, ["inspect", "--max-bytes", "-5", str(catalogue["png"])])
    assert result.exit_code == 2


def test_missing_argument_is_a_usage_error():
    assert CliRunner().invoke(cli, ["inspect"]).exit_code == 2


def _one_per_source() -> list[Path]:
    files = []
    for manifest in sorted(SHARED.glob("*/*/manifest.csv")):
        rows = manifest.read_text().splitlines()[1:4]
        files += [manifest.parent / row.split(",", 1)[0] for row in rows]
    return files


@pytest.mark.shared_data
@pytest.mark.skipif(not SHARED.is_dir(), reason="../shared/data is absent (it is on the project's machines and CI)")
def test_inspect_reads_the_shared_data():
    files = _one_per_source()
    assert files
    result = run("inspect", "--json", *map(str, files))
    lines = [json.loads(line) for line in result.output.splitlines()]
    assert result.exit_code == 0, [line for line in lines if not line["ok"]]
    kinds = {line["kind"] for line in lines}
    assert kinds == {"image", "audio"}
    for line in lines:
        if line["kind"] == "audio":
            assert line["duration_s"] > 0.3 and line["sample_rate"] >= 8000
        else:
            assert line["width"] > 0 and line["height"] > 0
