"""Page 2, Backbone: the registry's table, a recommendation for this much data, image size.

Ticking several backbones and pressing "Compare" opens the comparison window
(gui.compare); its "Use this one" continues the wizard with that backbone's
trained model, straight to Evaluate (no retraining), as long as that backbone
stays selected: choosing another one drops the compared model (the state's
:meth:`configure`), and Next goes through Settings and Train again.
"""
from __future__ import annotations

from PySide6.QtWidgets import (
    QCheckBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWizardPage,
)

from core.models import backbones, weights
from core.teach.train_config import defaults_for

from ..widgets.backbone_table import BackboneTable
from ..widgets.message_line import MessageLine

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
        self.table = BackboneTable(STATUS_WORDS, checkable=True)
        self.table.setToolTip("Select the backbone to train; tick several to compare them")
        self.compare_button = QPushButton("Compare ticked backbones…")
        self.compare_button.setToolTip("Train every ticked backbone on the same split and see "
                                       "accuracy, size and speed side by side")
        self.compare_button.clicked.connect(lambda: self.compare())
        self.compare_window = None
        self.compared = None  # (row, bundle path) once "Use this one" was pressed
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
        compare_row = QHBoxLayout()
        compare_row.addWidget(QLabel("Not sure? Tick a few and compare them on your images:"))
        compare_row.addWidget(self.compare_button)
        compare_row.addStretch(1)
        layout.addLayout(compare_row)
        layout.addLayout(form)
        layout.addWidget(self.message)
        self.table.refresh()
        self.table.itemSelectionChanged.connect(self._selection_changed)
        self.table.itemChanged.connect(lambda _item: self._update_compare())
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
        self.compared = None
        self._update_compare()

    def _update_compare(self) -> None:
        count = len(self.table.ticked())
        self.compare_button.setEnabled(count >= 1)
        self.compare_button.setText(f"Compare {count} ticked backbones…" if count > 1
                                    else "Compare ticked backbones…")

    def comparison_window(self):
        """The comparison window on the project (its saved comparison shown), raised."""
        from ..compare.window import CompareWindow

        if self.compare_window is None or self.compare_window.project is not self.state.project:
            if self.compare_window is not None:
                self.compare_window.close()
            self.compare_window = CompareWindow(self.state.project, self)
            self.compare_window.used.connect(self._use_compared)
        self.compare_window.show()
        self.compare_window.raise_()
        return self.compare_window

    def compare(self, names=None, config=None):
        """Open the comparison window on the project and compare ``names`` (default: ticked)."""
        names = list(names or self.table.ticked())
        window = self.comparison_window()
        if names and not window.busy():
            window.start(names, config or self.compare_config())
        return window

    def compare_config(self):
        """Core's comparison defaults (the ``compare`` command's too), on the
        project's validation split and seed."""
        from core.compare.comparison import CompareConfig

        return CompareConfig(val_split=self.state.config.val_split,
                             seed=self.state.config.seed)

    def _use_compared(self, row, bundle_path) -> None:
        """Continue with a compared backbone's trained model: straight to Evaluate."""
        wizard = self.wizard()
        if wizard is not None and wizard.currentId() == wizard.startId():
            wizard.next()  # on the Data page (Teach > Compare backbones…): through this page
        self.state.configure(backbone=row.backbone, input_size=row.input_size)
        self.state.set_result(row.result)
        self.state.bundle_path = bundle_path
        self.compared = (row, bundle_path)
        self.select(row.backbone)
        self.size.setValue(self.state.config.size)
        if wizard is not None and wizard.currentPage() is self:
            wizard.next()

    def continues_compared(self) -> bool:
        """Whether the compared model "Use this one" chose is still selected and shown."""
        if self.compared is None or self.state.result is not self.compared[0].result:
            return False
        spec, row = self.selected(), self.compared[0]
        return spec is not None and spec.name == row.backbone and self.size.value() == (
            row.input_size or spec.input_size)

    def nextId(self) -> int:
        if self.continues_compared():
            from .wizard import EVALUATE

            return EVALUATE
        return super().nextId()

    def shutdown(self) -> None:
        if self.compare_window is not None:
            self.compare_window.shutdown()

    def select(self, name: str) -> None:
        if not self.table.select(name):
            self.table.select(backbones.DEFAULT_BACKBONE)

    def selected(self):
        return self.table.selected()

    def _selection_changed(self) -> None:
        spec = self.selected()
        if spec is None:
            return
        self.size.setValue(defaults_for(spec.name).size)  # from scratch: its own default
        status = weights.status(spec)
        self.pretrained.setVisible(status != "none")  # from scratch: there is nothing to start from
        if status == "none":
            self.message.say(f"{spec.name} is trained from scratch: no pretrained weights exist "
                             "for it, so every layer learns from your images (it needs many "
                             "more epochs; Settings suggests them).")
        else:
            self.message.say(weights.missing_sentence(spec) if status == "downloadable"
                             else f"{spec.name}: {spec.use_case}")
        self.completeChanged.emit()

    def isComplete(self) -> bool:
        spec = self.selected()
        if spec is None:
            return False
        # Random weights need no file; pretrained ones must be here.
        return weights.status(spec) != "downloadable" or not self.pretrained.isChecked()

    def validatePage(self) -> bool:
        if self.continues_compared():
            return True  # the compared model's settings are already in the state
        self.compared = None
        spec = self.selected()
        self.state.configure(backbone=spec.name, input_size=self.size.value(),
                             pretrained=self.pretrained.isChecked())
        self.settings.setValue("teach/backbone", spec.name)
        return True
