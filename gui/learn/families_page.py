"""The CNN families: a table of the lesson's facts and a page per family."""
from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHeaderView,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from core.learn.families import page, table

COLUMNS = ("Family", "Year", "The idea", "Example", "Depth", "Params", "ImageNet top-1",
           "Speed here", "When to use it")


class FamiliesPage(QWidget):
    def __init__(self, parent=None):
        super().__init__(parent)
        self.table = QTableWidget(0, len(COLUMNS))
        self.table.setHorizontalHeaderLabels(COLUMNS)
        self.table.verticalHeader().hide()
        self.table.setSelectionBehavior(QAbstractItemView.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.NoEditTriggers)
        self.table.setWordWrap(True)
        self.table.verticalHeader().setDefaultSectionSize(42)  # two lines of the longer cells
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeToContents)
        header.setSectionResizeMode(2, QHeaderView.Stretch)
        header.setSectionResizeMode(8, QHeaderView.Stretch)
        self.page = QTextBrowser()
        self.page.setOpenExternalLinks(False)
        splitter = QSplitter(Qt.Vertical)
        splitter.addWidget(self.table)
        splitter.addWidget(self.page)
        splitter.setSizes([430, 300])
        layout = QVBoxLayout(self)
        layout.addWidget(splitter)
        self.rows = []
        self.table.currentCellChanged.connect(lambda row, *_: self.show_page(row))
        self.refresh()

    def refresh(self) -> None:
        """Fill the table (speeds change as the Models tab measures them)."""
        self.rows = table()
        self.table.setRowCount(len(self.rows))
        for r, row in enumerate(self.rows):
            speed = row["images_per_second"]
            cells = (row["family"], str(row["year"]), row["idea"], row["backbone"],
                     str(row["depth"]), f"{row['params'] / 1e6:.1f}M",
                     f"{row['top1']:.1f}%" if row["top1"] else "not trained on ImageNet",
                     f"{speed:.0f} img/s" if speed else "measure in Models",
                     row["use"])
            for c, text in enumerate(cells):
                item = QTableWidgetItem(text)
                item.setToolTip(text)
                self.table.setItem(r, c, item)
        if self.table.currentRow() < 0 and self.rows:
            self.table.selectRow(4)  # ResNet: the lesson's centre

    def show_page(self, row: int) -> None:
        if 0 <= row < len(self.rows):
            self.page.setMarkdown(page(self.rows[row]["page"]))
