"""The statistics strip over the jobs table: counts, success rate, speed and a throughput chart."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QRectF, QSize, Qt, Slot
from PySide6.QtGui import QColor, QFont, QFontMetrics, QPainter, QPainterPath, QPalette, QPen
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QSizePolicy, QVBoxLayout, QWidget

from inmyhead_app.gui.formatting import human_duration

TILES = (
    ("queued", "Queued", "#5f6368"),
    ("running", "Running", "#1a73e8"),
    ("done", "Done", "#1e8e3e"),
    ("failed", "Failed", "#c5221f"),
    ("success", "Success", "#202124"),
    ("avg", "Avg / doc", "#202124"),
    ("rate", "Docs / min", "#202124"),
)


class ThroughputChart(QWidget):
    """Documents finished per minute over the last minutes, as a small filled area chart."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._points: list[float] = []
        self.setMinimumSize(180, 44)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        self.setToolTip("Documents finished per minute")

    def set_points(self, points: list[float]) -> None:
        if points != self._points:
            self._points = list(points)
            self.update()

    def points(self) -> list[float]:
        return list(self._points)

    def sizeHint(self) -> QSize:
        return QSize(240, 48)

    def paintEvent(self, event: Any) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        rect = QRectF(self.rect()).adjusted(4, 6, -4, -14)
        base = self.palette().color(QPalette.ColorRole.Base)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(base)
        painter.drawRoundedRect(QRectF(self.rect()).adjusted(0.5, 0.5, -0.5, -0.5), 6, 6)
        muted = self.palette().color(QPalette.ColorRole.PlaceholderText)
        painter.setPen(muted)
        font = painter.font()
        font.setPointSizeF(max(6.5, font.pointSizeF() * 0.75))
        painter.setFont(font)
        label_rect = QRectF(rect.left(), rect.bottom() + 1, rect.width(), 12)
        points = self._points[-30:]
        if len(points) < 2 or max(points) <= 0:
            painter.drawText(label_rect, int(Qt.AlignmentFlag.AlignLeft), "throughput (docs/min)")
            painter.setPen(QPen(muted, 1, Qt.PenStyle.DashLine))
            painter.drawLine(rect.bottomLeft(), rect.bottomRight())
            return
        peak = max(points)
        step = rect.width() / (len(points) - 1)
        path = QPainterPath()
        path.moveTo(rect.left(), rect.bottom())
        for i, value in enumerate(points):
            path.lineTo(rect.left() + i * step, rect.bottom() - rect.height() * value / peak)
        path.lineTo(rect.right(), rect.bottom())
        path.closeSubpath()
        accent = QColor("#1a73e8")
        fill = QColor(accent)
        fill.setAlpha(60)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(fill)
        painter.drawPath(path)
        line = QPainterPath()
        for i, value in enumerate(points):
            x, y = rect.left() + i * step, rect.bottom() - rect.height() * value / peak
            line.moveTo(x, y) if i == 0 else line.lineTo(x, y)
        painter.setBrush(Qt.BrushStyle.NoBrush)
        painter.setPen(QPen(accent, 1.6))
        painter.drawPath(line)
        painter.setPen(muted)
        painter.drawText(label_rect, int(Qt.AlignmentFlag.AlignLeft), f"last {len(points)} min")
        painter.drawText(label_rect, int(Qt.AlignmentFlag.AlignRight), f"peak {peak:g}/min")


class StatsStrip(QFrame):
    """Shows ``JobManager.get_statistics()``; the window fetches it off the GUI thread."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("statsStrip")
        layout = QHBoxLayout(self)
        layout.setContentsMargins(12, 8, 12, 8)
        layout.setSpacing(18)
        self._values: dict[str, QLabel] = {}
        for key, caption, color in TILES:
            tile = QVBoxLayout()
            tile.setSpacing(0)
            value = QLabel("–")
            value.setObjectName(f"stat_{key}")
            font = QFont(self.font())
            font.setPointSizeF(font.pointSizeF() * 1.6)
            font.setWeight(QFont.Weight.DemiBold)
            value.setFont(font)
            value.setMinimumWidth(QFontMetrics(font).horizontalAdvance("8888") + 4)
            value.setStyleSheet(f"color: {color};")
            label = QLabel(caption)
            small = QFont(self.font())
            small.setPointSizeF(small.pointSizeF() * 0.85)
            label.setFont(small)
            label.setStyleSheet("color: palette(placeholder-text);")
            tile.addWidget(value)
            tile.addWidget(label)
            layout.addLayout(tile)
            self._values[key] = value
        self.chart = ThroughputChart(self)
        layout.addWidget(self.chart, 1)

    def value_text(self, key: str) -> str:
        return self._values[key].text()

    @Slot(dict)
    def set_statistics(self, stats: dict[str, Any]) -> None:
        by_state = stats.get("by_state") or {}
        running = by_state.get("running", 0)
        queued = by_state.get("queued", 0) + by_state.get("retry_wait", 0)
        self._values["queued"].setText(str(queued))
        self._values["running"].setText(str(running))
        self._values["done"].setText(str(by_state.get("done", 0)))
        self._values["failed"].setText(str(by_state.get("failed", 0)))
        rate = stats.get("success_rate")
        self._values["success"].setText("–" if rate is None else f"{100 * float(rate):.0f}%")
        avg = stats.get("avg_duration_s")
        self._values["avg"].setText(human_duration(avg) if avg else "–")
        per_min = stats.get("docs_per_minute")
        self._values["rate"].setText("–" if per_min is None else f"{float(per_min):.1f}")
        series = [float(docs) for _ts, docs in stats.get("throughput_per_min") or []]
        self.chart.set_points(series)
