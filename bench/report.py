"""How every benchmark hands over its result: one JSON object on stdout, and in ``--out`` when given."""

from __future__ import annotations

import argparse
import json
import os
from pathlib import Path
from typing import Any


def emit(report: dict[str, Any], out: Path | None) -> None:
    text = json.dumps(report, indent=2)
    print(text)
    if out:
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(text + "\n", encoding="utf-8")


def corpus_header(args: argparse.Namespace, documents: int) -> dict[str, Any]:
    """What a corpus benchmark ran on: the folder, how many documents, workers, store, cores."""
    return {
        "corpus": str(args.corpus),
        "documents": documents,
        "workers": args.workers,
        "store": args.store,
        "cpus": os.cpu_count(),
    }
