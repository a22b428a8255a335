"""The main window: Classify, Teach and Models tabs, and a status bar."""
from __future__ import annotations

from PySide6.QtCore import QSettings, Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QLabel, QMainWindow, QMenu, QMessageBox, QProgressBar, QTabWidget

from core import APP_NAME
from core.models.backbones import DEFAULT_BACKBONE

from .model_state import ModelState
from .widgets.text import elide


def placeholder(text: str) -> QLabel:
    label = QLabel(text)
    label.setAlignment(Qt.AlignCenter)
    label.setWordWrap(True)
    return label


class MainWindow(QMainWindow):
    def __init__(self, settings: QSettings | None = None):
        super().__init__()
        self.settings = settings or QSettings()
        self.setWindowTitle(APP_NAME)
        self.models = ModelState(self)
        self.classify_tabs = QTabWidget()
        self.tabs = QTabWidget()
        self.tabs.addTab(self.classify_tabs, "Classify")
        self.setCentralWidget(self.tabs)
        self._build_classify_tabs()
        self._build_status_bar()
        self._build_menus()
        self._build_teach_tab()
        self._connect_model_state()
        self.resize(1100, 760)
        geometry = self.settings.value("window/geometry")
        if geometry is not None:
            self.restoreGeometry(geometry)

    # --- construction -----------------------------------------------------
    def _build_classify_tabs(self) -> None:
        from .classify import ClassifyPanels

        self.classify = ClassifyPanels(self)  # Live, Folder and Image tabs
        self.tabs.addTab(self.classify.models_panel, "Models")
        self._build_learn_tab()

    def _build_learn_tab(self) -> None:
        """Architecture (beside Models): blocks, side by side, feature maps, families."""
        from .learn import LearnTab

        self.learn = LearnTab(lambda: getattr(self.classify.image.current, "rgb", None),
                              lambda: self.models.ref)
        self.tabs.addTab(self.learn, "Architecture")

    def _build_status_bar(self) -> None:
        bar = self.statusBar()
        self.device_label = QLabel("Device: starting…")
        self.model_label = QLabel("Model: none")
        self.runtime_label = QLabel("")
        self.tensorflow_label = QLabel("")
        self.load_progress = QProgressBar()
        self.load_progress.setMaximumWidth(180)
        self.load_progress.setRange(0, 100)
        self.load_progress.hide()
        for widget in (self.tensorflow_label, self.model_label, self.runtime_label,
                       self.device_label):
            bar.addPermanentWidget(widget)
        bar.addPermanentWidget(self.load_progress)

    def _build_menus(self) -> None:
        file_menu = self.menuBar().addMenu("&File")
        file_menu.addActions(self.classify.file_actions())
        from .model_menu import model_file_actions

        file_menu.addSeparator()
        file_menu.addActions(model_file_actions(self))
        file_menu.addSeparator()
        quit_action = QAction("&Quit", self)
        quit_action.setShortcut(QKeySequence.Quit)
        quit_action.triggered.connect(self.close)
        file_menu.addAction(quit_action)
        self.menuBar().addMenu("&Models").addActions(self.classify.model_actions())
        from .help_menu import add_help_actions

        add_help_actions(self, self.menuBar().addMenu("&Help"))

    def _build_teach_tab(self) -> None:
        """The Teach tab (after Classify) and its menu (before Help); the wizard loads lazily."""
        from .wizard.teach_tab import TeachTab

        self.teach = TeachTab(self)
        self.tabs.insertTab(1, self.teach, "Teach")
        menu = QMenu("&Teach", self)
        for text, shortcut, slot in (("&New model…", QKeySequence.New, self.teach.new_model),
                                     ("&Open project…", None, self.teach.open_project),
                                     ("&Compare backbones…", None,
                                      self.teach.compare_backbones)):
            action = menu.addAction(text)
            if shortcut is not None:
                action.setShortcut(shortcut)
            action.triggered.connect(lambda checked=False, slot=slot: (
                self.tabs.setCurrentWidget(self.teach), slot()))
        help_menu = next((a for a in self.menuBar().actions() if a.text() == "&Help"), None)
        self.menuBar().insertMenu(help_menu, menu)

    def _connect_model_state(self) -> None:
        from .fault_box import hub

        hub().fault.connect(self.show_fault)
        self._hears_faults = True
        self.models.loading.connect(self._model_loading)
        self.models.progressed.connect(self._model_progress)
        self.models.changed.connect(self._model_ready)
        self.models.failed.connect(self._model_failed)
        self.models.tensorflow_loading.connect(lambda: self.tensorflow_label.setText(
            "Loading TensorFlow for Grad-CAM, Teach and Architecture…"))
        self.models.tensorflow_ready.connect(lambda: self.tensorflow_label.setText(""))

    # --- model status -----------------------------------------------------
    def load_initial_model(self) -> None:
        self.models.load(self.settings.value("model/last", DEFAULT_BACKBONE))

    def _model_loading(self, ref: str) -> None:
        self.model_label.setText(f"Model: loading {ref}…")
        self.load_progress.setValue(0)
        self.load_progress.show()

    def _model_progress(self, fraction: float, message: str) -> None:
        self.load_progress.setValue(int(fraction * 100))
        self.statusBar().showMessage(message, 3000)

    def _model_ready(self, predictor) -> None:
        self.load_progress.hide()
        self.model_label.setText(elide(f"Model: {predictor.description}"))
        self.model_label.setToolTip(f"Model: {predictor.description}\n"
                                    f"Input rule: {predictor.input_rule.describe()}")
        self.runtime_label.setText(f"Runtime: {predictor.runtime}")
        self.device_label.setText(f"Device: {predictor.device}")
        self.settings.setValue("model/last", self.models.ref)

    def _model_failed(self, message: str) -> None:
        self.load_progress.hide()
        current = self.models.predictor  # a failed switch leaves the old model in use
        self.model_label.setText(elide(f"Model: {current.description}") if current
                                 else "Model: none")
        self.statusBar().showMessage(message)

    def show_fault(self, sentence: str) -> None:
        """A disk or permission fault: a box that says what happened and what to do."""
        self.fault_box = QMessageBox(QMessageBox.Warning, APP_NAME, sentence,
                                     QMessageBox.Ok, self)
        self.fault_box.setWindowModality(Qt.WindowModal)
        self.fault_box.open()  # not exec(): the window keeps running

    def closeEvent(self, event) -> None:
        from .fault_box import hub

        if self._hears_faults:  # a window may be closed more than once
            hub().fault.disconnect(self.show_fault)
            self._hears_faults = False
        self.settings.setValue("window/geometry", self.saveGeometry())
        self.hide()  # gone at once, while the jobs are told to stop
        self.teach.shutdown()
        self.learn.shutdown()
        self.classify.shutdown()
        self.models.shutdown()
        self.settings.sync()  # on disk now: a process left with a job running ends at once
        super().closeEvent(event)
