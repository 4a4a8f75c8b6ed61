"""Build the real bundle and .deb, unpack the .deb and run the self-test from the unpacked tree."""

from __future__ import annotations

import importlib.util
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import REPO_ROOT

pytestmark = [
    pytest.mark.slow,
    pytest.mark.timeout(1800),  # PyInstaller alone takes 1-6 minutes, depending on the machine's load
    pytest.mark.skipif(shutil.which("dpkg-deb") is None, reason="needs dpkg-deb (a Debian-family system)"),
]
MODEL_FILES = ("model.onnx", "tokenizer.json", "LICENSE", "NOTICE")


def clean_env(home: Path) -> dict[str, str]:
    """The environment of a user who has never run the app: no data folder, no keys, no display."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("INMYHEAD_", "PYTHON", "VIRTUAL_ENV"))}
    env.update(HOME=str(home), XDG_DATA_HOME=str(home / ".local/share"), QT_QPA_PLATFORM="offscreen")
    env.pop("OPENAI_API_KEY", None)
    env.pop("ANTHROPIC_API_KEY", None)
    return env


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> dict:
    if importlib.util.find_spec("PyInstaller") is None:
        pytest.fail("PyInstaller is not installed: `pip install -e '.[package]'` (make package does it)")
    dist = tmp_path_factory.mktemp("dist")
    result = subprocess.run(
        [
            sys.executable,
            str(REPO_ROOT / "packaging" / "build.py"),
            "--dist",
            str(dist),
            "--work",
            str(REPO_ROOT / "build" / "test-package"),  # kept between runs: PyInstaller's cache
            "--compression",
            "zstd",
        ],
        capture_output=True,
        text=True,
        cwd=REPO_ROOT,
    )
    assert result.returncode == 0, result.stderr[-4000:]
    report = json.loads(result.stdout)
    root = tmp_path_factory.mktemp("unpacked")
    subprocess.run(["dpkg-deb", "-x", report["deb"], str(root)], check=True)
    return {"report": report, "root": root, "deb": Path(report["deb"])}


def control_fields(deb: Path) -> dict[str, str]:
    text = subprocess.run(["dpkg-deb", "-f", str(deb)], capture_output=True, text=True, check=True).stdout
    fields: dict[str, str] = {}
    for line in text.splitlines():
        if line and not line.startswith(" "):
            key, _, value = line.partition(":")
            fields[key] = value.strip()
    return fields


def test_deb_metadata(built: dict) -> None:
    fields = control_fields(built["deb"])
    assert fields["Package"] == "inmyhead"
    assert fields["Architecture"]
    depends = fields["Depends"]
    assert depends.startswith("libc6 (>= ")
    assert "fonts-dejavu-core" in depends
    # Qt's X11 platform plugin links these: PyInstaller bundles them when the build machine has them,
    # else the package must depend on them.
    xcb_helpers = (("libxcb-icccm.so.4", "libxcb-icccm4"), ("libxcb-keysyms.so.1", "libxcb-keysyms1"))
    for soname, package in xcb_helpers:
        assert package in depends or any((built["root"] / "opt").rglob(soname)), soname
    assert "libxcb-cursor0" in depends  # dlopened by that plugin: Qt 6.5+ will not start on X11 without it
    assert int(fields["Installed-Size"]) > 100_000
    assert built["report"]["unresolved_libraries"] == []


def test_deb_layout(built: dict) -> None:
    root: Path = built["root"]
    app = root / "opt/inmyhead"
    assert os.access(app / "inmyhead", os.X_OK)
    for command in ("inmyhead", "inmyhead-gui"):
        launcher = root / "usr/bin" / command
        assert launcher.is_symlink() and launcher.resolve().is_file()
        assert launcher.resolve() == (app / "inmyhead").resolve()
    model = app / "_internal/resources/models/all-MiniLM-L6-v2"
    assert all((model / name).is_file() for name in MODEL_FILES)
    assert "Apache License" in (model / "LICENSE").read_text()
    assert "Apache-2.0" in (root / "usr/share/doc/inmyhead/copyright").read_text()
    assert (app / "_internal/resources/bm25/english.txt").is_file()
    assert (app / "_internal/resources/samples/orbits.docx").is_file()
    assert (root / "usr/share/icons/hicolor/scalable/apps/inmyhead.svg").is_file()
    assert (root / "usr/share/icons/hicolor/256x256/apps/inmyhead.png").read_bytes()[
        :8
    ] == b"\x89PNG\r\n\x1a\n"
    desktop = root / "usr/share/applications/inmyhead.desktop"
    text = desktop.read_text()
    assert "Exec=inmyhead-gui" in text and "Icon=inmyhead" in text
    if shutil.which("desktop-file-validate"):
        result = subprocess.run(["desktop-file-validate", str(desktop)], capture_output=True, text=True)
        assert result.returncode == 0, result.stdout


def test_self_test_runs_from_the_unpacked_deb(built: dict, tmp_path: Path) -> None:
    root: Path = built["root"]
    result = subprocess.run(
        [str(root / "usr/bin/inmyhead"), "--self-test"],
        capture_output=True,
        text=True,
        env=clean_env(tmp_path),
        cwd=tmp_path,
    )
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-4000:]
    report = json.loads(result.stdout)
    assert report["ok"] is True
    assert report["frozen"] is True
    assert Path(report["resources"]).is_relative_to(root / "opt/inmyhead")
    assert {d["state"] for d in report["documents"]} == {"done"}
    assert not (tmp_path / ".local/share/inmyhead").exists()  # the user's data folder is left alone


def test_both_commands_start_from_the_unpacked_deb(built: dict, tmp_path: Path) -> None:
    root: Path = built["root"]
    env = clean_env(tmp_path)
    cli = subprocess.run([str(root / "usr/bin/inmyhead"), "--help"], capture_output=True, text=True, env=env)
    assert cli.returncode == 0 and "usage: inmyhead " in cli.stdout
    gui = subprocess.run(
        [str(root / "usr/bin/inmyhead-gui"), "--help"], capture_output=True, text=True, env=env
    )
    assert gui.returncode == 0 and "usage: inmyhead-gui" in gui.stdout, gui.stderr[-2000:]


def test_the_bundled_window_renders_offscreen(built: dict, tmp_path: Path) -> None:
    """Qt's platform plugins, fonts and icons made it into the bundle: the GUI's --screenshot mode."""
    root: Path = built["root"]
    sample = root / "opt/inmyhead/_internal/resources/samples/beekeeping.txt"
    result = subprocess.run(
        [
            str(root / "usr/bin/inmyhead-gui"),
            "--data-dir",
            str(tmp_path / "data"),
            "--screenshot",
            str(tmp_path / "shot"),
            "--query",
            "honeybees in winter",
            str(sample),
        ],
        capture_output=True,
        text=True,
        env=clean_env(tmp_path),
    )
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-4000:]
    for view in ("jobs", "library", "search"):
        assert (tmp_path / f"shot-{view}.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
