"""Window fixtures: a MainWindow over a core in tmp_path, closed (and its core closed) after the test."""

from __future__ import annotations

from pathlib import Path

import pytest

from inmyhead_app.gui.main_window import MainWindow
from tests.gui.fake_core import FakeCore


def write_docs(folder: Path) -> list[Path]:
    """A few real small documents, plus one file of a type the app does not read."""
    folder.mkdir(parents=True, exist_ok=True)
    docs = {
        "lighthouse.txt": "The lighthouse keeper logged every passing ship in a leather notebook.\n" * 3,
        "recipes.md": "# Bread\n\nKnead the dough for ten minutes, then let the sourdough rise overnight.\n",
        "orbit.html": "<html><head><title>Orbits</title></head><body><p>Kepler described elliptical"
        " orbits of planets around the sun.</p></body></html>",
    }
    paths = []
    for name, text in docs.items():
        path = folder / name
        path.write_text(text, encoding="utf-8")
        paths.append(path)
    (folder / "photo.xyz").write_bytes(b"\x00\x01 not a document")
    return paths


# The offscreen platform has no window manager to pass size hints to and says so whenever a
# top-level window (a dialog) changes its size limits; every other Qt warning still fails a test.
OFFSCREEN_NOISE = r"This plugin does not support propagateSizeHints\(\)"


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "tests/gui/" in str(item.path).replace("\\", "/"):
            item.add_marker(pytest.mark.qt_log_ignore(OFFSCREEN_NOISE))


@pytest.fixture
def docs_dir(tmp_path: Path) -> Path:
    folder = tmp_path / "docs"
    write_docs(folder)
    return folder


def close_window(qtbot, window: MainWindow) -> None:
    """Quit as the user would (the core closes off the GUI thread), then delete the window."""
    if not window._core_closed:
        with qtbot.waitSignal(window.core_closed, timeout=30000):
            window.request_quit()
    window.deleteLater()
    qtbot.wait(10)


@pytest.fixture
def fake_window(qtbot, data_dir: Path):
    core = FakeCore(data_dir)
    window = MainWindow(core)
    window.show()
    yield window
    close_window(qtbot, window)
    assert core.closed


@pytest.fixture
def held_window(qtbot, data_dir: Path):
    """Jobs wait in the queue until ``window.core.jobs.release()``: for cancel tests."""
    core = FakeCore(data_dir, step_s=0.05, hold=True)
    window = MainWindow(core)
    window.show()
    yield window
    core.jobs.release()
    close_window(qtbot, window)
