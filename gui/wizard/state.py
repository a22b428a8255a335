"""What the wizard's pages share: the project, the settings chosen, the trained model."""
from __future__ import annotations

import copy

from PySide6.QtCore import QObject, Signal

from core.teach.dataset import ProjectError
from core.teach.training import TrainConfig

from ..fault_box import report_if_disk_fault


class TeachState(QObject):
    """The wizard's shared state; pages read it and announce changes through it.

    ``config`` is the :class:`core.teach.training.TrainConfig` the Backbone and
    Settings pages fill in (through :meth:`configure`); ``result`` the
    :class:`core.teach.training.TrainResult` the later pages show, made with
    ``trained_config`` (the config when it became the result): a change of
    backbone or settings drops it, so no page shows a model the choices no longer
    describe. ``bundle_path`` is where the Save page last wrote it. The project is
    changed only on the GUI thread, through :meth:`apply` and :meth:`edit`
    (every page's edits, the Data page's and Evaluate's alike); views follow
    ``project_changed`` and ``project_edited``.
    """

    project_changed = Signal(object)  # another project was opened (or none)
    project_edited = Signal()         # the open project's classes or samples changed
    trained = Signal(object)

    def __init__(self, parent=None):
        super().__init__(parent)
        self.project = None
        self.config = TrainConfig()
        self.result = None
        self.trained_config = None
        self.bundle_path = None

    def set_project(self, project) -> None:
        self.project = project
        self.result = None
        self.bundle_path = None
        self.project_changed.emit(project)

    def apply(self, added) -> str | None:
        """Record what an import or a capture brought in (a core.teach.dataset.Added,
        made on a worker) in the project, here on the GUI thread; see :meth:`edit`."""
        if self.project is None:
            return None
        return self.edit(lambda: self.project.adopt(added))

    def edit(self, change) -> str | None:
        """Apply ``change()`` to the project and tell the views; None when done.

        A refused change (ProjectError) or one whose save failed (the project
        then stays as it was on disk) is the sentence returned instead; a disk
        fault also reaches the window's fault box.
        """
        try:
            change()
        except ProjectError as exc:
            return str(exc)
        except OSError as exc:
            return report_if_disk_fault(exc)
        self.project_edited.emit()
        return None

    def set_result(self, result) -> None:
        """``result`` (or None) is the model the later pages show, made with the config now."""
        self.result = result
        self.trained_config = copy.deepcopy(self.config) if result is not None else None
        self.bundle_path = None
        self.trained.emit(result)

    def configure(self, **fields) -> None:
        """Set ``config`` fields; a trained result made with other values is dropped."""
        for key, value in fields.items():
            setattr(self.config, key, value)
        if self.result is not None and self.config != self.trained_config:
            self.set_result(None)

    def image_count(self) -> int:
        return len(self.project.samples) if self.project is not None else 0
