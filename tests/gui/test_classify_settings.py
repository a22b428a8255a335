"""What the Classify panels remember between sessions (the window's QSettings)."""
from __future__ import annotations

from gui.main_window import MainWindow


def test_top_k_threshold_and_toggles_come_back(bare_window, settings, qtbot, tmp_path):
    panels = bare_window.classify
    panels.options.k_box.setValue(3)
    panels.options.set_threshold(0.4)
    panels.live.mirror_button.setChecked(True)
    panels.live.camera_box.setValue(2)
    panels.live.start_camera()  # no model yet: says so, but remembers the camera
    panels.image.cam_box.setChecked(True)
    settings.setValue("folder/last", str(tmp_path))
    bare_window.close()
    settings.sync()

    again = MainWindow(settings)
    qtbot.addWidget(again)
    restored = again.classify
    assert restored.options.k == 3 and restored.options.threshold == 0.4
    assert restored.live.mirror_button.isChecked()
    assert restored.live.camera_box.value() == 2
    assert restored.image.cam_box.isChecked()
    assert restored.folder.results.threshold == 0.4
    again.close()


def test_escape_and_space_only_act_on_the_panel_shown(window, qtbot):
    """Each panel's keys are window-wide but only while its tab is visible."""
    from PySide6.QtCore import Qt

    panels = window.classify
    panels.show(panels.folder)
    qtbot.keyClick(panels.folder, Qt.Key_Space)
    assert not panels.live.pause_button.isChecked()
