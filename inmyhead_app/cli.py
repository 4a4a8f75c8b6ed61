"""Command-line interface: ``inmyhead ingest|search|docs|delete|jobs|stats|worker|...``."""

from __future__ import annotations

import sys


def main(argv: list[str] | None = None) -> int:
    print("inmyhead: not implemented yet", file=sys.stderr)
    return 2


if __name__ == "__main__":
    raise SystemExit(main())
