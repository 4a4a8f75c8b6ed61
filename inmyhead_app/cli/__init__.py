"""Command-line interface: ``inmyhead COMMAND ...``, driving the same core as the GUI.

Each command lives in its own module under ``inmyhead_app/cli/`` and exposes
``register(subparsers)``, which adds its parser and sets ``handler`` to a function
``(args) -> int`` (the exit code). Command names, flags and JSON fields are a stable contract.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys

from inmyhead_app.core.config import declaration

COMMAND_MODULES = ("ingest", "library", "jobs", "worker", "migrate", "reembed")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="inmyhead", description="A private, searchable memory of your documents."
    )
    subparsers = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for name in COMMAND_MODULES:
        try:
            module = importlib.import_module(f"inmyhead_app.cli.{name}")
        except ModuleNotFoundError as error:
            if error.name == f"inmyhead_app.cli.{name}":
                continue  # command not built yet
            raise
        module.register(subparsers)
    return parser


# Provider and store choices: a flag wins over the environment variable, which wins over settings.
PROVIDER_FLAGS = (
    ("--embedder", "INMYHEAD_EMBEDDER", "embedder"),
    ("--metadata", "INMYHEAD_METADATA", "metadata"),
    ("--store", "INMYHEAD_STORE", "store"),
)


def add_common_options(parser: argparse.ArgumentParser) -> None:
    """Options every command takes."""
    parser.add_argument(
        "--data-dir", metavar="DIR", help="data folder (default: $INMYHEAD_DATA_DIR or the platform's)"
    )
    for flag, env, key in PROVIDER_FLAGS:
        setting = declaration(key)
        parser.add_argument(
            flag, choices=setting.choices, help=f"{setting.label.lower()} for this run (or ${env})"
        )


def apply_provider_flags(args: argparse.Namespace) -> None:
    """Hand the flags to Settings through their environment variables, so worker processes inherit them."""
    for flag, env, _key in PROVIDER_FLAGS:
        value = getattr(args, flag.removeprefix("--"), None)
        if value:
            os.environ[env] = value


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    apply_provider_flags(args)
    try:
        code = int(args.handler(args) or 0)
        sys.stdout.flush()
        return code
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:  # `inmyhead search … | head`: the reader left, which is not an error to show
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())  # so the interpreter's final flush cannot fail again
        return 141


if __name__ == "__main__":
    raise SystemExit(main())
