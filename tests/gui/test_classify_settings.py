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


def test_escape_and_space_only_act_on_the_panel_shown(window, qtbot, photos, tmp_path):
    """Each panel's keys are window-wide but only while its tab is visible: with
    a video running in Live, Space and Esc on the Folder tab leave it alone;
    back on Live, the same keys pause it and stop it."""
    import cv2
    from PySide6.QtCore import Qt

    from core.images.decode import load_rgb

    video = tmp_path / "long.avi"
    writer = cv2.VideoWriter(str(video), cv2.VideoWriter_fourcc(*"MJPG"), 30.0, (160, 120))
    frame = cv2.cvtColor(cv2.resize(load_rgb(photos["coffee"]), (160, 120)), cv2.COLOR_RGB2BGR)
    for _ in range(600):  # 20 s: still playing when the keys are pressed
        writer.write(frame)
    writer.release()
    panels, live = window.classify, window.classify.live
    panels.show(live)
    live.start_source(video)
    qtbot.waitUntil(lambda: live.last_result is not None, timeout=30000)

    panels.show(panels.folder)
    qtbot.keyClick(panels.folder, Qt.Key_Space)
    qtbot.keyClick(panels.folder, Qt.Key_Escape)
    assert live.is_running() and not live.pause_button.isChecked()

    panels.show(live)
    qtbot.keyClick(live, Qt.Key_Space)
    assert live.pause_button.isChecked()
    with qtbot.waitSignal(live.source_ended, timeout=10000) as ended:
        qtbot.keyClick(live, Qt.Key_Escape)
    assert ended.args[0] == "Stopped."
