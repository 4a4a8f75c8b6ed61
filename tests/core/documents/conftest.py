"""The real-document corpus from ../shared, built once per session (or taken from $INMYHEAD_TEST_CORPUS)."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from tests.conftest import shared_path


@pytest.fixture(scope="session")
def real_corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    cached = os.environ.get("INMYHEAD_TEST_CORPUS")
    if cached and (Path(cached) / "MANIFEST.tsv").is_file():
        return Path(cached)
    script = shared_path("corpus", "build-corpus.sh")
    out = tmp_path_factory.mktemp("corpus") / "small"
    try:
        result = subprocess.run(
            ["bash", str(script), str(out), "--small"], capture_output=True, text=True, timeout=600
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        pytest.skip(f"could not build the shared corpus: {exc}")
    if result.returncode != 0 or not (out / "MANIFEST.tsv").is_file():
        pytest.skip(f"could not build the shared corpus (needs apt-get and npm): {result.stderr[-400:]}")
    return out
