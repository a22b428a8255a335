"""Export from the window: the wizard's Save page and File > Export model…, real exports."""
from __future__ import annotations

from types import SimpleNamespace

from core.export import exporter as export
from core.runtime import bundle
from tests.bundles import small_bundle, trained_result


def _export(dialog, qtbot, folder, formats):
    dialog.folder.setText(str(folder))
    for name, box in dialog.boxes.items():
        box.setChecked(name in formats)
    with qtbot.waitSignal(dialog.exported, timeout=400000):
        dialog.export_button.click()
    table = dialog.table
    return [[table.item(r, c).text() for c in range(table.columnCount())]
            for r in range(table.rowCount())]


def test_save_page_exports_every_format_and_shows_the_parity_table(qtbot, settings, tmp_path,
                                                                  tmp_path_factory):
    from gui.wizard.save_page import SavePage

    small_bundle(tmp_path_factory)
    result = trained_result()
    state = SimpleNamespace(result=result, project=None, bundle_path=None)
    page = SavePage(state, settings, lambda path: None)
    qtbot.addWidget(page)
    page.folder.setText(str(tmp_path / "fashion"))
    page._update()
    assert page.export_button.isEnabled()
    page.export_button.click()
    dialog = page.export_dialog
    assert str(len(result.val_items)) in dialog.intro.text()
    rows = _export(dialog, qtbot, tmp_path / "out", export.FORMATS)
    assert [row[0] for row in rows] == [export.RECORDS[f].title for f in export.FORMATS]
    assert [row[3] for row in rows] == ["Passed"] * 5, rows
    assert rows[0][1] == f"100.0% of {len(result.val_items)}"  # the validation images
    int8 = rows[export.FORMATS.index("tflite-int8")]
    assert all(name in int8[4] for name in result.class_names)  # per-class agreement
    for fmt in export.FORMATS:
        assert (tmp_path / "out" / export.RECORDS[fmt].file_name).exists()
    assert {"labels.txt", "model.json", "README.txt"} <= {p.name for p in
                                                           (tmp_path / "out").iterdir()}
    assert "5 of 5 formats written" in dialog.message.text()
    dialog.close()


def test_file_export_model_works_on_a_bundle_opened_from_disk(bare_window, qtbot, tmp_path,
                                                              tmp_path_factory, monkeypatch):
    from PySide6.QtWidgets import QFileDialog

    folder = small_bundle(tmp_path_factory)
    monkeypatch.setattr(QFileDialog, "getExistingDirectory", lambda *a, **k: str(folder))
    action = next(a for a in bare_window.menuBar().actions()[0].menu().actions()
                  if a.text() == "&Export model…")
    action.trigger()  # no model in use is exportable, so it asks for a bundle
    dialog = bare_window.export_dialog
    rows = _export(dialog, qtbot, tmp_path / "exported", ["keras", "tflite"])
    assert [row[3] for row in rows] == ["Passed", "Passed"], rows
    assert bundle.is_bundle(tmp_path / "exported")
    dialog.close()


def test_a_failed_check_is_shown_as_a_failure(qtbot, tmp_path, tmp_path_factory, monkeypatch):
    from dataclasses import replace

    from gui.export_dialog import ExportDialog

    honest = export.RECORDS["keras"]
    monkeypatch.setitem(export.RECORDS, "keras", replace(
        honest, run=lambda path, batch: honest.run(path, batch)[:, ::-1].copy()))
    int8 = export.RECORDS["tflite-int8"]  # a bar no file can reach: 101% agreement
    monkeypatch.setitem(export.RECORDS, "tflite-int8", replace(int8, limits=(1.0, 1.01, 0.1)))
    dialog = ExportDialog(str(small_bundle(tmp_path_factory)), tmp_path / "x")
    qtbot.addWidget(dialog)
    keras_row, int8_row = _export(dialog, qtbot, tmp_path / "x", ["keras", "tflite-int8"])
    assert keras_row[3] == "Failed" and "does not behave like the Keras model" in keras_row[4]
    assert int8_row[3] == "Failed" and int8_row[1].endswith("of 26")
    assert "bag" in int8_row[4] or "sneaker" in int8_row[4] or "trouser" in int8_row[4]
    assert "2 failed their check" in dialog.message.text()
    assert not (tmp_path / "x" / "model_int8.tflite").exists()
