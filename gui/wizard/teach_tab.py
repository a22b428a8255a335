"""The Teach tab: what the wizard does, and buttons that open it."""
from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

INTRO = """<h2>Teach a model your own classes</h2>
<p>The wizard turns images you label into a classifier, in six steps:</p>
<ol>
<li><b>Data</b>: a project folder; import a folder with one sub-folder per class, drop images
in, or capture frames from a camera or a video. It warns about small classes, imbalance,
duplicates and unreadable files.</li>
<li><b>Backbone</b>: the pretrained network to build on, with a recommendation for how many
images you have.</li>
<li><b>Settings</b>: epochs, learning rate, validation images; augmentation, class weights,
early stopping and fine-tuning under <i>Advanced</i>.</li>
<li><b>Train</b>: live loss and accuracy curves; stop at any time and keep the best model.</li>
<li><b>Evaluate</b>: accuracy, precision and recall per class, the confusion matrix and the
images it gets wrong; fix a label and retrain in one click.</li>
<li><b>Save</b>: a model bundle, then <i>Use in Classify</i>.</li>
</ol>
<p>Only a small head is trained on the backbone's frozen features, so a few dozen images
per class and a CPU are enough.</p>
<p><b>Not sure which backbone?</b> On the Backbone page, tick several (pretrained ones,
LeNet-5 and AlexNet from scratch) and press <i>Compare</i>: each is trained on the same split
and you see accuracy, size and speed side by side, then keep the one you like.</p>"""


class TeachTab(QWidget):
    """Opens one :class:`TeachWizard` at a time (imported on first use)."""

    def __init__(self, window, parent=None):
        super().__init__(parent)
        self.window, self.settings = window, window.settings
        self.wizard = None
        self.ask_box = None  # "open a project first", while it is shown
        intro = QLabel(INTRO)
        intro.setWordWrap(True)
        intro.setTextFormat(Qt.RichText)
        intro.setMaximumWidth(760)
        self.new_button = QPushButton("New model…")
        self.new_button.setToolTip("Ctrl+N")
        self.open_button = QPushButton("Open project…")
        self.new_button.clicked.connect(lambda: self.new_model())
        self.open_button.clicked.connect(lambda: self.open_project())
        buttons = QHBoxLayout()
        buttons.addWidget(self.new_button)
        buttons.addWidget(self.open_button)
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(24, 16, 24, 16)
        layout.addWidget(intro)
        layout.addLayout(buttons)
        layout.addStretch(1)

    def new_model(self):
        """Show the wizard on its Data page (a running wizard is brought forward)."""
        if self.wizard is not None and self.wizard.isVisible():
            self.wizard.raise_()
            self.wizard.activateWindow()
            return self.wizard
        from .wizard import TeachWizard

        if self.wizard is not None:
            self.wizard.deleteLater()
        self.wizard = TeachWizard(self.settings, self.use_in_classify, self.window,
                                  lambda: self.window.models.ref)
        self.wizard.show()
        return self.wizard

    def open_project(self, folder=None):
        """Open an existing project (asks for its folder) in the wizard."""
        if folder is None:
            last = self.settings.value("teach/last_project", "")
            folder = QFileDialog.getExistingDirectory(
                self, "Open a project folder (it holds project.json)",
                str(Path(last).parent) if last else str(Path.home()))
            if not folder:
                return None
        wizard = self.new_model()
        if wizard.currentId() != wizard.startId():
            wizard.restart()  # stops whatever the other project was doing
        wizard.data_page.open_project(folder)
        return wizard

    def compare_backbones(self):
        """The comparison window of the open project (its saved comparison shown).

        Without an open project a box asks to open one (then the window
        opens) or to make one first; returns the window, or None.
        """
        wizard = self.wizard
        if wizard is None or not wizard.isVisible() or wizard.project is None:
            self._ask_for_project()
            return None
        return wizard.backbone_page.comparison_window()

    def _ask_for_project(self) -> None:
        box = QMessageBox(QMessageBox.Information, "Compare backbones",
                          "Backbones are compared on a project's labelled images, and no "
                          "project is open. Open one, or make one first with New model "
                          "(import a folder with one sub-folder per class).", parent=self)
        opener = box.addButton("Open project…", QMessageBox.AcceptRole)
        maker = box.addButton("New model…", QMessageBox.ActionRole)
        box.addButton(QMessageBox.Cancel)
        box.setWindowModality(Qt.WindowModal)

        def chosen(button):
            self.ask_box = None
            if button is opener and self.open_project() is not None:
                if self.wizard.project is not None:
                    self.compare_backbones()
            elif button is maker:
                self.new_model()

        box.buttonClicked.connect(chosen)
        self.ask_box = box
        box.open()  # not exec(): the window keeps running

    def use_in_classify(self, bundle_folder) -> None:
        """Load the bundle as the window's model and show Classify."""
        self.window.models.load(str(bundle_folder))
        self.window.tabs.setCurrentWidget(self.window.classify_tabs)
        self.window.raise_()
        self.window.activateWindow()

    def shutdown(self) -> None:
        if self.wizard is not None:
            self.wizard.shutdown()
            self.wizard.close()
