"""The Classify panels (Live, Folder, Image) and the Models tab, mounted on the main window."""
from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QKeySequence

from .folder_panel import FolderPanel
from .image_panel import ImagePanel
from .live_panel import LivePanel
from .models_panel import ModelsPanel
from .options import ClassifyOptions


class ClassifyPanels:
    """Builds the panels into ``window.classify_tabs`` and owns their shutdown."""

    def __init__(self, window):
        self.window = window
        settings, models = window.settings, window.models
        self.options = ClassifyOptions(settings)
        self.live = LivePanel(models, self.options, settings)
        self.folder = FolderPanel(models, self.options, settings)
        self.image = ImagePanel(models, self.options, settings)
        self.models_panel = ModelsPanel(models, settings)
        tabs = window.classify_tabs
        tabs.addTab(self.live, "Live")
        tabs.addTab(self.folder, "Folder")
        tabs.addTab(self.image, "Image")
        tabs.setCornerWidget(self.options, Qt.TopRightCorner)
        models.changed.connect(self._model_changed)
        self.folder.open_requested.connect(self.open_image)

    def open_image(self, path) -> None:
        """Show ``path`` in the Image view and classify it there."""
        self.show(self.image)
        self.image.open(path)

    def _model_changed(self, predictor) -> None:
        threshold = predictor.threshold
        if threshold > 0:  # a trained bundle suggests its own "unknown" threshold
            self.options.set_threshold(threshold)

    def show(self, panel) -> None:
        """Bring ``panel`` to the front (a Classify panel or the Models tab)."""
        window = self.window
        if panel is self.models_panel:
            window.tabs.setCurrentWidget(panel)
        else:
            window.tabs.setCurrentWidget(window.classify_tabs)
            window.classify_tabs.setCurrentWidget(panel)

    def file_actions(self) -> list[QAction]:
        """File menu entries: open an image (Ctrl+O), a folder, a video."""
        return [
            self._action("Open &image…", QKeySequence.Open, self.image, self.image.open_dialog),
            self._action("Open &folder…", QKeySequence("Ctrl+Shift+O"), self.folder,
                         self.folder.choose_folder),
            self._action("Open &video…", None, self.live, self.live.open_video),
        ]

    def model_actions(self) -> list[QAction]:
        """Models menu entries."""
        panel = self.models_panel
        return [
            self._action("&Choose a backbone…", QKeySequence("Ctrl+M"), panel, None),
            self._action("Open model &folder…", QKeySequence("Ctrl+Shift+M"), panel,
                         panel.open_dialog),
            self._action("&Import weights…", None, panel, panel.import_dialog),
            self._action("&Download weights", None, panel, panel.download_selected),
        ]

    def _action(self, text, shortcut, panel, then) -> QAction:
        action = QAction(text, self.window)
        if shortcut is not None:
            action.setShortcut(shortcut)

        def triggered():
            self.show(panel)
            if then is not None:
                then()

        action.triggered.connect(triggered)
        return action

    def shutdown(self) -> None:
        """Stop every job and thread the panels own (the window is closing)."""
        for panel in (self.live, self.folder, self.image, self.models_panel):
            panel.shutdown()
