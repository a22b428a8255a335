"""Folder panel Speed: float by default; int8 only after its agreement is shown."""
from __future__ import annotations

import shutil

import pytest

# Converting the default model (EfficientNet-Lite0 at 224 px) to int8 takes ~10 s on 2 cores:
# the full suite runs it, the fast tier not. The small LeNet bundle's int8 export (under 1 s)
# stays in the fast tier (tests/core/test_export.py, tests/gui/test_export_dialog.py).
pytestmark = pytest.mark.slow


@pytest.fixture
def panel(window):
    window.classify.show(window.classify.folder)
    return window.classify.folder


def test_int8_is_measured_and_shown_before_folder_runs_use_it(panel, photos, qtbot, tmp_path):
    speed = panel.speed
    assert speed.box.currentText() == "float"
    assert speed.litert_file_for(panel.models.predictor) is None
    with qtbot.waitSignal(speed.said, timeout=180000,
                          check_params_cb=lambda sentence: "agree" in sentence.lower()
                          or "give" in sentence):
        speed.box.setCurrentIndex(1)
    shown = panel.message.text()
    assert "sample photos it was calibrated on" in shown and "%" in shown
    assert speed.box.currentText().startswith("int8 (") and "agree" in speed.box.currentText()
    int8_file = speed.litert_file_for(panel.models.predictor)
    assert int8_file is not None and int8_file.exists()

    for path in photos.values():
        shutil.copy(path, tmp_path / path.name)
    with qtbot.waitSignal(panel.finished, timeout=60000) as done:
        panel.classify([tmp_path])
    assert done.args[0] == "Classified 4 images."
    labels = {r.path.name: r.label for r in panel.results.rows}
    assert labels["coffee.jpg"] == "espresso"

    speed.box.setCurrentIndex(0)  # back to float
    assert speed.litert_file_for(panel.models.predictor) is None
    assert panel.message.text() == "Folder runs use the float model."
