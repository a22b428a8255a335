"""Models tab: "Measure speed" for backbones with and without weights here."""
from __future__ import annotations

from PySide6.QtCore import Qt


def speed_text(panel, name):
    table = panel.table
    row = next(r for r in range(table.rowCount()) if table.item(r, 0).data(Qt.UserRole) == name)
    return table.item(row, table.columns.index("Speed here")).text()


def test_measure_speed_labels_architecture_only_rows(window, qtbot):
    panel = window.classify.models_panel
    window.tabs.setCurrentWidget(panel)
    assert speed_text(panel, "LeNet5") == "not run yet"
    worker = panel.measure_speeds(["EfficientNetLite0", "LeNet5"])
    assert not panel.speed_button.isEnabled()
    with qtbot.waitSignal(worker.ended, timeout=120000):
        pass
    lenet = speed_text(panel, "LeNet5")
    assert lenet.endswith("images/s (architecture only)"), lenet
    assert float(lenet.split()[0]) > float(speed_text(panel, "EfficientNetLite0").split()[0]) > 5
    assert speed_text(panel, "EfficientNetLite0").endswith("images/s")
    assert "Measured 2 backbones" in panel.message.text()
    assert panel.speed_button.isEnabled()
