"""Page 1, Data: a project's classes and samples, imports, capture and warnings.

Every change goes through :class:`core.teach.dataset.Project`, which saves its
manifest atomically, on the GUI thread (``TeachState.apply`` / ``edit``):
imports run as jobs that only copy files and hand their batches back
(progress, cancel keeps what was imported); the page redraws on the state's
``project_changed`` / ``project_edited``. The page never decides what is wrong
with the data: the warnings are :func:`core.teach.dataset.check`'s sentences, and
"ready to train" is :func:`core.teach.training.data_problem`'s.
"""
from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QFileDialog,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QPushButton,
    QSplitter,
    QStyle,
    QToolButton,
    QVBoxLayout,
    QWidget,
    QWizardPage,
)

from core.images.decode import find_images
from core.teach import dataset
from core.teach.dataset import Project, ProjectError

from ..fault_box import report_if_disk_fault
from ..file_filters import IMAGE_FILTER
from ..widgets.drop import AcceptsFileDrops
from ..widgets.job_bar import JobBar
from ..widgets.message_line import MessageLine
from ..widgets.text import short_name
from ..widgets.thumbnails import ThumbnailGrid
from ..workers import JobSlot, JobWorker

NAME_ROLE = Qt.UserRole


class SampleGrid(AcceptsFileDrops, ThumbnailGrid):
    """The selected class's samples; files and folders dropped here are added to it."""

    def __init__(self, on_drop, parent=None):
        super().__init__(parent=parent)
        self._on_drop = on_drop
        self.setSelectionMode(QAbstractItemView.ExtendedSelection)
        self.setAcceptDrops(True)
        self.setDragDropMode(QAbstractItemView.DropOnly)

    def files_dropped(self, paths) -> None:
        self._on_drop(paths)


