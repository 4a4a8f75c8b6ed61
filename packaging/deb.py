"""Lay out and build the Debian package from the PyInstaller one-folder bundle.

Layout: the bundle under /opt/inmyhead, relative symlinks /usr/bin/inmyhead and /usr/bin/inmyhead-gui
(so an extracted tree runs too), the .desktop file, hicolor icons and the copyright file. No
maintainer scripts: dpkg's triggers refresh the icon cache and the desktop database.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from sysdeps import SystemDeps, system_deps

PACKAGING = Path(__file__).resolve().parent
APP_ICON = PACKAGING.parent / "resources" / "icons" / "inmyhead.svg"  # the one the window shows too
PACKAGE = "inmyhead"
INSTALL_DIR = Path("opt") / PACKAGE
COMMANDS = ("inmyhead", "inmyhead-gui")
MAINTAINER = "In My Head developers <inmyhead@localhost>"
DESCRIPTION = """\
A private, searchable memory of your documents
 In My Head ingests PDF, DOCX, text, HTML, Markdown and JSON documents in the
 background and lets you search them by meaning and by keyword. Everything runs
 on this computer: parsing, a local embedding model (all-MiniLM-L6-v2), BM25
 keyword vectors and an embedded Qdrant store."""


@dataclass
class DebInfo:
    path: Path
    version: str
    architecture: str
    deps: SystemDeps
    installed_kib: int


def architecture() -> str:
    return subprocess.run(
        ["dpkg", "--print-architecture"], capture_output=True, text=True, check=True
    ).stdout.strip()


def copy_bundle(bundle: Path, dest: Path) -> None:
    """Copy the bundle, hard-linking files where the file system allows (it saves 400 MB of writes)."""

    def link_or_copy(src: str, dst: str) -> None:
        try:
            os.link(src, dst)
        except OSError:
            shutil.copy2(src, dst)

    shutil.copytree(bundle, dest, symlinks=True, copy_function=link_or_copy)


def write_icons(root: Path) -> None:
    hicolor = root / "usr/share/icons/hicolor"
    svg = APP_ICON
    (hicolor / "scalable/apps").mkdir(parents=True)
    shutil.copyfile(svg, hicolor / "scalable/apps" / f"{PACKAGE}.svg")
    subprocess.run(
        [sys.executable, str(PACKAGING / "render_icons.py"), str(svg), str(hicolor)],
        check=True,
        capture_output=True,
        env={**os.environ, "QT_QPA_PLATFORM": "offscreen"},
    )


def validate_desktop_file(path: Path) -> None:
    """desktop-file-validate when installed (desktop-file-utils); otherwise the keys we rely on."""
    if shutil.which("desktop-file-validate"):
        result = subprocess.run(["desktop-file-validate", str(path)], capture_output=True, text=True)
        if result.returncode != 0 or "error" in result.stdout:
            raise SystemExit(f"invalid .desktop file:\n{result.stdout}{result.stderr}")
        return
    text = path.read_text(encoding="utf-8")
    for key in ("[Desktop Entry]", "Type=Application", "Name=", "Exec=", "Icon="):
        if key not in text:
            raise SystemExit(f"{path} lacks {key}")


def write_docs(root: Path) -> None:
    doc = root / "usr/share/doc" / PACKAGE
    doc.mkdir(parents=True)
    (doc / "copyright").write_text(
        "Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/\n"
        "Upstream-Name: In My Head\n\n"
        "Files: *\n"
        "Copyright: the In My Head developers\n"
        "License: Apache-2.0\n\n"
        f"Files: {INSTALL_DIR}/_internal/resources/models/all-MiniLM-L6-v2/*\n"
        "Copyright: the sentence-transformers authors\n"
        "License: Apache-2.0\n"
        " The model's LICENSE and NOTICE are in that folder.\n\n"
        f"Files: {INSTALL_DIR}/_internal/*\n"
        "Copyright: their respective authors\n"
        "License: various\n"
        " Python, Qt/PySide6 (LGPLv3), ONNX Runtime, Qdrant and the other bundled components are\n"
        f" listed in /{INSTALL_DIR}/_internal/THIRD-PARTY.md.\n\n"
        "License: Apache-2.0\n"
        " On Debian systems the full text of the Apache License 2.0 is in\n"
        " /usr/share/common-licenses/Apache-2.0.\n",
        encoding="utf-8",
    )


def write_control(root: Path, version: str, arch: str, deps: SystemDeps) -> int:
    installed_kib = sum(p.lstat().st_size for p in root.rglob("*") if not p.is_dir()) // 1024
    control = root / "DEBIAN" / "control"
    control.parent.mkdir(parents=True)
    lines = [
        f"Package: {PACKAGE}",
        f"Version: {version}",
        "Section: utils",
        "Priority: optional",
        f"Architecture: {arch}",
        f"Maintainer: {MAINTAINER}",
        f"Installed-Size: {installed_kib}",
        f"Depends: {', '.join(deps.depends)}",
    ]
    if deps.recommends:
        lines.append(f"Recommends: {', '.join(deps.recommends)}")
    lines.append(f"Description: {DESCRIPTION}")
    control.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return installed_kib


def stage(bundle: Path, root: Path, version: str, arch: str) -> tuple[SystemDeps, int]:
    """Lay out the package tree under ``root`` (emptied first)."""
    if root.exists():
        shutil.rmtree(root)
    root.mkdir(parents=True)
    copy_bundle(bundle, root / INSTALL_DIR)
    bindir = root / "usr/bin"
    bindir.mkdir(parents=True)
    for command in COMMANDS:
        (bindir / command).symlink_to(Path("../..") / INSTALL_DIR / command)
    applications = root / "usr/share/applications"
    applications.mkdir(parents=True)
    desktop = applications / f"{PACKAGE}.desktop"
    shutil.copyfile(PACKAGING / "linux" / f"{PACKAGE}.desktop", desktop)
    validate_desktop_file(desktop)
    write_icons(root)
    write_docs(root)
    deps = system_deps(bundle)
    installed_kib = write_control(root, version, arch, deps)
    for path in root.rglob("*"):  # dpkg wants 0755 directories and no group/world-writable files
        if path.is_dir():
            path.chmod(0o755)
        elif not path.is_symlink() and path.stat().st_mode & 0o022:
            path.chmod(path.stat().st_mode & ~0o022)
    return deps, installed_kib


def build_deb(bundle: Path, work: Path, out_dir: Path, version: str, compression: str = "zstd") -> DebInfo:
    arch = architecture()
    root = work / f"{PACKAGE}_{version}_{arch}"
    deps, installed_kib = stage(bundle, root, version, arch)
    out_dir.mkdir(parents=True, exist_ok=True)
    deb = out_dir / f"{PACKAGE}_{version}_{arch}.deb"
    level = {"zstd": "3", "gzip": "6", "xz": "6", "none": "0"}[compression]
    subprocess.run(
        ["dpkg-deb", "--root-owner-group", f"-Z{compression}", f"-z{level}", "--build", str(root), str(deb)],
        check=True,
        stdout=subprocess.DEVNULL,
    )
    return DebInfo(deb, version, arch, deps, installed_kib)
