from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import QCheckBox, QComboBox, QDoubleSpinBox, QLineEdit, QSpinBox

from inmyhead_app.core.config import SETTINGS, Settings
from inmyhead_app.gui.settings_dialog import SettingsDialog


def _dialog(qtbot, data_dir: Path) -> SettingsDialog:
    dialog = SettingsDialog(Settings(data_dir), data_dir)
    qtbot.addWidget(dialog)
    return dialog


def test_every_declared_setting_has_a_fitting_editor(qtbot, data_dir: Path):
    dialog = _dialog(qtbot, data_dir)
    assert set(dialog.editors) == {s.key for s in SETTINGS}
    for setting in SETTINGS:
        editor = dialog.editors[setting.key]
        assert editor.toolTip() == setting.help
        if setting.choices:
            assert isinstance(editor, QComboBox)
            assert [editor.itemData(i) for i in range(editor.count())] == list(setting.choices)
        elif setting.type is bool:
            assert isinstance(editor, QCheckBox)
        elif setting.type is int:
            assert isinstance(editor, QSpinBox)
            if setting.maximum is not None:
                assert editor.maximum() == setting.maximum
        elif setting.type is float:
            assert isinstance(editor, QDoubleSpinBox)
        else:
            assert isinstance(editor, QLineEdit)
    # API keys are password fields, never settings
    assert all(edit.echoMode() == QLineEdit.EchoMode.Password for edit in dialog.key_edits.values())


def test_settings_persist_across_reopen(qtbot, data_dir: Path):
    dialog = _dialog(qtbot, data_dir)
    dialog.editors["chunk_size"].setValue(1500)
    dialog.editors["chunk_overlap"].setValue(150)
    dialog.editors["start_minimised"].setChecked(True)
    dialog.editors["metadata"].setCurrentIndex(dialog.editors["metadata"].findData("anthropic"))
    dialog.accept()
    assert dialog.result() == SettingsDialog.DialogCode.Accepted
    reopened = _dialog(qtbot, data_dir)  # a fresh Settings read from settings.json
    assert reopened.editors["chunk_size"].value() == 1500
    assert reopened.editors["chunk_overlap"].value() == 150
    assert reopened.editors["start_minimised"].isChecked()
    assert reopened.editors["metadata"].currentData() == "anthropic"
    stored = (data_dir / "settings.json").read_text()
    assert "1500" in stored and "api_key" not in stored.lower()


def test_invalid_combination_is_refused_and_nothing_saved(qtbot, data_dir: Path):
    dialog = _dialog(qtbot, data_dir)
    dialog.editors["chunk_size"].setValue(400)
    dialog.editors["chunk_overlap"].setValue(600)
    problems = dialog.apply()
    assert problems and "overlap" in problems[0]
    assert not (data_dir / "settings.json").exists()


def test_api_key_goes_to_the_keyring_not_a_file(qtbot, data_dir: Path, monkeypatch):
    stored: dict[str, str] = {}
    import inmyhead_app.core.secrets as secrets

    monkeypatch.setattr(secrets, "set_api_key", lambda provider, key: stored.__setitem__(provider, key))
    dialog = _dialog(qtbot, data_dir)
    dialog.key_edits["openai"].setText("sk-test-0123456789abcdef")
    assert dialog.apply() == []
    assert stored == {"openai": "sk-test-0123456789abcdef"}
    assert "sk-test" not in (data_dir / "settings.json").read_text()
    assert dialog.key_edits["openai"].text() == ""


def test_restore_defaults(qtbot, data_dir: Path):
    dialog = _dialog(qtbot, data_dir)
    dialog.editors["workers"].setValue(7)
    dialog.restore_defaults()
    assert dialog.editors["workers"].value() == 2


def test_window_says_when_a_change_needs_a_restart(qtbot, fake_window):
    dialog = fake_window.open_settings()
    combo = dialog.editors["metadata"]
    combo.setCurrentIndex(combo.findData("anthropic"))
    with qtbot.waitSignal(dialog.saved) as saved:
        dialog.accept()
    assert saved.args == [["metadata"]]
    assert fake_window.banner.title.text() == "Settings saved"
    assert fake_window.core.settings.get("metadata") == "anthropic"
