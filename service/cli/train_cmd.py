"""``fakeguard train voice|image`` and ``fakeguard eval voice|image|video``."""

from __future__ import annotations

import json
import logging

import click

log = logging.getLogger(__name__)

_SET_HELP = "Override a config value, e.g. --set epochs=3 --set data.split_seed=1 (repeatable)."


def _recipe(task: str):
    """The config class, default config path, train and evaluate functions of a task."""
    if task == "voice":
        from fakeguard.detectors.training import voice as recipe

        return recipe.VoiceTrainConfig, recipe.default_config_path, recipe.train_voice, recipe.evaluate_voice
    from fakeguard.detectors.training import face as recipe

    return recipe.FaceTrainConfig, recipe.default_config_path, recipe.train_face, recipe.evaluate_face


def _load(task: str, config_path: str | None, overrides: tuple[str, ...]):
    """The run's config; a bad key or value is a usage error (exit code 2) naming it."""
    from fakeguard.detectors.training.config import load_config

    config_cls, default_path, _, _ = _recipe(task)
    try:
        return load_config(config_cls, config_path or default_path(), overrides)
    except ValueError as exc:
        raise click.UsageError(str(exc)) from exc


def _config_options(default: str):
    """``--config`` and ``--set``, shared by training and evaluation (which rebuilds the run's split)."""

    def decorate(func):
        func = click.option("--set", "overrides", multiple=True, help=_SET_HELP)(func)
        return click.option(
            "--config",
            "config_path",
            type=click.Path(exists=True, dir_okay=False),
            default=None,
            help=f"YAML config (default: the shipped model's, detectors/configs/{default}).",
        )(func)

    return decorate


_OUT_OPTION = click.option(
    "--out",
    "out_dir",
    type=click.Path(file_okay=False),
    default=None,
    help="Write metrics.json, scores.csv and det_roc.png here.",
)


@click.group("train")
def train_group() -> None:
    """Train a detector from a config (YAML) and the shared or your own data."""


@click.group("eval")
def eval_group() -> None:
    """Evaluate trained weights on a data split."""


def _train(task: str, config_path: str | None, overrides: tuple[str, ...], no_resume: bool) -> None:
    cfg = _load(task, config_path, overrides)
    run = _recipe(task)[2](cfg, resume=not no_resume)
    click.echo(json.dumps(run.summary(), indent=2))


def _evaluate(task: str, weights, config_path, overrides, split_name, out_dir) -> None:
    cfg = _load(task, config_path, overrides)
    evaluation = _recipe(task)[3](weights, cfg, split=split_name, out_dir=out_dir)
    click.echo(json.dumps(evaluation.overall, indent=2))


@train_group.command("voice")
@_config_options("voice_lcnn_small.yaml")
@click.option("--no-resume", is_flag=True, help="Start again even if the run folder has a checkpoint.")
def train_voice_command(config_path: str | None, overrides: tuple[str, ...], no_resume: bool) -> None:
    """Train the voice anti-spoofing model; resumes from the run folder's last checkpoint."""
    _train("voice", config_path, overrides, no_resume)


@train_group.command("image")
@_config_options("face_effnet_lite0.yaml")
@click.option("--no-resume", is_flag=True, help="Start again even if the run folder has a checkpoint.")
def train_image_command(config_path: str | None, overrides: tuple[str, ...], no_resume: bool) -> None:
    """Train the face-forgery model on pseudo-fakes of real photos; resumes from the last checkpoint."""
    _train("image", config_path, overrides, no_resume)


@eval_group.command("voice")
@click.argument("weights", type=click.Path(exists=True, file_okay=False))
@_config_options("voice_lcnn_small.yaml")
@click.option("--split", "split_name", default="test", show_default=True, help="Which split to evaluate.")
@_OUT_OPTION
def eval_voice_command(
    weights: str, config_path: str | None, overrides: tuple[str, ...], split_name: str, out_dir: str | None
) -> None:
    """Evaluate a voice weight folder on a split of the configured data (EER, AUC, ECE per generator)."""
    _evaluate("voice", weights, config_path, overrides, split_name, out_dir)


