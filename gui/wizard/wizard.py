"""The Teach wizard: data -> backbone -> settings -> train -> evaluate -> save."""
from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QWizard

from .backbone_page import BackbonePage
from .data_page import DataPage
from .evaluate_page import EvaluatePage
from .save_page import SavePage
from .settings_page import SettingsPage
from .state import TeachState
from .train_page import TrainPage

DATA, BACKBONE, SETTINGS, TRAIN, EVALUATE, SAVE = range(6)


class TeachWizard(QWizard):
    """Guides a person from labelled images to a saved model bundle.

    ``use_in_classify(bundle_folder)`` is called by the Save page's "Use in
    Classify" button; ``model_in_use()`` is the reference of the model Classify
    uses (never replaced by a save). Closing the wizard stops its jobs and waits for them.
    """

    def __init__(self, settings, use_in_classify, parent=None, model_in_use=lambda: None):
        super().__init__(parent)
        self.setWindowTitle("Teach a new model")
        self.setWindowFlag(Qt.Window)
        self.setWizardStyle(QWizard.ModernStyle)
        self.setOption(QWizard.NoBackButtonOnStartPage)
        self.state = TeachState(self)
        self.data_page = DataPage(self.state, settings)
        self.backbone_page = BackbonePage(self.state, settings)
        self.settings_page = SettingsPage(self.state, settings)
        self.train_page = TrainPage(self.state)
        self.evaluate_page = EvaluatePage(self.state, self.retrain)
        self.save_page = SavePage(self.state, settings, self._use, model_in_use)
        for page_id, page in ((DATA, self.data_page), (BACKBONE, self.backbone_page),
                              (SETTINGS, self.settings_page), (TRAIN, self.train_page),
                              (EVALUATE, self.evaluate_page), (SAVE, self.save_page)):
            self.setPage(page_id, page)
        self.settings_page.setButtonText(QWizard.NextButton, "&Train >")
        self.setButtonText(QWizard.FinishButton, "&Done")
        self._use_in_classify = use_in_classify
        self.resize(1060, 760)

    @property
    def project(self):
        return self.state.project

    def retrain(self) -> None:
        """Back to the Train page and train again on the (corrected) project."""
        while self.currentId() > TRAIN:
            self.back()
        if self.currentId() == TRAIN:
            self.train_page.start()

    def _use(self, bundle_folder) -> None:
        self._use_in_classify(bundle_folder)

    def shutdown(self) -> None:
        """Stop every job and thread the pages own, and wait for them."""
        for page in (self.data_page, self.backbone_page, self.train_page, self.evaluate_page,
                     self.save_page):
            page.shutdown()

    def done(self, result: int) -> None:
        self.shutdown()
        super().done(result)
