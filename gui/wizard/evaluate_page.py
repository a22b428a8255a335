"""Page 5, Evaluate: how good the model is on validation images, and what it gets wrong.

Every number is core's: the :class:`core.teach.evaluation.Evaluation` that training
made of the kept model on the validation samples. Relabelling or dropping a
sample changes the project at once; "Retrain" trains again on it.
"""
from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWizardPage,
)

from ..widgets.confusion import ConfusionMatrix
from ..widgets.message_line import MessageLine
from ..widgets.text import percent, short_name
from ..widgets.thumbnails import ThumbnailGrid
from .try_it import TryIt

PREDICTION_ROLE = Qt.UserRole + 1
CELL_TAB = "Images in the chosen cell"
NEAR_CHANCE = 1.5  # accuracy under this many times chance is "near chance"


def headline(result, evaluation) -> str:
    """Accuracy, the kept epoch and its rule, the "unknown" threshold; a warning near chance."""
    from core.teach.training import KEPT_EPOCH_RULE

    wrong = len(evaluation.misclassified)
    text = (f"<b>{result.config.backbone}</b>: <b>Accuracy {percent(evaluation.accuracy)}</b> "
            f"on {evaluation.count} validation images ({wrong} wrong) · kept epoch "
            f"{result.best_epoch} of {len(result.history['loss'])} "
            f"<span title='{KEPT_EPOCH_RULE}'>(best validation accuracy, the earliest of "
            "equally good epochs)</span> · ")
    if result.threshold > 0:
        text += (f"an answer whose best score is under {percent(result.threshold)} will be "
                 "called “unknown”.")
    else:
        text += "every answer is given (no “unknown” threshold was needed on these images)."
    chance = 1 / max(1, len(evaluation.class_names))
    if evaluation.accuracy < NEAR_CHANCE * chance:
        text += (f"<br><b>Near chance</b> (guessing scores {percent(chance)}): the model has "
                 "not learned yet. Train for more epochs, add images, or pick a pretrained "
                 "backbone.")
    return text
TABLE_COLUMNS = ("Class", "Precision", "Recall", "F1", "Images")


