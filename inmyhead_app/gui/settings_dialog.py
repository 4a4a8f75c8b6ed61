"""The settings dialog, generated from the core's declarations (``core.config.SETTINGS``).

Each setting gets the widget its type asks for (choices -> combo box, int/float -> spin box with the
declared range, bool -> check box, str -> line edit), its label, and its help as tooltip and caption.
API keys go through the core's secrets module (the OS keyring), never into settings.json.
"""

from __future__ import annotations

import importlib
import logging
import textwrap
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt, QUrl, Signal, Slot
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QScrollArea,
    QSpinBox,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from inmyhead_app.core.config import SETTINGS, Setting, Settings

log = logging.getLogger("inmyhead.gui.settings")

HELP_WIDTH = 92  # characters per line of a setting's help text

# Which tab each setting appears on; a setting not listed here lands on "Advanced".
SECTIONS: dict[str, tuple[str, ...]] = {
    "Providers": (
        "embedder",
        "openai_embedding_model",
        "openai_dimensions",
        "metadata",
        "anthropic_model",
        "metadata_token_budget",
    ),
    "Processing": ("chunk_size", "chunk_overlap", "workers", "max_retries", "max_file_mb"),
    "Storage": ("store", "qdrant_url", "queue", "redis_url", "retention_hours"),
    "App": ("start_minimised",),
}
API_KEYS = (
    ("openai", "OpenAI API key", "OPENAI_API_KEY"),
    ("anthropic", "Anthropic API key", "ANTHROPIC_API_KEY"),
)
# Read when the core opens: a change applies at the next start (the window says so). A change of
# the embedding model applies at once: the window offers to re-embed the library (gui.reembed_bar).
NEEDS_RESTART = frozenset(
    {
        "metadata",
        "anthropic_model",
        "store",
        "qdrant_url",
        "queue",
        "redis_url",
        "workers",
    }
)


def secrets_module() -> Any | None:
    """``core.secrets`` when it exists (get_api_key / set_api_key over the OS keyring)."""
    try:
        return importlib.import_module("inmyhead_app.core.secrets")
    except ImportError:
        return None


def editor_for(setting: Setting) -> QWidget:
    if setting.choices:
        combo = QComboBox()
        for choice in setting.choices:
            combo.addItem(choice, choice)
        return combo
    if setting.type is bool:
        return QCheckBox()
    if setting.type is int:
        spin = QSpinBox()
        spin.setRange(
            int(setting.minimum) if setting.minimum is not None else -(2**31),
            int(setting.maximum) if setting.maximum is not None else 2**31 - 1,
        )
        spin.setMinimumWidth(110)
        return spin
    if setting.type is float:
        dspin = QDoubleSpinBox()
        dspin.setDecimals(1)
        dspin.setRange(
            setting.minimum if setting.minimum is not None else -1e9,
            setting.maximum if setting.maximum is not None else 1e9,
        )
        dspin.setMinimumWidth(110)
        return dspin
    line = QLineEdit()
    line.setMinimumWidth(260)
    return line


def set_editor_value(editor: QWidget, value: Any) -> None:
    if isinstance(editor, QComboBox):
        editor.setCurrentIndex(max(0, editor.findData(value)))
    elif isinstance(editor, QCheckBox):
        editor.setChecked(bool(value))
    elif isinstance(editor, QSpinBox | QDoubleSpinBox):
        editor.setValue(value)
    elif isinstance(editor, QLineEdit):
        editor.setText(str(value))


def editor_value(editor: QWidget) -> Any:
    if isinstance(editor, QComboBox):
        return editor.currentData()
    if isinstance(editor, QCheckBox):
        return editor.isChecked()
    if isinstance(editor, QSpinBox | QDoubleSpinBox):
        return editor.value()
    if isinstance(editor, QLineEdit):
        return editor.text().strip()
    raise TypeError(type(editor))


