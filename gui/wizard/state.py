"""What the wizard's pages share: the project, the settings chosen, the trained model."""
from __future__ import annotations

from PySide6.QtCore import QObject, Signal

from core.training import TrainConfig


class TeachState(QObject):
    """The wizard's shared state; pages read it and announce changes through it.

    ``config`` is the :class:`core.training.TrainConfig` the Backbone and
    Settings pages fill in; ``result`` the last :class:`core.training.TrainResult`;
    ``bundle_path`` where the Save page last wrote a bundle.
    """

    project_changed = Signal(object)
    trained = Signal(object)

    def __init__(self, parent=None):
        super().__init__(parent)
        self.project = None
        self.config = TrainConfig()
        self.result = None
        self.bundle_path = None

    def set_project(self, project) -> None:
        self.project = project
        self.result = None
        self.bundle_path = None
        self.project_changed.emit(project)

    def set_result(self, result) -> None:
        self.result = result
        self.bundle_path = None
        self.trained.emit(result)

    def image_count(self) -> int:
        return len(self.project.samples) if self.project is not None else 0