class DataPage(QWizardPage):
    """Choose a project and shape its classes and samples."""

    def __init__(self, wizard_state, settings, parent=None):
        super().__init__(parent)
        self.state, self.settings = wizard_state, settings
        self.setTitle("Data: the images your model learns from")
        self.setSubTitle("One class per kind of thing to tell apart. Import a folder with one "
                         "sub-folder per class, drop images in, or capture them from a camera.")
        self.jobs = JobBar("Stop")
        self.jobs.ended.connect(self._job_ended)
        self._check_slot = JobSlot(self)
        self._build()
        self._connect()
        self.state.project_changed.connect(lambda _: (self.refresh(), self.check()))
        self.state.project_edited.connect(self.refresh)
        self.refresh()

    # --- construction -----------------------------------------------------
    def _build(self) -> None:
        self.project_label = QLabel("No project yet: make a new one or open one.")
        self.new_button = QPushButton("New project…")
        self.open_button = QPushButton("Open project…")
        self.copy_box = QCheckBox("Copy images into the project")
        self.copy_box.setToolTip("Off: the project refers to images where they are (saves "
                                 "space, but moving them breaks the project).")
        self.copy_box.setChecked(self.settings.value("teach/copy_images", True, type=bool))
        top = QHBoxLayout()
        top.addWidget(self.project_label, 1)
        for widget in (self.copy_box, self.new_button, self.open_button):
            top.addWidget(widget)
        splitter = QSplitter()
        splitter.addWidget(self._build_classes())
        splitter.addWidget(self._build_samples())
        splitter.setStretchFactor(1, 3)
        splitter.setSizes([240, 760])
        self.warnings = QListWidget()
        self.warnings.setMaximumHeight(110)
        self.warnings_title = QLabel("Checks")
        self.ready_label = QLabel("")
        self.ready_label.setWordWrap(True)
        self.ready_label.setStyleSheet("color: #8a6d00")
        self.message = MessageLine()
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(splitter, 1)
        layout.addWidget(self.ready_label)
        layout.addWidget(self.warnings_title)
        layout.addWidget(self.warnings)
        layout.addWidget(self.jobs)
        layout.addWidget(self.message)

    def _build_classes(self) -> QWidget:
        self.classes = QListWidget()
        self.classes.setSelectionMode(QAbstractItemView.ExtendedSelection)
        self.import_button = QPushButton("Import folder…")
        self.import_button.setToolTip("A folder with one sub-folder of images per class")
        self.add_class_button = QToolButton(text="Add")
        self.rename_button = QToolButton(text="Rename")
        self.merge_button = QToolButton(text="Merge")
        self.merge_button.setToolTip("Select two or more classes to put their images together")
        self.delete_class_button = QToolButton(text="Delete")
        row = QHBoxLayout()
        for button in (self.add_class_button, self.rename_button, self.merge_button,
                       self.delete_class_button):
            row.addWidget(button)
        row.addStretch(1)
        box = QWidget()
        layout = QVBoxLayout(box)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(QLabel("Classes (images)"))
        layout.addWidget(self.classes, 1)
        layout.addLayout(row)
        layout.addWidget(self.import_button)
        return box

    def _build_samples(self) -> QWidget:
        self.samples_title = QLabel("")
        self.grid = SampleGrid(self.add_dropped)
        self.add_images_button = QPushButton("Add images…")
        self.capture_button = QPushButton("Capture…")
        self.capture_button.setToolTip("Save frames from a camera or a video file")
        self.move_button = QPushButton("Move to…")
        self.delete_samples_button = QPushButton("Delete")
        row = QHBoxLayout()
        for button in (self.add_images_button, self.capture_button, self.move_button,
                       self.delete_samples_button):
            row.addWidget(button)
        row.addStretch(1)
        box = QWidget()
        layout = QVBoxLayout(box)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.samples_title)
        layout.addWidget(self.grid, 1)
        layout.addLayout(row)
        return box

    def _connect(self) -> None:
        self.new_button.clicked.connect(lambda: self.new_project())
        self.open_button.clicked.connect(lambda: self.open_project())
        self.copy_box.toggled.connect(lambda on: self.settings.setValue("teach/copy_images", on))
        self.import_button.clicked.connect(lambda: self.import_folder())
        self.add_class_button.clicked.connect(lambda: self.add_class())
        self.rename_button.clicked.connect(lambda: self.rename_class())
        self.merge_button.clicked.connect(lambda: self.merge_classes())
        self.delete_class_button.clicked.connect(lambda: self.delete_class())
        self.add_images_button.clicked.connect(lambda: self.add_images())
        self.capture_button.clicked.connect(self.capture)
        self.move_button.clicked.connect(lambda: self.move_samples())
        self.delete_samples_button.clicked.connect(lambda: self.delete_samples())
        self.classes.itemSelectionChanged.connect(self._show_samples)
        self.grid.itemSelectionChanged.connect(self._update_buttons)
        self.warnings.itemDoubleClicked.connect(self._warning_chosen)
        self.rename_button.setShortcut(QKeySequence(Qt.Key_F2))
        self.delete_samples_button.setShortcut(QKeySequence.Delete)
        self.add_images_button.setShortcut(QKeySequence("Ctrl+I"))

    # --- the project ------------------------------------------------------
    @property
    def project(self) -> Project | None:
        return self.state.project

    def new_project(self, folder=None) -> None:
        if folder is None:  # a name typed in a save dialog: the folder need not exist yet
            folder, _ = QFileDialog.getSaveFileName(
                self, "New project: choose where, and type its name",
                str(Path(self._start_dir()) / "My project"), "Project folder (*)",
                options=QFileDialog.DontConfirmOverwrite)
        if folder:
            self._use(lambda: Project.create(folder))  # makes the folder (and its parents)

    def open_project(self, folder=None) -> None:
        if folder is None:
            folder = QFileDialog.getExistingDirectory(
                self, "Open a project folder (it holds project.json)", self._start_dir())
        if folder:
            self._use(lambda: Project.open(folder))

    def _use(self, make) -> None:
        try:
            project = make()
        except (ProjectError, OSError) as exc:
            self.message.say(report_if_disk_fault(exc))
            return
        self.settings.setValue("teach/last_project", str(project.root))
        self.message.say(f"Project '{project.root.name}' is open; every change is saved at once.")
        self.state.set_project(project)

    def _start_dir(self) -> str:
        last = self.settings.value("teach/last_project", "")
        return str(Path(last).parent) if last else str(Path.home())

    # --- what is shown ----------------------------------------------------
    def refresh(self) -> None:
        """Re-read the project into the class list and the sample grid."""
        project, chosen = self.project, set(self.selected_classes())
        self.classes.blockSignals(True)
        self.classes.clear()
        if project is not None:
            self.project_label.setText(f"Project: {project.root}")
            for name, count in project.counts().items():
                item = QListWidgetItem(f"{name}  ({count})")
                item.setData(NAME_ROLE, name)
                self.classes.addItem(item)
                item.setSelected(name in chosen)
            if not self.classes.selectedItems() and self.classes.count():
                self.classes.item(0).setSelected(True)
        self.classes.blockSignals(False)
        self._show_samples()
        self.completeChanged.emit()

    def selected_classes(self) -> list[str]:
        return [item.data(NAME_ROLE) for item in self.classes.selectedItems()]

    def current_class(self) -> str | None:
        chosen = self.selected_classes()
        return chosen[0] if chosen else None

    def select_class(self, name: str) -> None:
        for row in range(self.classes.count()):
            item = self.classes.item(row)
            item.setSelected(item.data(NAME_ROLE) == name)

    def _show_samples(self) -> None:
        name = self.current_class()
        samples = self.project.samples_of(name) if self.project and name else []
        self.samples_title.setText(f"{len(samples)} images of '{name}' (drop images here)"
                                   if name else "Add a class, then images to it.")
        entries = [(self.project.absolute(s), short_name(s.path), s.path) for s in samples]
        shown = self.grid.paths()
        if shown == [str(e[0]) for e in entries[:len(shown)]]:  # an import added to it
            for entry in entries[len(shown):]:
                self.grid.add_image(*entry)
        else:
            self.grid.set_images(entries)
        self.ready_label.setText(self.readiness())
        self._update_buttons()

    def _update_buttons(self) -> None:
        idle, has_project = not self.jobs.busy(), self.project is not None
        chosen = len(self.selected_classes())
        picked = bool(self.grid.selectedItems())
        for button, on in ((self.import_button, has_project), (self.add_class_button, has_project),
                           (self.rename_button, chosen == 1), (self.merge_button, chosen >= 2),
                           (self.delete_class_button, chosen >= 1),
                           (self.add_images_button, chosen == 1),
                           (self.capture_button, has_project),
                           (self.move_button, picked), (self.delete_samples_button, picked),
                           (self.new_button, True), (self.open_button, True)):
            button.setEnabled(idle and on)

    def isComplete(self) -> bool:
        return self.project is not None and not self.jobs.busy() and not self.readiness()

    def readiness(self) -> str:
        """Why training cannot start yet (core's words), or "" when it can."""
        from core.teach.training import data_problem

        if self.project is None:
            return "Make a new project or open one."
        return data_problem(self.project.labelled(), self.project.classes) or ""

    # --- checks -----------------------------------------------------------
    def check(self) -> None:
        """Decode every sample in the background and list what should be fixed."""
        if self.project is None:
            return
        worker = JobWorker(dataset.check, self.project.labelled(), list(self.project.classes))
        worker.succeeded.connect(self._show_warnings)
        worker.failed.connect(self.message.say)
        self.warnings_title.setText("Checking the images…")
        self._check_slot.start(worker)

    def _show_warnings(self, found) -> None:
        self.warnings.clear()
        icon = self.style().standardIcon(QStyle.SP_MessageBoxWarning)
        for warning in found:
            item = QListWidgetItem(icon, warning.message)
            item.setData(NAME_ROLE, warning.class_name)
            self.warnings.addItem(item)
        anyway = "" if self.readiness() else " (training works anyway)"
        self.warnings_title.setText(f"Checks: {len(found)} thing(s) to look at{anyway}"
                                    if found else "Checks: nothing to fix.")

    def warning_messages(self) -> list[str]:
        return [self.warnings.item(row).text() for row in range(self.warnings.count())]

    def _warning_chosen(self, item) -> None:
        if item.data(NAME_ROLE):
            self.select_class(item.data(NAME_ROLE))

    # --- jobs: import and add ---------------------------------------------
    def import_folder(self, folder=None) -> None:
        if self.project is None:
            return
        if folder is None:
            folder = QFileDialog.getExistingDirectory(
                self, "Import a folder with one sub-folder per class", self._start_dir())
        if folder:
            worker = JobWorker(self.project.import_tree, Path(folder),
                               copy=self.copy_box.isChecked(), partial_kw="on_added")
            self._run(worker, f"Importing '{Path(folder).name}'…")

    def add_images(self, files=None, class_name=None) -> None:
        class_name = class_name or self.current_class()
        if self.project is None or class_name is None:
            self.message.say("Select or add a class first, then add its images.")
            return
        if files is None:
            files, _ = QFileDialog.getOpenFileNames(
                self, f"Add images to '{class_name}'", self._start_dir(), IMAGE_FILTER)
        files = find_images(files or [])
        if files:
            worker = JobWorker(self.project.add_images, files, class_name,
                               copy=self.copy_box.isChecked(), partial_kw="on_added")
            self._run(worker, f"Adding {len(files)} images to '{class_name}'…")

    def add_dropped(self, paths) -> None:
        if not self.jobs.busy():
            self.add_images(paths)

    def _run(self, worker, sentence: str) -> None:
        worker.partial.connect(self.state.apply)
        worker.succeeded.connect(lambda added: self.message.say(
            f"Added {len(added)} images; the project is saved."))
        worker.cancelled.connect(lambda: self.message.say(
            "Stopped: the images added so far are kept in the project."))
        worker.failed.connect(self.message.say)
        self.jobs.run(worker, sentence)
        self._update_buttons()
        self.completeChanged.emit()

    def _job_ended(self) -> None:
        self._update_buttons()
        self.completeChanged.emit()
        self.check()

    # --- classes ----------------------------------------------------------
    def add_class(self, name=None) -> None:
        if name is None:
            name, ok = QInputDialog.getText(self, "Add a class", "Name of the new class:")
            if not ok:
                return
        if self._change(lambda: self.project.add_class(name)):
            self.select_class(name.strip())

    def rename_class(self, new=None) -> None:
        old = self.current_class()
        if old is None:
            return
        if new is None:
            new, ok = QInputDialog.getText(self, "Rename a class", f"New name for '{old}':",
                                           text=old)
            if not ok:
                return
        if self._change(lambda: self.project.rename_class(old, new)):
            self.select_class(new.strip())

    def merge_classes(self, target=None) -> None:
        sources = self.selected_classes()
        if len(sources) < 2:
            return
        if target is None:
            target, ok = QInputDialog.getItem(self, "Merge classes",
                                              "Put all their images into:", sources, 0, True)
            if not ok:
                return
        if self._change(lambda: self.project.merge_classes(sources, target)):
            self.select_class(target.strip())

    def delete_class(self, confirm: bool = True) -> None:
        names = self.selected_classes()
        if not names or (confirm and not self._confirm(
                f"Delete {', '.join(names)} and their images from the project? Copied "
                "images are deleted from disk; referenced ones are left where they are.")):
            return
        self._change(lambda: [self.project.delete_class(n) for n in names])

    # --- samples ----------------------------------------------------------
    def move_samples(self, target=None) -> None:
        paths = self.grid.selected_paths()
        if not paths:
            return
        if target is None:
            target, ok = QInputDialog.getItem(self, "Move images",
                                              f"Move {len(paths)} image(s) to:",
                                              list(self.project.classes), 0, False)
            if not ok:
                return
        self._change(lambda: self.project.move_samples(paths, target))

    def delete_samples(self) -> None:
        paths = self.grid.selected_paths()
        if paths:
            self._change(lambda: self.project.delete_samples(paths))

    def _change(self, change) -> bool:
        """Apply one project change; a refused one becomes the page's sentence."""
        if self.project is None or self.jobs.busy():
            return False
        problem = self.state.edit(change)
        if problem is not None:
            self.message.say(problem)
            return False
        self.check()
        return True

    def _confirm(self, question: str) -> bool:
        answer = QMessageBox.question(self, "Backbone Studio", question)
        return answer == QMessageBox.Yes

    def capture(self) -> None:
        from .capture import CaptureDialog

        if self.project is None:
            return
        dialog = CaptureDialog(self.state, self.current_class(), self.settings, self)
        dialog.finished.connect(lambda _: self._job_ended())
        dialog.open()
        self.capture_dialog = dialog

    def shutdown(self) -> None:
        self.jobs.shutdown()
        self._check_slot.shutdown()
        self.grid.shutdown()
        dialog = getattr(self, "capture_dialog", None)
        if dialog is not None:
            dialog.shutdown()
