"""Turn what the user dropped (files and folders) into the files to submit, and the ones skipped."""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path

from inmyhead_app.core.documents.detect import is_supported


def expand_paths(paths: Iterable[str | os.PathLike[str]]) -> tuple[list[Path], list[tuple[str, str]]]:
    """Files, and folders walked recursively (hidden entries skipped); skipped ones with a reason.

    Inside folders only files of a supported type are taken; a file named explicitly is always
    submitted, and its content decides (an unsupported one fails with that reason).
    """
    files: list[Path] = []
    skipped: list[tuple[str, str]] = []
    for raw in paths:
        path = Path(raw).expanduser().absolute()
        if path.is_dir():
            for root, dirs, names in os.walk(path):
                dirs[:] = sorted(d for d in dirs if not d.startswith("."))
                for name in sorted(names):
                    if name.startswith("."):
                        continue
                    child = Path(root) / name
                    if is_supported(child):
                        files.append(child)
                    else:
                        skipped.append((str(child), "unsupported file type"))
        elif not path.exists():
            skipped.append((str(path), "no such file"))
        elif not path.is_file():
            skipped.append((str(path), "not a regular file"))
        else:
            files.append(path)
    return files, skipped
