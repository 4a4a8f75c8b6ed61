"""The window offers to re-embed when the embedding model changed, runs it as jobs, then switches.

A real core (the real local model, an Edge store in tmp_path) and the real OpenAI SDK talking to a
fake embeddings API on 127.0.0.1.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from inmyhead_app.core.config import Settings
from inmyhead_app.core.context import open_core
from inmyhead_app.core.jobs.model import JobKind, JobState
from inmyhead_app.gui.main_window import MainWindow
from inmyhead_app.gui.search_model import SearchRole
from tests.gui.conftest import close_window, write_docs
from tests.helpers.fake_openai import FakeOpenAI


@pytest.fixture
def changed_model_window(
    qtbot, data_dir: Path, tmp_path: Path, shared_models: None, monkeypatch: pytest.MonkeyPatch
) -> Iterator[MainWindow]:
    """A library of three documents indexed locally, opened after Settings switched to OpenAI."""
    with FakeOpenAI() as server:
        monkeypatch.setenv("OPENAI_BASE_URL", server.url)
        monkeypatch.setenv("OPENAI_API_KEY", "sk-test-gui-" + "e" * 32)
        with open_core(data_dir, overrides={"embedder": "local"}) as core:
            core.jobs.submit_batch(write_docs(tmp_path / "docs"))
            assert core.jobs.wait_idle(timeout=120)
        settings = Settings(data_dir)  # as the Settings dialog saves them
        settings.set("embedder", "openai")
        settings.set("openai_dimensions", 256)
        settings.save()
        window = MainWindow(open_core(data_dir))
        window.show()
        yield window
        close_window(qtbot, window)


def test_reembed_from_the_bar_then_the_window_switches_to_the_new_model(
    qtbot, changed_model_window: MainWindow
) -> None:
    window = changed_model_window
    bar = window.embedding_bar
    qtbot.waitUntil(bar.isVisible, timeout=10000)
    assert "all-MiniLM-L6-v2" in bar.text.text() and "text-embedding-3-small" in bar.text.text()
    assert "sends the text of 3 chunks (at most about 750 tokens) to OpenAI" in bar.text.text()
    assert bar.reembed_button.text() == "Re-embed 3 documents"
    assert bar.keep_button.text() == "Keep all-MiniLM-L6-v2"
    qtbot.waitUntil(lambda: "searched with all-MiniLM-L6-v2" in window.status_label.text(), timeout=10000)
    first_core = window.core

    bar.reembed_button.click()
    qtbot.waitUntil(
        lambda: sum(job.kind == JobKind.REEMBED for job in window.jobs_model.jobs()) == 3, timeout=10000
    )
    qtbot.waitUntil(lambda: window.core is not None and window.core is not first_core, timeout=120000)
    qtbot.waitUntil(lambda: window.banner.title.text() == "Library re-embedded", timeout=10000)
    told = [(title, text) for title, text, _level in window.tray.messages]
    assert ("Batch finished", "3 re-embedded.") in told, told
    assert "text-embedding-3-small" in window.banner.text.text()
    assert first_core._closed
    assert not bar.isVisible()
    reembeds = [job for job in window.jobs_model.jobs() if job.kind == JobKind.REEMBED]
    assert all(job.state is JobState.DONE for job in reembeds)
    assert window.core.embedding_change is None
    assert window.core.store.info().dense_model == "openai:text-embedding-3-small:256"
    status = window.status_label.text
    qtbot.waitUntil(lambda: "searched with text-embedding-3-small" in status(), timeout=10000)

    window.tabs.setCurrentWidget(window.search)
    window.search.query_edit.setText("lighthouse keeper notebook")
    with qtbot.waitSignal(window.search.results_shown, timeout=60000):
        window.search.search_button.click()
    assert window.search.model.index(0, 0).data(SearchRole.DOCUMENT).path.endswith("lighthouse.txt")


def test_keep_sets_the_model_back_and_hides_the_bar(qtbot, changed_model_window: MainWindow) -> None:
    window = changed_model_window
    bar = window.embedding_bar
    qtbot.waitUntil(bar.isVisible, timeout=10000)
    bar.keep_button.click()
    qtbot.waitUntil(lambda: not bar.isVisible(), timeout=10000)
    assert window.core.settings["embedder"] == "local"
    assert Settings(window.core.data_dir)["embedder"] == "local"  # saved, not only in memory
    assert not [job for job in window.jobs_model.jobs() if job.kind == JobKind.REEMBED]


def test_choosing_another_model_in_settings_offers_the_reembed_at_once(
    qtbot, data_dir: Path, tmp_path: Path, shared_models: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", "sk-test-gui-" + "f" * 32)
    core = open_core(data_dir, overrides={"store": "local"})
    core.jobs.submit_batch(write_docs(tmp_path / "docs")[:2])
    assert core.jobs.wait_idle(timeout=120)
    window = MainWindow(core)
    window.show()
    try:
        qtbot.waitUntil(lambda: not window.tasks.busy, timeout=10000)  # the first look at the models
        assert not window.embedding_bar.isVisible()
        dialog = window.open_settings()
        assert dialog is not None
        embedder = dialog.editors["embedder"]
        embedder.setCurrentIndex(embedder.findData("openai"))
        dialog.accept()
        qtbot.waitUntil(window.embedding_bar.isVisible, timeout=10000)
        assert window.embedding_bar.reembed_button.text() == "Re-embed 2 documents"
        assert "text-embedding-3-small" in window.embedding_bar.text.text()
        assert window.banner.title.text() != "Settings saved" or "next time" not in window.banner.text.text()

        dialog = window.open_settings()  # and back: the offer goes away
        embedder = dialog.editors["embedder"]
        embedder.setCurrentIndex(embedder.findData("local"))
        dialog.accept()
        qtbot.waitUntil(lambda: not window.embedding_bar.isVisible(), timeout=10000)
    finally:
        close_window(qtbot, window)
