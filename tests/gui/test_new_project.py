"""New project: a typed name becomes a new folder; a folder that cannot be made is a sentence."""
from __future__ import annotations

import pytest
from PySide6.QtWidgets import QFileDialog


@pytest.fixture
def data_page(bare_window):
    return bare_window.teach.new_model().data_page


def test_new_project_creates_its_folder(data_page, tmp_path, monkeypatch):
    target = tmp_path / "projects" / "Mugs and cups"
    monkeypatch.setattr(QFileDialog, "getSaveFileName",
                        staticmethod(lambda *args, **kwargs: (str(target), "")))
    data_page.new_project()
    assert (target / "project.json").is_file()
    assert data_page.state.project.root == target
    assert "is open" in data_page.message.text()


def test_a_folder_that_cannot_be_made_is_a_sentence(data_page, tmp_path):
    blocker = tmp_path / "notes.txt"  # a file where the new folder's parent should be
    blocker.write_text("not a folder")
    data_page.new_project(str(blocker / "new"))
    text = data_page.message.text()
    assert "notes.txt" in text and "Traceback" not in text and "Errno" not in text
    assert data_page.state.project is None or data_page.state.project.root != blocker / "new"
