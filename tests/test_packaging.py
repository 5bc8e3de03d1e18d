"""The three code folders install under the ``fakeguard`` namespace, every sub-package included."""

from __future__ import annotations

import importlib
import sys
from pathlib import Path

import pytest

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

ROOT = Path(__file__).resolve().parents[1]
FOLDERS = {"detectors": "fakeguard.detectors", "service": "fakeguard.service", "datasets": "fakeguard.datasets"}


def _declared_packages() -> set[str]:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]
    assert config["package-dir"] == {ns: folder for folder, ns in FOLDERS.items()}
    return set(config["packages"])


def _packages_on_disk() -> set[str]:
    found = set()
    for folder, namespace in FOLDERS.items():
        for init in (ROOT / folder).rglob("__init__.py"):
            rel = init.parent.relative_to(ROOT / folder)
            found.add(".".join([namespace, *rel.parts]))
    return found


def test_every_package_folder_is_declared_in_pyproject():
    missing = _packages_on_disk() - _declared_packages()
    assert not missing, f"add these to [tool.setuptools] packages in pyproject.toml: {sorted(missing)}"


@pytest.mark.parametrize("package", sorted(_packages_on_disk()))
def test_package_imports_under_the_namespace(package):
    module = importlib.import_module(package)
    assert Path(module.__file__).resolve().is_relative_to(ROOT)


def test_nothing_shadows_common_top_level_names():
    # The whole point of the namespace: `import datasets` / `import service` stay the user's.
    import fakeguard.datasets  # noqa: F401

    assert "datasets" not in sys.modules or not str(getattr(sys.modules["datasets"], "__file__", "")).startswith(
        str(ROOT / "datasets")
    )
