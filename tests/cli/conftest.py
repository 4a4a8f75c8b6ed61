"""CLI tests run ``inmyhead`` in-process (shared models) and, where the console matters, as a process."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from inmyhead_app.cli import main


@pytest.fixture
def cli(
    data_dir: Path, shared_models: None, capsys: pytest.CaptureFixture
) -> Callable[..., tuple[int, str, str]]:
    """Run ``inmyhead ARGS --data-dir DATA``; (exit code, stdout, stderr)."""

    def run(*args: str) -> tuple[int, str, str]:
        code = main([*args, "--data-dir", str(data_dir)])
        captured = capsys.readouterr()
        return code, captured.out, captured.err

    return run


def json_lines(text: str) -> list[dict]:
    return [json.loads(line) for line in text.splitlines() if line.strip()]
