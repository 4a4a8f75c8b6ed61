"""`make package`: build the PyInstaller one-folder bundle into dist/, then the .deb beside it.

Usage: python packaging/build.py [--skip-bundle] [--compression zstd|gzip|xz|none] [--dist DIR] [--work DIR]
Prints one JSON object describing what was built.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
import tomllib
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from deb import build_deb

ROOT = Path(__file__).resolve().parents[1]
SPEC = ROOT / "packaging" / "inmyhead.spec"


def project_version() -> str:
    return tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["version"]


def build_bundle(dist: Path, work: Path) -> Path:
    """Run PyInstaller on the spec; returns the bundle folder (dist/inmyhead)."""
    subprocess.run(
        [
            sys.executable,
            "-m",
            "PyInstaller",
            "--noconfirm",
            "--log-level",
            "WARN",
            "--distpath",
            str(dist),
            "--workpath",
            str(work / "pyinstaller"),
            str(SPEC),
        ],
        check=True,
        cwd=ROOT,
    )
    return dist / "inmyhead"


def folder_mib(path: Path) -> float:
    return round(sum(p.lstat().st_size for p in path.rglob("*") if not p.is_dir()) / 2**20, 1)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dist", type=Path, default=ROOT / "dist", help="output folder (default dist/)")
    parser.add_argument("--work", type=Path, default=ROOT / "build", help="scratch folder (default build/)")
    parser.add_argument("--compression", choices=("zstd", "gzip", "xz", "none"), default="zstd")
    parser.add_argument("--skip-bundle", action="store_true", help="reuse dist/inmyhead as it is")
    args = parser.parse_args(argv)
    dist, work = args.dist.resolve(), args.work.resolve()
    started = time.monotonic()
    bundle = dist / "inmyhead" if args.skip_bundle else build_bundle(dist, work)
    bundle_seconds = time.monotonic() - started
    if not (bundle / "inmyhead").is_file():
        raise SystemExit(f"no bundle at {bundle}")
    info = build_deb(bundle, work / "deb", dist, project_version(), args.compression)
    report = {
        "bundle": str(bundle),
        "bundle_mib": folder_mib(bundle),
        "bundle_seconds": round(bundle_seconds, 1),
        "deb": str(info.path),
        "deb_mib": round(info.path.stat().st_size / 2**20, 1),
        "deb_seconds": round(time.monotonic() - started - bundle_seconds, 1),
        "compression": args.compression,
        "depends": info.deps.depends,
        "recommends": info.deps.recommends,
        "unresolved_libraries": info.deps.unresolved,
    }
    print(json.dumps(report, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
