"""Live training curves (QtCharts): loss and accuracy, training and validation."""
from __future__ import annotations

from PySide6.QtCharts import QChart, QChartView, QLineSeries, QValueAxis
from PySide6.QtCore import QMargins, Qt
from PySide6.QtGui import QColor, QPainter, QPen
from PySide6.QtWidgets import QHBoxLayout, QWidget

TRAIN_COLOUR, VAL_COLOUR = QColor("#1a73e8"), QColor("#e8710a")


class _Chart(QChartView):
    """One metric: a training and a validation line against the epoch."""

    def __init__(self, title: str, y_max: float | None):
        chart = QChart()
        chart.setTitle(title)
        chart.setMargins(QMargins(4, 4, 4, 4))
        chart.legend().setAlignment(Qt.AlignBottom)
        super().__init__(chart)
        self.setRenderHint(QPainter.Antialiasing)
        self.setMinimumSize(300, 220)
        self.train = self._series("training", TRAIN_COLOUR, Qt.SolidLine)
        self.val = self._series("validation", VAL_COLOUR, Qt.DashLine)
        self.x_axis, self.y_axis = QValueAxis(), QValueAxis()
        self.x_axis.setTitleText("epoch")
        self.x_axis.setLabelFormat("%d")
        self.y_axis.setLabelFormat("%.2f")
        chart.addAxis(self.x_axis, Qt.AlignBottom)
        chart.addAxis(self.y_axis, Qt.AlignLeft)
        for series in (self.train, self.val):
            chart.addSeries(series)
            series.attachAxis(self.x_axis)
            series.attachAxis(self.y_axis)
        self._fixed_max = y_max
        self.reset(1)

    def _series(self, name: str, colour: QColor, style) -> QLineSeries:
        series = QLineSeries()
        series.setName(name)
        series.setPointsVisible(True)
        series.setPen(QPen(colour, 2, style))
        return series

    def reset(self, epochs: int) -> None:
        self.train.clear()
        self.val.clear()
        self._set_x(epochs)
        self.y_axis.setRange(0, self._fixed_max or 1.0)

    def _set_x(self, epochs: int) -> None:
        epochs = max(2, epochs)
        self.x_axis.setRange(1, epochs)
        step = next((s for s in (1, 2, 5, 10, 20, 50, 100, 200, 500) if epochs / s <= 12), 1000)
        self.x_axis.setTickType(QValueAxis.TicksDynamic)
        self.x_axis.setTickAnchor(1 if step == 1 else 0)
        self.x_axis.setTickInterval(step)

    def add(self, epoch: int, train: float | None, val: float | None, epochs: int) -> None:
        if train is not None:
            self.train.append(epoch, train)
        if val is not None:
            self.val.append(epoch, val)
        self._set_x(max(epochs, epoch))
        if self._fixed_max is None:  # loss: fit the highest value seen
            top = max([p.y() for s in (self.train, self.val) for p in s.points()] + [0.1])
            self.y_axis.setRange(0, top * 1.05)
            self.y_axis.applyNiceNumbers()

    def points(self, which: str) -> list[tuple[float, float]]:
        series = self.train if which == "train" else self.val
        return [(p.x(), p.y()) for p in series.points()]


class TrainingCurves(QWidget):
    """Loss and accuracy side by side; :meth:`add_epoch` takes core's on_epoch logs."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.loss = _Chart("Loss (lower is better)", None)
        self.accuracy = _Chart("Accuracy", 1.0)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.loss)
        layout.addWidget(self.accuracy)

    def reset(self, epochs: int) -> None:
        self.loss.reset(epochs)
        self.accuracy.reset(epochs)

    def add_epoch(self, epoch: int, logs: dict, epochs: int) -> None:
        self.loss.add(epoch, logs.get("loss"), logs.get("val_loss"), epochs)
        self.accuracy.add(epoch, logs.get("accuracy"), logs.get("val_accuracy"), epochs)
