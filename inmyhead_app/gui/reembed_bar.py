"""The embedding model changed: offer to re-embed the library, follow it, and switch when it is done.

The bar appears when the settings ask for another model than the library's (``core.embedding_change``).
*Re-embed* queues one job per document (they show in the Jobs tab like any other); *Keep* sets the
setting back. When the last document is in, the window reopens the core, which switches the
library to the new model, and says so. Every core call runs in the window's task pool.
"""

from __future__ import annotations

import logging
from typing import Any

from PySide6.QtCore import QObject, QTimer, Signal, Slot
from PySide6.QtWidgets import QPushButton, QWidget

from inmyhead_app.core.reembed import EmbeddingChange
from inmyhead_app.gui.notifications import BannerFrame, Level

log = logging.getLogger("inmyhead.gui.reembed")

REFRESH_DEBOUNCE_MS = 1000


def model_name(model_id: str) -> str:
    """``openai:text-embedding-3-small:1536`` -> ``text-embedding-3-small``; ``local:X`` -> ``X``."""
    parts = model_id.split(":")
    return parts[1] if len(parts) > 1 else model_id


def describe(change: EmbeddingChange) -> tuple[str, str]:
    """(title, text) for the bar."""
    old, new = model_name(change.library_model), model_name(change.wanted_model)
    documents = f"{change.documents} document{'s' if change.documents != 1 else ''}"
    if change.reembedding:
        left = change.remaining
        return (
            f"Re-embedding with {new}",
            f"{change.documents - left} of {documents} done. Search keeps using {old} until all are in.",
        )
    text = (
        f"Your library ({documents}) was indexed with {old}; Settings ask for {new}. Until it is "
        f"re-embedded, search and new documents keep using {old}."
    )
    if change.wanted_model.startswith("openai:") and change.chunks:
        text += (
            f" Re-embedding sends the text of {change.chunks:,} chunks (at most about "
            f"{human_count(change.estimated_tokens)} tokens) to OpenAI."
        )
    return "The embedding model changed", text


def human_count(value: int) -> str:
    """1234 -> "1,234"; 1_234_567 -> "1.2 million"."""
    return f"{value / 1_000_000:.1f} million" if value >= 1_000_000 else f"{value:,}"


class EmbeddingChangeBar(BannerFrame):
    """A persistent strip: what changed, *Re-embed N documents* and *Keep <model>*."""

    reembed_requested = Signal()
    keep_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("embeddingChangeBar", parent)
        self.set_level(Level.WARNING)
        self.reembed_button = QPushButton()
        self.reembed_button.clicked.connect(self.reembed_requested)
        self.keep_button = QPushButton()
        self.keep_button.setFlat(True)
        self.keep_button.clicked.connect(self.keep_requested)
        self.row.addWidget(self.reembed_button)
        self.row.addWidget(self.keep_button)
        self.change: EmbeddingChange | None = None
        self.hide()

    def show_change(self, change: EmbeddingChange | None) -> None:
        self.change = change
        if change is None:
            self.hide()
            return
        title, text = describe(change)
        self.title.setText(title)
        self.text.setText(text)
        count = change.remaining
        if count:
            self.reembed_button.setText(f"Re-embed {count} document{'s' if count != 1 else ''}")
        else:  # an empty library (or every document already in): nothing to wait for
            self.reembed_button.setText(f"Switch to {model_name(change.wanted_model)}")
        self.reembed_button.setVisible(not change.reembedding)
        self.reembed_button.setEnabled(True)
        self.keep_button.setText(f"Keep {model_name(change.library_model)}")
        self.keep_button.setEnabled(True)
        self.show()

    def set_busy(self) -> None:
        self.reembed_button.setEnabled(False)
        self.keep_button.setEnabled(False)


class ReembedController(QObject):
    """Drives the bar for one window: asks the core, starts or abandons a re-embed, then switches."""

    switched = Signal(object)  # the reopened core, on the new model

    def __init__(self, window: Any, bar: EmbeddingChangeBar) -> None:
        super().__init__(window)
        self._window = window
        self._tasks = window.tasks
        self.bar = bar
        self._core: Any = None
        self.switching = False
        self._debounce = QTimer(self)
        self._debounce.setSingleShot(True)
        self._debounce.setInterval(REFRESH_DEBOUNCE_MS)
        self._debounce.timeout.connect(self.refresh)
        bar.reembed_requested.connect(self.start_reembed)
        bar.keep_requested.connect(self.keep_library_model)
        window.bridge.documents_indexed.connect(self._on_documents_indexed)
        window.bridge.reembed_finished.connect(self.switch_library)

    def set_core(self, core: Any) -> None:
        self._core = core
        self.refresh()

    @Slot()
    def refresh(self) -> None:
        core = self._core
        if core is None or self.switching:
            return
        self._tasks.run(lambda: core.embedding_change, self._on_change, owner=self)

    def settings_changed(self) -> None:
        """The Settings dialog saved: the embedding model may differ from the library's now."""
        core = self._core
        if core is None or self.switching:
            return
        self._tasks.run(core.reload_embedding_settings, self._on_change, owner=self)

    def _on_change(self, change: EmbeddingChange | None, error: BaseException | None) -> None:
        if error is not None:
            log.warning("could not compare the embedding models: %s", error)
            return
        if not self.switching:
            self.bar.show_change(change)

    @Slot(int)
    def _on_documents_indexed(self, _count: int) -> None:
        if self.bar.change is not None and not self._debounce.isActive():
            self._debounce.start()

    @Slot()
    def start_reembed(self) -> None:
        def done(jobs: list) -> None:
            if jobs:
                self._window.statusBar().showMessage(f"Re-embedding {len(jobs)} documents", 6000)

        self._ask_core("start re-embedding", lambda core: core.start_reembed(), done)

    @Slot()
    def keep_library_model(self) -> None:
        self._ask_core("keep the current model", lambda core: core.keep_library_model())

    def _ask_core(self, what: str, call: Any, then: Any = None) -> None:
        """Run ``call(core)`` in the pool with the bar's buttons off; then show the new state."""
        core = self._core
        if core is None:
            return
        self.bar.set_busy()

        def done(result: Any, error: BaseException | None) -> None:
            if error is not None:
                self._window.show_error(f"Could not {what}", str(error), error)
            elif then is not None:
                then(result)
            self.refresh()

        self._tasks.run(lambda: call(core), done, owner=self)

    @Slot(dict)
    def switch_library(self, detail: dict) -> None:
        """Every document is re-embedded: reopen the core, which switches the library to the new model."""
        old = self._window.detach_core()
        if old is None or self.switching:
            return
        self.switching = True
        self.bar.hide()
        name = model_name(str(detail.get("model", "")))
        text = f"Every document is re-embedded; search now moves to {name}…"
        self._window.banner.show_message("Switching your library", text, timeout_ms=0)

        def reopen() -> Any:
            from inmyhead_app.core.context import open_core
            from inmyhead_app.gui.app import warm_up

            old.close()
            core = open_core(old.data_dir)
            warm_up(core)
            return core

        def done(core: Any, error: BaseException | None) -> None:
            self.switching = False
            self._window.banner.hide()
            if error is not None:
                self._window.show_error("Could not switch the library", str(error), error)
                return
            self.switched.emit(core)
            self._window.tray.notify("Library re-embedded", f"Search now uses {name}.", Level.SUCCESS)

        self._tasks.run(reopen, done, owner=self)