class EvaluatePage(QWizardPage):
    """Accuracy, per-class scores, the confusion matrix and the mistakes."""

    def __init__(self, state, retrain, parent=None):
        super().__init__(parent)
        self.state, self._retrain = state, retrain
        self.setTitle("Evaluate: how good is it?")
        self.setSubTitle("Scored on validation images the model never trained on. Click a "
                         "cell of the matrix to see its images.")
        self.changes = 0
        self._build()

    def _build(self) -> None:
        self.headline = QLabel("")
        self.headline.setWordWrap(True)
        self.table = QTableWidget(0, len(TABLE_COLUMNS))
        self.table.setHorizontalHeaderLabels(TABLE_COLUMNS)
        self.table.verticalHeader().hide()
        self.table.setEditTriggers(QAbstractItemView.NoEditTriggers)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeToContents)
        self.table.horizontalHeader().setSectionResizeMode(0, QHeaderView.Stretch)
        self.table.setHorizontalScrollBarPolicy(Qt.ScrollBarAlwaysOff)
        self.matrix = ConfusionMatrix()
        self.matrix.cell_clicked.connect(self.show_cell)
        top = QSplitter()
        top.addWidget(self.table)
        top.addWidget(self.matrix)
        top.setStretchFactor(1, 2)
        self.cell_grid = ThumbnailGrid(80)
        self.mistakes = ThumbnailGrid(80)
        self.tabs = QTabWidget()
        self.tabs.addTab(self.mistakes, "Mistakes, most confident first")
        self.tabs.addTab(self.cell_grid, CELL_TAB)
        self.try_it = TryIt()
        self.tabs.addTab(self.try_it, "Try it")
        for grid in (self.cell_grid, self.mistakes):
            grid.setSelectionMode(QAbstractItemView.ExtendedSelection)
            grid.itemSelectionChanged.connect(self._update_actions)
        self.tabs.currentChanged.connect(self._update_actions)
        split = QSplitter(Qt.Vertical)
        split.addWidget(top)
        split.addWidget(self.tabs)
        split.setSizes([400, 240])
        layout = QVBoxLayout(self)
        layout.addWidget(self.headline)
        layout.addWidget(split, 1)
        layout.addLayout(self._build_actions())
        self.message = MessageLine()
        layout.addWidget(self.message)

    def _build_actions(self) -> QHBoxLayout:
        self.relabel_button = QPushButton("Relabel as predicted")
        self.relabel_button.setToolTip("The label was wrong: give the chosen images the class "
                                       "the model predicted")
        self.relabel_button.setShortcut(QKeySequence("Ctrl+L"))
        self.target = QComboBox()
        self.move_button = QPushButton("Relabel as")
        self.drop_button = QPushButton("Drop from project")
        self.drop_button.setShortcut(QKeySequence.Delete)
        self.retrain_button = QPushButton("Retrain")
        self.retrain_button.setShortcut(QKeySequence("Ctrl+R"))
        self.relabel_button.clicked.connect(lambda: self.relabel())
        self.move_button.clicked.connect(lambda: self.relabel(self.target.currentText()))
        self.drop_button.clicked.connect(self.drop)
        self.retrain_button.clicked.connect(self._retrain)
        row = QHBoxLayout()
        for widget in (self.relabel_button, self.move_button, self.target, self.drop_button):
            row.addWidget(widget)
        row.addStretch(1)
        row.addWidget(self.retrain_button)
        return row

    # --- showing an evaluation --------------------------------------------
    def initializePage(self) -> None:
        result = self.state.result
        evaluation = result.validation if result is not None else None
        self.evaluation = evaluation
        self.try_it.set_result(result)
        self.changes = 0
        self.message.say("")
        self.target.clear()
        self.target.addItems(list(self.state.project.classes))
        if evaluation is None:
            self.headline.setText("There are no validation images, so nothing can be measured: "
                                  "go back to Settings and keep some images for validation.")
            self.table.setRowCount(0)
            self.matrix.set_matrix([], [])
            self.mistakes.set_images([])
            self.cell_grid.set_images([])
            self.tabs.setTabText(0, "Mistakes")
            self.tabs.setTabText(1, CELL_TAB)
            self._update_actions()
            return
        self.headline.setText(headline(result, evaluation))
        self._fill_table(evaluation)
        self.matrix.set_matrix(evaluation.class_names, evaluation.confusion)
        self._fill(self.mistakes, evaluation.misclassified)
        self.cell_grid.set_images([])
        wrong = len(evaluation.misclassified)
        self.tabs.setTabText(0, f"Mistakes ({wrong}), most confident first" if wrong
                             else "No mistakes")
        self.tabs.setTabText(1, CELL_TAB)  # a new run: no cell chosen yet
        self.tabs.setCurrentWidget(self.mistakes)
        self._update_actions()

    def _fill_table(self, evaluation) -> None:
        self.table.setRowCount(len(evaluation.classes))
        for row, scores in enumerate(evaluation.classes):
            cells = (scores.name, percent(scores.precision), percent(scores.recall),
                     f"{scores.f1:.2f}", str(scores.support))
            for column, text in enumerate(cells):
                item = QTableWidgetItem(text)
                if column:
                    item.setTextAlignment(Qt.AlignRight | Qt.AlignVCenter)
                self.table.setItem(row, column, item)
        header = self.table.horizontalHeader()
        width = sum(max(self.table.sizeHintForColumn(c), header.sectionSizeHint(c))
                    for c in range(self.table.columnCount()))
        self.table.setMinimumWidth(width + 2 * self.table.frameWidth() + 24)

    def table_rows(self) -> list[tuple[str, ...]]:
        return [tuple(self.table.item(r, c).text() for c in range(self.table.columnCount()))
                for r in range(self.table.rowCount())]

    def _fill(self, grid, predictions) -> None:
        grid.set_images([])
        for p in predictions:
            tip = f"{short_name(p.path)}: labelled '{p.true}', predicted '{p.predicted}' " \
                  f"({percent(p.score)})"
            caption = f"{p.predicted} {p.score:.0%}"
            if p.true != p.predicted:
                caption += f"\nis {p.true}"
            item = grid.add_image(p.path, caption, tip)
            item.setData(PREDICTION_ROLE, p)

    def show_cell(self, row: int, column: int) -> None:
        """Show the validation images counted in one cell of the matrix."""
        names = self.evaluation.class_names
        cell = self.evaluation.cell(names[row], names[column])
        self._fill(self.cell_grid, sorted(cell, key=lambda p: p.score, reverse=True))
        self.tabs.setTabText(1, f"'{names[row]}' predicted as '{names[column]}' ({len(cell)})")
        self.tabs.setCurrentWidget(self.cell_grid)

    # --- fixing labels ----------------------------------------------------
    def chosen(self) -> list:
        grid = self.tabs.currentWidget()
        if grid is self.try_it:
            return []
        return [item for item in grid.selectedItems() if item.flags() & Qt.ItemIsEnabled]

    def _update_actions(self) -> None:
        chosen = self.chosen()
        self.relabel_button.setEnabled(bool(chosen))
        self.move_button.setEnabled(bool(chosen))
        self.drop_button.setEnabled(bool(chosen))
        if len(chosen) == 1:
            self.relabel_button.setText(
                f"Relabel as '{chosen[0].data(PREDICTION_ROLE).predicted}'")
        else:
            self.relabel_button.setText("Relabel as predicted")

    def relabel(self, class_name: str | None = None) -> None:
        """Give the chosen images ``class_name`` (default: what the model predicted)."""
        for item in self.chosen():
            prediction = item.data(PREDICTION_ROLE)
            target = class_name or prediction.predicted
            if self._change(lambda: self.state.project.move_samples([prediction.path], target)):
                self._mark(item, f"now '{target}'")

    def drop(self) -> None:
        for item in self.chosen():
            path = item.data(PREDICTION_ROLE).path
            if self._change(lambda: self.state.project.delete_samples([path])):
                self._mark(item, "dropped")

    def _change(self, change) -> bool:
        """Apply one project change through the wizard's state (which tells the views)."""
        problem = self.state.edit(change)
        if problem is not None:
            self.message.say(problem)
            return False
        self.changes += 1
        self.message.say(f"{self.changes} change(s) saved to the project; press Retrain "
                         "(Ctrl+R) to train on the corrected data.")
        return True

    def _mark(self, item, words: str) -> None:
        """Grey out a fixed image wherever it is shown."""
        path = item.data(PREDICTION_ROLE).path
        for grid in (self.mistakes, self.cell_grid):
            for row in range(grid.count()):
                other = grid.item(row)
                if other.data(PREDICTION_ROLE).path == path:
                    other.setText(f"{short_name(path)}\n{words}")
                    other.setFlags(other.flags() & ~Qt.ItemIsEnabled)
        self._update_actions()

    def shutdown(self) -> None:
        self.try_it.shutdown()
        self.cell_grid.shutdown()
        self.mistakes.shutdown()
