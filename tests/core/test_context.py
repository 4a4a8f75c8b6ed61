"""open_core: the Core API's wiring, the data-folder lock and the log file."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from inmyhead_app.core.context import DataFolderBusy, open_core
from inmyhead_app.core.logs import log_path, setup_logging


def test_open_close_and_the_folder_lock(data_dir: Path, shared_models: None) -> None:
    core = open_core(data_dir, overrides={"workers": 1})
    assert core.settings["workers"] == 1
    assert core.jobs.list_jobs() == [] and core.library.list_documents() == []
    assert core.search.search("anything") == []
    assert (data_dir / "inmyhead.lock").read_text() != ""
    with pytest.raises(DataFolderBusy):
        open_core(data_dir, start_consumer=False)
    core.close()
    core.close()  # idempotent
    again = open_core(data_dir, start_consumer=False)  # the lock went with the first Core
    again.close()


def test_library_logs_go_to_the_file_not_the_console(
    data_dir: Path, capsys: pytest.CaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = logging.getLogger()
    monkeypatch.setattr(root, "handlers", [h for h in root.handlers if h.get_name() != "inmyhead-file"])
    path = setup_logging(data_dir)
    try:
        logging.getLogger("pypdf").warning("font widths missing")  # a library's chatter
        logging.getLogger("pypdf").info("too chatty to keep")
        logging.getLogger("inmyhead.jobs").info("job done")
        for handler in root.handlers:
            handler.flush()
        text = path.read_text(encoding="utf-8")
        assert path == log_path(data_dir) and "font widths missing" in text and "job done" in text
        assert "too chatty" not in text
        captured = capsys.readouterr()
        assert "font widths" not in captured.err + captured.out
    finally:
        for handler in list(root.handlers):
            if handler.get_name() == "inmyhead-file":
                root.removeHandler(handler)
                handler.close()
