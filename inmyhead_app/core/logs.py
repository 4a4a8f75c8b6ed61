"""Logging: named loggers, one rotating file in the data folder, libraries' chatter kept off the console."""

from __future__ import annotations

import logging
import logging.handlers
from pathlib import Path

LOG_DIR = "logs"
LOG_FILE = "inmyhead.log"
MAX_BYTES = 5 * 1024 * 1024
BACKUPS = 3
FORMAT = "%(asctime)s %(levelname)-7s %(threadName)s %(name)s: %(message)s"
# Libraries that log per font, per request or per task: into the file at WARNING, never the console.
LIBRARY_LOGGERS = (
    "pypdf",
    "huey",
    "httpx",
    "httpcore",
    "fastembed",
    "qdrant_client",
    "urllib3",
    "charset_normalizer",
    "openai",
    "anthropic",
    "yake",
    "filelock",
    "PIL",
)
_HANDLER_NAME = "inmyhead-file"
_CONSOLE_NAME = "inmyhead-console"


def log_path(data_dir: Path) -> Path:
    return Path(data_dir) / LOG_DIR / LOG_FILE


def setup_logging(data_dir: Path, console_level: int | None = None) -> Path:
    """Send every log record to ``<data_dir>/logs/inmyhead.log``; optionally the app's own to stderr.

    Idempotent: calling it again (another Core in the same process) replaces the handlers.
    """
    path = log_path(data_dir)
    path.parent.mkdir(parents=True, exist_ok=True)
    root = logging.getLogger()
    for handler in list(root.handlers):
        if handler.get_name() in (_HANDLER_NAME, _CONSOLE_NAME):
            root.removeHandler(handler)
            handler.close()
    file_handler = logging.handlers.RotatingFileHandler(
        path, maxBytes=MAX_BYTES, backupCount=BACKUPS, encoding="utf-8", delay=True
    )
    file_handler.set_name(_HANDLER_NAME)
    file_handler.setFormatter(logging.Formatter(FORMAT))
    file_handler.setLevel(logging.DEBUG)
    root.addHandler(file_handler)
    if root.level == logging.NOTSET or root.level > logging.INFO:
        root.setLevel(logging.INFO)
    for name in LIBRARY_LOGGERS:
        logging.getLogger(name).setLevel(logging.WARNING)
    logging.captureWarnings(True)
    if console_level is not None:
        console = logging.StreamHandler()
        console.set_name(_CONSOLE_NAME)
        console.setLevel(console_level)
        console.setFormatter(logging.Formatter("%(levelname)s %(name)s: %(message)s"))
        console.addFilter(lambda record: record.name.startswith("inmyhead"))
        root.addHandler(console)
    return path
