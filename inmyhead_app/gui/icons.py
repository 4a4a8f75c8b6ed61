"""The app's own icons (drawn as SVG in resources/icons) and a few standard ones from the style."""

from __future__ import annotations

from functools import cache

from PySide6.QtGui import QIcon

from inmyhead_app.core.paths import resources_dir

TRAY_STATES = ("idle", "working", "error", "paused")


def icon_path(name: str) -> str:
    return str(resources_dir() / "icons" / f"{name}.svg")


@cache
def app_icon() -> QIcon:
    icon = QIcon(icon_path("inmyhead"))
    png = resources_dir() / "icons" / "inmyhead.png"
    if png.exists():
        icon.addFile(str(png))
    return icon


@cache
def tray_icon(state: str) -> QIcon:
    return QIcon(icon_path(f"tray-{state}"))
