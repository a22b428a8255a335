"""Page 2, Backbone: the registry's table, a recommendation for this much data, image size."""
from __future__ import annotations

from PySide6.QtWidgets import QCheckBox, QFormLayout, QLabel, QSpinBox, QVBoxLayout, QWizardPage

from core import backbones, weights

from ..widgets.backbone_table import BackboneTable
from .common import MessageLine

STATUS_WORDS = {"bundled": "bundled ✓", "cached": "downloaded ✓",
                "downloadable": "not here (Models tab)", "none": "none: from scratch"}


class BackbonePage(QWizardPage):
    """Pick the backbone whose frozen features the new head learns from."""

    def __init__(self, state, settings, parent=None):
        super().__init__(parent)
        self.state, self.settings = state, settings
        self.setTitle("Backbone: the pretrained network your model builds on")
        self.setSubTitle("Its ImageNet features stay frozen; only a small head learns your "
                         "classes. Bigger backbones see more but are slower.")
        self.advice = QLabel("")
        self.advice.setWordWrap(True)
        self.table = BackboneTable(STATUS_WORDS)
        self.size = QSpinBox()
        self.size.setRange(32, 600)
        self.size.setSingleStep(16)
        self.size.setSuffix(" px")
        self.size.setToolTip("Images are resized to this square before the backbone sees "
                             "them; the backbone's own size is usually best.")
        self.pretrained = QCheckBox("Start from ImageNet weights (uncheck only to see what "
                                    "transfer learning buys)")
        self.pretrained.setChecked(True)
        self.message = MessageLine()
        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldsStayAtSizeHint)
        form.addRow("Image size", self.size)
        form.addRow("", self.pretrained)
        layout = QVBoxLayout(self)
        layout.addWidget(self.advice)
        layout.addWidget(self.table, 1)
        layout.addLayout(form)
        layout.addWidget(self.message)
        self.table.refresh()
        self.table.itemSelectionChanged.connect(self._selection_changed)
        self.pretrained.toggled.connect(self.completeChanged)

    def initializePage(self) -> None:
        """Refresh weights status and the advice for the project's size."""
        count = self.state.image_count()
        name, why = backbones.recommend(count)
        self.recommended = name
        self.table.refresh(marked=name, mark=" (recommended)")
        self.advice.setText(f"<b>Recommended: {name}</b> — {count} images is {why}.")
        self.select(self.settings.value("teach/backbone", name) if self.selected() is None
                    else self.selected().name)

    def select(self, name: str) -> None:
        if not self.table.select(name):
            self.table.select(backbones.DEFAULT_BACKBONE)

    def selected(self):
        return self.table.selected()

    def _selection_changed(self) -> None:
        spec = self.selected()
        if spec is None:
            return
        self.size.setValue(spec.input_size)
        status = weights.status(spec)
        self.pretrained.setEnabled(status != "none")
        self.message.say(weights.missing_sentence(spec) if status in ("downloadable", "none")
                         else f"{spec.name}: {spec.use_case}")
        self.completeChanged.emit()

    def isComplete(self) -> bool:
        spec = self.selected()
        if spec is None:
            return False
        # Random weights need no file; pretrained ones must be here.
        return weights.status(spec) != "downloadable" or not self.pretrained.isChecked()

    def validatePage(self) -> bool:
        spec = self.selected()
        config = self.state.config
        config.backbone, config.input_size = spec.name, self.size.value()
        config.pretrained = self.pretrained.isChecked()
        self.settings.setValue("teach/backbone", spec.name)
        return True
