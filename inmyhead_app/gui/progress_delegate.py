"""Paints a job's five stages as segments, the running ones partly filled, with "Embedding 34/120" on top."""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, QRectF, QSize, Qt
from PySide6.QtGui import QColor, QPainter, QPalette
from PySide6.QtWidgets import QStyle, QStyledItemDelegate, QStyleOptionViewItem

from inmyhead_app.core.jobs.model import STAGE_ORDER, JobRecord, JobState, StageStatus
from inmyhead_app.gui.formatting import progress_text
from inmyhead_app.gui.jobs_model import Role

SEGMENT_COLORS = {
    StageStatus.PENDING: QColor("#e3e6ea"),
    StageStatus.RUNNING: QColor("#c6dafc"),  # the unfilled part of a running stage
    StageStatus.DONE: QColor("#34a853"),
    StageStatus.FAILED: QColor("#d93025"),
    StageStatus.SKIPPED: QColor("#bdc1c6"),
}
RUNNING_FILL = QColor("#1a73e8")
CANCELLED_TINT = QColor(128, 134, 139, 110)


class StageProgressDelegate(QStyledItemDelegate):
    """For the Progress column: one rounded segment per stage (parse, clean, embed, metadata, store)."""

    GAP = 3.0
    BAR_HEIGHT = 6.0

    def paint(
        self, painter: QPainter, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex
    ) -> None:
        job = index.data(Role.JOB)
        if not isinstance(job, JobRecord):
            super().paint(painter, option, index)
            return
        painter.save()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        selected = bool(option.state & QStyle.StateFlag.State_Selected)
        if selected:
            painter.fillRect(option.rect, option.palette.brush(QPalette.ColorRole.Highlight))
        rect = QRectF(option.rect).adjusted(6, 3, -6, -3)
        bar_top = rect.bottom() - self.BAR_HEIGHT
        width = (rect.width() - self.GAP * (len(STAGE_ORDER) - 1)) / len(STAGE_ORDER)
        for i, stage in enumerate(STAGE_ORDER):
            seg = QRectF(rect.left() + i * (width + self.GAP), bar_top, width, self.BAR_HEIGHT)
            progress = job.stages.get(stage)
            status = progress.status if progress is not None else StageStatus.PENDING
            if job.state is JobState.DONE and status is StageStatus.PENDING:
                status = StageStatus.DONE  # a duplicate finishes without running the later stages
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(SEGMENT_COLORS[status])
            painter.drawRoundedRect(seg, 2.5, 2.5)
            if status is StageStatus.RUNNING and progress is not None:
                fraction = progress.done / progress.total if progress.total > 0 else 0.15
                fill = QRectF(seg.left(), seg.top(), seg.width() * min(1.0, max(0.0, fraction)), seg.height())
                painter.setBrush(RUNNING_FILL)
                painter.drawRoundedRect(fill, 2.5, 2.5)
        if job.state is JobState.CANCELLED:
            painter.setBrush(CANCELLED_TINT)
            painter.drawRoundedRect(QRectF(rect.left(), bar_top, rect.width(), self.BAR_HEIGHT), 2.5, 2.5)
        text_rect = QRectF(rect.left(), rect.top(), rect.width(), bar_top - rect.top() - 1)
        role = QPalette.ColorRole.HighlightedText if selected else QPalette.ColorRole.Text
        color = option.palette.color(role)
        if job.state is JobState.FAILED and not selected:
            color = QColor("#c5221f")
        painter.setPen(color)
        font = option.font
        painter.setFont(font)
        text = option.fontMetrics.elidedText(
            progress_text(job), Qt.TextElideMode.ElideRight, int(text_rect.width())
        )
        painter.drawText(text_rect, int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter), text)
        painter.restore()

    def sizeHint(self, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex) -> QSize:
        height = option.fontMetrics.height() + int(self.BAR_HEIGHT) + 12
        return QSize(220, height)
