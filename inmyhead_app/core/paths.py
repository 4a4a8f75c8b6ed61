"""Where the app keeps its data and finds its bundled resources."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import platformdirs

APP_NAME = "inmyhead"
DATA_DIR_ENV = "INMYHEAD_DATA_DIR"
RESOURCES_ENV = "INMYHEAD_RESOURCES"


def data_dir(override: str | os.PathLike[str] | None = None) -> Path:
    """The data folder: ``override`` (``--data-dir``), else $INMYHEAD_DATA_DIR, else the platform's."""
    chosen = override or os.environ.get(DATA_DIR_ENV) or platformdirs.user_data_dir(APP_NAME, appauthor=False)
    path = Path(chosen).expanduser().resolve()
    path.mkdir(parents=True, exist_ok=True)
    return path


def resources_dir() -> Path:
    """Bundled resources: $INMYHEAD_RESOURCES, the PyInstaller bundle, or the source checkout."""
    if env := os.environ.get(RESOURCES_ENV):
        return Path(env)
    bundle = getattr(sys, "_MEIPASS", None)
    if bundle:
        return Path(bundle) / "resources"
    return Path(__file__).resolve().parents[2] / "resources"


def embedding_model_dir() -> Path:
    return resources_dir() / "models" / "all-MiniLM-L6-v2"


def bm25_dir() -> Path:
    return resources_dir() / "bm25"
