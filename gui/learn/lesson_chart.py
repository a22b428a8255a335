"""A lesson's chart (QtCharts): one line per series, added point by point.

Series appear as their first point arrives (``plain-8 training``, ``plain-8
validation``, ...); a variant's training and validation lines share a colour,
validation dashed. The axes grow to fit what has been drawn.
"""
from __future__ import annotations

from PySide6.QtCharts import QChart, QChartView, QLineSeries, QValueAxis
from PySide6.QtCore import QMargins, Qt
from PySide6.QtGui import QColor, QPainter, QPen

COLOURS = ("#1a73e8", "#e8710a", "#188038", "#d93025", "#9334e6", "#007b83", "#b06000")


class LessonChart(QChartView):
    def __init__(self, parent=None):
        chart = QChart()
        chart.setMargins(QMargins(4, 4, 4, 4))
        chart.legend().setAlignment(Qt.AlignRight)
        super().__init__(chart, parent)
        self.setRenderHint(QPainter.Antialiasing)
        self.setMinimumSize(420, 260)
        self.x_axis, self.y_axis = QValueAxis(), QValueAxis()
        self.x_axis.setLabelFormat("%d")
        self.x_axis.setTickType(QValueAxis.TicksDynamic)
        self.y_axis.setLabelFormat("%.2f")
        chart.addAxis(self.x_axis, Qt.AlignBottom)
        chart.addAxis(self.y_axis, Qt.AlignLeft)
        self.series: dict[str, QLineSeries] = {}
        self._colours: dict[str, QColor] = {}  # a variant's colour, by its name

    def reset(self, x_label: str, y_label: str) -> None:
        chart = self.chart()
        for series in self.series.values():
            chart.removeSeries(series)
        self.series.clear()
        self._colours.clear()
        self.x_axis.setTitleText(x_label)
        self.y_axis.setTitleText(y_label)
        self.x_axis.setRange(0, 1)
        self.y_axis.setRange(0, 1)

    def add(self, point) -> None:
        """Draw one core.learn.lessons.Point."""
        series = self.series.get(point.series) or self._new_series(point.series, point.dashed)
        series.append(point.x, point.y)
        self._fit()

    def points(self, name: str) -> list[tuple[float, float]]:
        series = self.series.get(name)
        return [(p.x(), p.y()) for p in series.points()] if series else []

    def _new_series(self, name: str, dashed: bool) -> QLineSeries:
        variant = name.rsplit(" ", 1)[0] if name.endswith(("training", "validation")) else name
        next_colour = QColor(COLOURS[len(self._colours) % len(COLOURS)])
        colour = self._colours.setdefault(variant, next_colour)
        series = QLineSeries()
        series.setName(name)
        series.setPointsVisible(True)
        series.setPen(QPen(colour, 2, Qt.DashLine if dashed else Qt.SolidLine))
        self.chart().addSeries(series)
        series.attachAxis(self.x_axis)
        series.attachAxis(self.y_axis)
        self.series[name] = series
        return series

    def _fit(self) -> None:
        xs = [p.x() for s in self.series.values() for p in s.points()]
        ys = [p.y() for s in self.series.values() for p in s.points()]
        low = min(xs)
        high = max(max(xs), low + 1)  # one point still gets an axis one unit wide
        self.x_axis.setRange(low, high)
        step = next((s for s in (1, 2, 5, 10, 20, 50, 100) if (high - low) / s <= 10), 200)
        self.x_axis.setTickAnchor(low if step == 1 else 0)  # epochs 1, 2, 3; or 10, 20, 30
        self.x_axis.setTickInterval(step)
        self.y_axis.setRange(0, min(1.0, max(ys + [0.1]) * 1.05))
        self.y_axis.applyNiceNumbers()
