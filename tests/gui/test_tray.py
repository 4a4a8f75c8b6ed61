"""Notifications: the banner when there is no tray (offscreen has none), the tray icon's states otherwise."""

from __future__ import annotations

from PySide6.QtWidgets import QSystemTrayIcon

from inmyhead_app.gui.notifications import Level, NotificationBanner
from inmyhead_app.gui.tray import TrayController, tray_available


def test_without_a_tray_messages_become_an_in_window_banner(qtbot):
    assert not tray_available()  # the offscreen platform has no system tray
    banner = NotificationBanner()
    qtbot.addWidget(banner)
    banner.show()
    tray = TrayController(banner)
    assert not tray.has_tray
    tray.notify(
        "Batch finished", "12 indexed, 1 failed.", Level.WARNING, action="failed", action_label="Show"
    )
    assert banner.isVisible()
    assert banner.title.text() == "Batch finished"
    assert banner.text.text() == "12 indexed, 1 failed."
    with qtbot.waitSignal(banner.action_triggered) as clicked:
        banner.action_button.click()
    assert clicked.args == ["failed"]
    assert not banner.isVisible()


def test_banner_hides_itself_after_a_while(qtbot):
    banner = NotificationBanner()
    qtbot.addWidget(banner)
    banner.show()
    banner.show_message("Saved", "Settings saved.", Level.SUCCESS, timeout_ms=50)
    qtbot.waitUntil(lambda: not banner.isVisible(), timeout=2000)


def test_state_icons_exist_for_every_state(qtbot):
    from inmyhead_app.gui.icons import TRAY_STATES, app_icon, tray_icon

    assert not app_icon().isNull()
    for state in TRAY_STATES:
        icon = tray_icon(state)
        assert not icon.isNull()
        assert not icon.pixmap(22, 22).isNull()
    banner = NotificationBanner()
    qtbot.addWidget(banner)
    tray = TrayController(banner)
    for state in ("working", "error", "paused", "idle"):
        tray.set_state(state)
        assert tray.state == state
    assert QSystemTrayIcon.isSystemTrayAvailable() is False
