"""Helpers shared by the CLI commands: opening the Core, printing JSON, reporting a busy data folder."""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from inmyhead_app.core import paths
from inmyhead_app.core.context import Core, DataFolderBusy, open_core
from inmyhead_app.core.logs import setup_logging


def open_for(args: argparse.Namespace, *, with_store: bool = True) -> Core:
    """Open the Core for a command; logs go to the data folder's file, never to the console."""
    folder = paths.data_dir(args.data_dir)
    setup_logging(folder)
    return open_core(folder, start_consumer=False, with_store=with_store)


def print_json(value: Any) -> None:
    sys.stdout.write(json.dumps(value, ensure_ascii=False, default=str) + "\n")
    sys.stdout.flush()


def busy(error: DataFolderBusy) -> int:
    print(f"inmyhead: {error}", file=sys.stderr)
    return 2