@eval_group.command("image")
@click.argument("weights", type=click.Path(exists=True, file_okay=False))
@_config_options("face_effnet_lite0.yaml")
@click.option(
    "--split",
    "split_name",
    default="test",
    show_default=True,
    type=click.Choice(["val", "test", "holdout", "real_fakes"]),
    help="Faces and pseudo-fakes of val/test/holdout sources, or the real face swaps and GAN faces (image level).",
)
@_OUT_OPTION
def eval_image_command(
    weights: str, config_path: str | None, overrides: tuple[str, ...], split_name: str, out_dir: str | None
) -> None:
    """Evaluate a face weight folder (AUC, EER, ECE per source and per manipulation kind)."""
    _evaluate("image", weights, config_path, overrides, split_name, out_dir)


def _reader_args(pairs: tuple[str, ...]) -> dict:
    """``key=value`` pairs, each value read as a YAML scalar or list (``split=test``, ``methods=[Deepfakes]``)."""
    import yaml

    args = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key:
            raise click.UsageError(f"--reader-arg wants KEY=VALUE, got {pair!r}")
        args[key.strip()] = yaml.safe_load(value)
    return args


@eval_group.command("video")
@click.option("--reader", required=True, help="A registered dataset reader: ffpp, celebdf, dfdc, folder...")
@click.option("--root", required=True, type=click.Path(exists=True, file_okay=False), help="The dataset's root.")
@click.option("--reader-arg", "reader_args", multiple=True, help="Reader option KEY=VALUE, e.g. split=test.")
@click.option("--face-model", default=None, help="Face weights: a shipped arch.tag or a weight folder.")
@click.option(
    "--frames",
    "frame_counts",
    type=click.IntRange(min=1),
    multiple=True,
    default=(16,),
    show_default=True,
    help="Frames sampled per video (repeatable: one evaluation per count).",
)
@click.option("--limit", type=click.IntRange(min=1), default=None, help="Evaluate only the first N videos.")
@_OUT_OPTION
def eval_video_command(
    reader: str,
    root: str,
    reader_args: tuple[str, ...],
    face_model: str | None,
    frame_counts: tuple[int, ...],
    limit: int | None,
    out_dir: str | None,
) -> None:
    """Video-level and frame-level AUC of a face model on a video dataset (FaceForensics++, Celeb-DF, DFDC).

    Each video is sampled at --frames evenly spread frames and goes through the
    video pipeline's face tracking and aggregation; frame AUC scores each
    sampled frame alone. Unreadable videos are listed and skipped.
    """
    from pathlib import Path

    from fakeguard.datasets import create_reader
    from fakeguard.detectors.pipelines.face import FaceForgeryDetector
    from fakeguard.detectors.runtime import set_threads
    from fakeguard.detectors.training.video_eval import evaluate_videos

    set_threads(None)
    try:
        samples = create_reader(reader, root, **_reader_args(reader_args)).samples()
    except (KeyError, TypeError, ValueError) as exc:
        raise click.UsageError(f"reader {reader!r}: {exc}") from exc
    samples = samples[:limit] if limit else samples
    if not samples:
        raise click.UsageError(f"reader {reader!r} found no videos under {root}")
    detector = FaceForgeryDetector.load(face_model)
    results = evaluate_videos(samples, detector, frame_counts, out_dir=Path(out_dir) if out_dir else None)
    summary = {
        count: {level: (entry[level]["overall"] if entry[level] else None) for level in ("video", "frame")}
        | {"no_face": entry["no_face"]}
        for count, entry in results["frames"].items()
    }
    click.echo(json.dumps({"videos": results["videos"], "errors": len(results["errors"]), "frames": summary}, indent=2))