class SettingsDialog(QDialog):
    """Edits ``settings`` in place and saves them with ``Settings.save`` on OK."""

    saved = Signal(list)  # keys whose change applies only after a restart

    def __init__(
        self, settings: Settings, data_dir: Path | None = None, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("Settings")
        self.resize(780, 600)
        self.settings = settings
        self.editors: dict[str, QWidget] = {}
        self.key_edits: dict[str, QLineEdit] = {}
        self._secrets = secrets_module()
        self.changed_keys: set[str] = set()

        tabs = QTabWidget()
        placed = {key for keys in SECTIONS.values() for key in keys}
        sections = dict(SECTIONS)
        leftovers = tuple(s.key for s in SETTINGS if s.key not in placed)
        if leftovers:
            sections["Advanced"] = leftovers
        by_key = {s.key: s for s in SETTINGS}
        for title, keys in sections.items():
            form = QFormLayout()
            form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.ExpandingFieldsGrow)
            form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.DontWrapRows)
            for key in keys:
                if key in by_key:
                    self._add_row(form, by_key[key])
            if title == "Providers":
                self._add_api_keys(form)
            if title == "Storage" and data_dir is not None:
                self._add_data_dir(form, data_dir)
            page = QWidget()
            page.setLayout(form)
            scroll = QScrollArea()
            scroll.setWidgetResizable(True)
            scroll.setFrameShape(QScrollArea.Shape.NoFrame)
            scroll.setWidget(page)
            tabs.addTab(scroll, title)

        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok
            | QDialogButtonBox.StandardButton.Cancel
            | QDialogButtonBox.StandardButton.RestoreDefaults
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        buttons.button(QDialogButtonBox.StandardButton.RestoreDefaults).clicked.connect(self.restore_defaults)
        self.problems_label = QLabel()
        self.problems_label.setWordWrap(True)
        self.problems_label.setStyleSheet("color: #c5221f;")
        self.problems_label.hide()
        layout = QVBoxLayout(self)
        layout.addWidget(tabs)
        layout.addWidget(self.problems_label)
        layout.addWidget(buttons)
        self.load()

    def _add_row(self, form: QFormLayout, setting: Setting) -> None:
        editor = editor_for(setting)
        editor.setObjectName(f"setting_{setting.key}")
        editor.setToolTip(setting.help)
        self.editors[setting.key] = editor
        # wrapped by hand: QFormLayout mis-sizes word-wrapping labels nested in a row's layout
        help_label = QLabel(textwrap.fill(setting.help, HELP_WIDTH))
        help_label.setStyleSheet("color: palette(placeholder-text); font-size: 8pt;")
        column = QVBoxLayout()
        column.setSpacing(1)
        column.addWidget(editor, 0, Qt.AlignmentFlag.AlignLeft)
        column.addWidget(help_label)
        if setting.env:
            env_note = QLabel(f"Environment variable {setting.env} overrides this.")
            env_note.setStyleSheet("color: palette(placeholder-text); font-size: 7pt;")
            column.addWidget(env_note)
        form.addRow(setting.label, column)

    def _add_api_keys(self, form: QFormLayout) -> None:
        for provider, label, env in API_KEYS:
            edit = QLineEdit()
            edit.setObjectName(f"api_key_{provider}")
            edit.setEchoMode(QLineEdit.EchoMode.Password)
            edit.setMinimumWidth(260)
            if self._secrets is None:
                edit.setEnabled(False)
                edit.setPlaceholderText(f"Set {env} in the environment")
            else:
                edit.setPlaceholderText("Stored in the system keyring (leave empty to keep)")
            edit.setToolTip(f"Kept in the OS keyring, never in a file. {env} in the environment also works.")
            self.key_edits[provider] = edit
            form.addRow(label, edit)

    def _add_data_dir(self, form: QFormLayout, data_dir: Path) -> None:
        row = QHBoxLayout()
        path_label = QLabel(str(data_dir))
        path_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        open_button = QPushButton("Open")
        open_button.clicked.connect(self._open_data_dir)
        row.addWidget(path_label, 1)
        row.addWidget(open_button)
        note = QLabel("Start with --data-dir DIR or INMYHEAD_DATA_DIR to use another folder.")
        note.setStyleSheet("color: palette(placeholder-text); font-size: 8pt;")
        column = QVBoxLayout()
        column.addLayout(row)
        column.addWidget(note)
        form.addRow("Data folder", column)
        self._data_dir = data_dir

    @Slot()
    def _open_data_dir(self) -> None:
        QDesktopServices.openUrl(QUrl.fromLocalFile(str(self._data_dir)))

    def load(self) -> None:
        for key, editor in self.editors.items():
            set_editor_value(editor, self.settings.get(key))

    @Slot()
    def restore_defaults(self) -> None:
        for setting in SETTINGS:
            if setting.key in self.editors:
                set_editor_value(self.editors[setting.key], setting.default)

    def apply(self) -> list[str]:
        """Validate and store every value; return the problems (nothing is saved if there are any)."""
        problems: list[str] = []
        values: dict[str, Any] = {}
        by_key = {s.key: s for s in SETTINGS}
        for key, editor in self.editors.items():
            try:
                values[key] = by_key[key].coerce(editor_value(editor))
            except (TypeError, ValueError) as exc:
                problems.append(f"{by_key[key].label}: {exc}")
        if values.get("chunk_overlap", 0) >= values.get("chunk_size", 1):
            problems.append("Chunk overlap must be smaller than the chunk size.")
        if problems:
            return problems
        self.changed_keys = {key for key, value in values.items() if value != self.settings.get(key)}
        for key, value in values.items():
            self.settings.set(key, value)
        self.settings.save()
        self._save_api_keys(problems)
        return problems

    def _save_api_keys(self, problems: list[str]) -> None:
        if self._secrets is None:
            return
        for provider, edit in self.key_edits.items():
            value = edit.text().strip()
            if not value:
                continue
            try:
                self._secrets.set_api_key(provider, value)
            except Exception as exc:  # no keyring backend, locked keyring, ...
                log.warning("could not store the %s key in the keyring: %s", provider, exc)
                problems.append(str(exc))  # the settings above are saved; the key field keeps its text
                continue
            edit.clear()

    def accept(self) -> None:
        problems = self.apply()
        if problems:
            self.problems_label.setText("\n".join(problems))
            self.problems_label.show()
            return  # stay open: the user fixes the value or cancels
        self.saved.emit(sorted(self.changed_keys & NEEDS_RESTART))
        super().accept()
