"""Optional dependencies, imported where they are used, with an error that says how to install them.

pandas is only needed by the notebook-facing parts of the Python API (folder
scores and metric tables as DataFrames); the service, the scanner and the
CLI never import it, so it is an extra (``fakeguard[notebooks]``) rather than
a dependency of every install.
"""

from __future__ import annotations

from types import ModuleType

NOTEBOOKS_HINT = "pip install 'fakeguard[notebooks]'"


def require_pandas() -> ModuleType:
    """The ``pandas`` module.

    Raises:
        ImportError: pandas is not installed (the message says how to install it).
    """
    try:
        import pandas
    except ImportError as exc:  # pragma: no cover - pandas is in the dev extra
        raise ImportError(f"this part of the Python API returns pandas DataFrames: {NOTEBOOKS_HINT}") from exc
    return pandas
