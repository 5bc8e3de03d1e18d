"""The shared reader on the real ``../shared/data`` (skipped where it is absent)."""

from __future__ import annotations

import pytest

from fakeguard.datasets import create_reader, split_by_group
from fakeguard.datasets.shared import default_data_root, find_manifests

pytestmark = pytest.mark.shared_data


@pytest.fixture(scope="module")
def shared_samples():
    root = default_data_root()
    if not root.is_dir() or not find_manifests(root):
        pytest.skip(f"shared data not found at {root} (set FAKEGUARD_DATA to read it)")
    return create_reader("shared", root).samples()


def test_speech_and_faces_both_have_real_and_fake(shared_samples):
    for modality in ("speech", "faces"):
        samples = [s for s in shared_samples if s.extra["modality"] == modality]
        assert len(samples) > 0, modality
        assert {s.label for s in samples} == {0, 1}, modality


def test_every_fake_speech_generator_has_a_family(shared_samples):
    unmapped = sorted(
        {s.generator for s in shared_samples if s.extra["modality"] == "speech" and s.is_fake and not s.attack_family}
    )
    assert not unmapped, f"add keywords to fakeguard.datasets.families for: {unmapped}"


def test_relpaths_exist_and_are_unique(shared_samples):
    missing = [str(s.path) for s in shared_samples if not s.path.is_file()]
    assert not missing[:5]
    keys = [(s.source, s.extra["relpath"]) for s in shared_samples]
    assert len(keys) == len(set(keys))


def test_group_split_keeps_units_whole_on_real_data(shared_samples):
    speech = [s for s in shared_samples if s.extra["modality"] == "speech"]
    split = split_by_group(speech, seed=0)
    side = {s: name for name, part in split.parts.items() for s in part}
    by_group: dict[str, set[str]] = {}
    for s in speech:
        by_group.setdefault(s.group, set()).add(side[s])
        for key in s.extra["pair_key"]:
            by_group.setdefault(key, set()).add(side[s])
    assert all(len(v) == 1 for v in by_group.values())
    assert all(split[name] for name in split.names)
