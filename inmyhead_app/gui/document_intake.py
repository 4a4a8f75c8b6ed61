"""Files and folders the user adds (dropped, or picked in a dialog) become one batch of jobs.

The batch is submitted in the window's task pool (the core walks folders); what comes back goes into
the jobs table, and files of a type the app does not read are listed, never silently dropped.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, Signal, Slot
from PySide6.QtWidgets import QFileDialog, QMessageBox

from inmyhead_app.gui.notifications import Level

DOCUMENT_FILTER = "Documents (*.pdf *.docx *.txt *.text *.md *.markdown *.html *.htm *.json);;All files (*)"


class DocumentIntake(QObject):
    """Submits what the user adds to the window's core; one per window."""

    submitted = Signal(int, int)  # jobs submitted, files skipped

    def __init__(self, window: Any) -> None:
        super().__init__(window)
        self._window = window
        self.last_skipped: list[tuple[str, str]] = []  # (path, reason) of the last submission
        self.skipped_by_batch: dict[str, int] = {}  # told again when the batch finishes

    @Slot()
    def add_files(self) -> None:
        files, _ = QFileDialog.getOpenFileNames(
            self._window, "Add documents", str(Path.home()), DOCUMENT_FILTER
        )
        if files:
            self.add_paths([Path(f) for f in files])

    @Slot()
    def add_folder(self) -> None:
        folder = QFileDialog.getExistingDirectory(self._window, "Add a folder of documents", str(Path.home()))
        if folder:
            self.add_paths([Path(folder)])

    def add_paths(self, paths: list[Path]) -> None:
        """Submit files and folders as one batch, off the GUI thread (folders are walked by the core)."""
        window = self._window
        if window.core is None:
            return
        jobs = window.core.jobs
        window.statusBar().showMessage(f"Adding {len(paths)} item{'s' if len(paths) != 1 else ''}…")
        window.tasks.run(lambda: jobs.submit_batch([str(p) for p in paths]), self._on_submitted, owner=self)

    def _on_submitted(self, submission: Any, error: BaseException | None) -> None:
        window = self._window
        window.statusBar().clearMessage()
        if error is not None or submission is None:
            window.show_error("Could not add the documents", str(error), error)
            return
        window.jobs_model.upsert([job for job in submission.jobs if window.jobs_model.job(job.id) is None])
        window.update_status()
        skipped = list(submission.skipped)
        self.last_skipped = skipped
        self.skipped_by_batch[submission.batch_id] = len(skipped)
        count = len(submission.jobs)
        if skipped:
            names = ", ".join(Path(path).name for path, _reason in skipped[:3])
            more = f" and {len(skipped) - 3} more" if len(skipped) > 3 else ""
            window.tray.notify(
                f"{len(skipped)} file{'s' if len(skipped) != 1 else ''} skipped",
                f"Added {count}. Not added: {names}{more}.",
                Level.WARNING,
                action="skipped",
                action_label="Details…",
            )
        elif count:
            window.statusBar().showMessage(f"Added {count} document{'s' if count != 1 else ''}", 5000)
        if count:
            window.tabs.setCurrentWidget(window.jobs_view)
        self.submitted.emit(count, len(skipped))

    @Slot()
    def show_skipped(self) -> None:
        text = "\n".join(f"{path}\n    {reason}" for path, reason in self.last_skipped)
        box = QMessageBox(
            QMessageBox.Icon.Information, "Skipped files", "", QMessageBox.StandardButton.Ok, self._window
        )
        box.setText(f"{len(self.last_skipped)} file(s) were not added.")
        box.setInformativeText("In My Head reads PDF, DOCX, TXT, HTML, Markdown and JSON files.")
        box.setDetailedText(text)
        box.open()
