"""Page 3, Settings: how to train, with good defaults and the rest behind "Advanced".

The fields are :class:`core.teach.training.TrainConfig`'s; what the user sets is
remembered in QSettings (``teach/train/<field>``) for the next model.
"""
from __future__ import annotations

from PySide6.QtWidgets import (
    QCheckBox,
    QDoubleSpinBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWizardPage,
)

from core.models.backbones import DEFAULT_BACKBONE
from core.teach.training import KEPT_EPOCH_RULE, Augmentation, TrainConfig, defaults_for

PREFIX = "teach/train/"


def _spin(low, high, value, suffix="", step=1):
    box = QSpinBox()
    box.setRange(low, high)
    box.setSingleStep(step)
    box.setValue(value)
    box.setSuffix(suffix)
    return box


def _double(low, high, value, decimals, step, suffix=""):
    box = QDoubleSpinBox()
    box.setRange(low, high)
    box.setDecimals(decimals)
    box.setSingleStep(step)
    box.setValue(value)
    box.setSuffix(suffix)
    return box


class SettingsPage(QWizardPage):
    """Training settings; :meth:`validatePage` writes them into the shared config."""

    def __init__(self, state, settings, parent=None):
        super().__init__(parent)
        self.state, self.settings = state, settings
        self.scratch: bool | None = None  # the mode shown (set on first initializePage)
        self._build()
        self._show_mode(False)

    def initializePage(self) -> None:
        """Switch to the from-scratch texts and defaults when the backbone has no weights."""
        self._show_mode(self.state.config.from_scratch)

    def _show_mode(self, scratch: bool) -> None:
        if scratch == self.scratch:
            return
        self.scratch = scratch
        if scratch:
            self.setTitle("Settings: trained from scratch")
            self.setSubTitle(f"{self.state.config.backbone} has no pretrained weights: every "
                             "layer learns from your images, starting from random numbers. "
                             "That needs many more epochs than a head on a pretrained backbone.")
        else:
            self.setTitle("Settings: how the head is trained")
            self.setSubTitle("The defaults suit a few hundred images. Without augmentation "
                             "each image goes through the backbone once and training takes "
                             "seconds.")
        for widget in (self.fine_tune, self.fine_tune_layers, self.fine_tune_epochs):
            self.advanced_form.setRowVisible(widget, not scratch)  # nothing frozen to unfreeze
        self.load(self.defaults())
        self.load(self._remembered())

    # --- construction -----------------------------------------------------
    def _build(self) -> None:
        self.epochs = _spin(1, 1000, 10)
        self.batch_size = _spin(1, 1024, 32)
        self.learning_rate = _double(0.00001, 1.0, 0.001, 5, 0.0005)
        self.val_split = _spin(0, 50, 20, " %", 5)
        self.val_split.setToolTip("Images kept aside (per class, the same ones every time) to "
                                  "measure accuracy honestly")
        self.augment = QCheckBox("Augment images (flips, rotations…; slower: every epoch runs "
                                 "the backbone)")
        basic = QFormLayout()
        basic.setFieldGrowthPolicy(QFormLayout.FieldsStayAtSizeHint)
        basic.addRow("Epochs", self.epochs)
        basic.addRow("Batch size", self.batch_size)
        basic.addRow("Learning rate", self.learning_rate)
        basic.addRow("Validation images", self.val_split)
        basic.addRow("", self.augment)
        rule = QLabel(KEPT_EPOCH_RULE)
        rule.setWordWrap(True)
        rule.setMinimumWidth(480)  # one or two lines, not a narrow column
        basic.addRow("", rule)
        self.advanced_button = QPushButton("Advanced ▸")
        self.advanced_button.setCheckable(True)
        self.advanced_button.toggled.connect(self._show_advanced)
        self.defaults_button = QPushButton("Restore defaults")
        self.defaults_button.clicked.connect(lambda: self.load(self.defaults()))
        buttons = QHBoxLayout()
        buttons.addWidget(self.advanced_button)
        buttons.addWidget(self.defaults_button)
        buttons.addStretch(1)
        self.advanced = self._build_advanced()
        self.advanced.setVisible(False)
        layout = QVBoxLayout(self)
        layout.addLayout(basic)
        layout.addLayout(buttons)
        layout.addWidget(self.advanced)
        layout.addStretch(1)

    def _build_advanced(self) -> QGroupBox:
        self.flip = QCheckBox("Mirror left-right")
        self.rotation = _spin(0, 180, 18, "°")
        self.zoom = _spin(0, 90, 10, " %")
        self.contrast = _spin(0, 90, 10, " %")
        self.brightness = _spin(0, 90, 10, " %")
        self.class_weights = QCheckBox("Weigh classes by how rare they are (for imbalanced data)")
        self.patience = _spin(0, 100, 5, " epochs")
        self.patience.setSpecialValueText("never stop early")
        self.fine_tune = QCheckBox("Then unfreeze the backbone's top layers (10x lower learning "
                                   "rate; BatchNorm stays frozen)")
        self.fine_tune_layers = _spin(1, 1000, 20, " layers")
        self.fine_tune_epochs = _spin(1, 1000, 5, " epochs")
        self.fine_tune.toggled.connect(self.fine_tune_layers.setEnabled)
        self.fine_tune.toggled.connect(self.fine_tune_epochs.setEnabled)
        self.dropout = _spin(0, 90, 20, " %")
        self.seed = _spin(0, 2**31 - 1, 0)
        box = QGroupBox()
        form = self.advanced_form = QFormLayout(box)
        form.setFieldGrowthPolicy(QFormLayout.FieldsStayAtSizeHint)
        form.addRow(QLabel("<b>Augmentation</b> (when on)"))
        form.addRow("", self.flip)
        form.addRow("Rotate up to", self.rotation)
        form.addRow("Zoom up to", self.zoom)
        form.addRow("Contrast up to", self.contrast)
        form.addRow("Brightness up to", self.brightness)
        form.addRow("", self.class_weights)
        form.addRow("Stop after no progress for", self.patience)
        form.addRow("Dropout before the head", self.dropout)
        form.addRow("", self.fine_tune)
        form.addRow("Unfreeze the top", self.fine_tune_layers)
        form.addRow("Fine-tune for", self.fine_tune_epochs)
        form.addRow("Random seed", self.seed)
        return box

    def _show_advanced(self, shown: bool) -> None:
        self.advanced.setVisible(shown)
        self.advanced_button.setText("Advanced ▾" if shown else "Advanced ▸")

    # --- config <-> widgets -----------------------------------------------
    def load(self, config: TrainConfig) -> None:
        """Show ``config``'s values."""
        a = config.augmentation
        self.epochs.setValue(config.epochs)
        self.batch_size.setValue(config.batch_size)
        self.learning_rate.setValue(config.learning_rate)
        self.val_split.setValue(round(config.val_split * 100))
        self.augment.setChecked(config.augment)
        self.flip.setChecked(a.flip)
        self.rotation.setValue(round(a.rotation * 360))
        self.zoom.setValue(round(a.zoom * 100))
        self.contrast.setValue(round(a.contrast * 100))
        self.brightness.setValue(round(a.brightness * 100))
        self.class_weights.setChecked(config.class_weights)
        self.patience.setValue(config.patience)
        self.fine_tune.setChecked(config.fine_tune_layers > 0)
        self.fine_tune_layers.setValue(config.fine_tune_layers or 20)
        self.fine_tune_epochs.setValue(config.fine_tune_epochs)
        self.fine_tune_layers.setEnabled(self.fine_tune.isChecked())
        self.fine_tune_epochs.setEnabled(self.fine_tune.isChecked())
        self.dropout.setValue(round(config.dropout * 100))
        self.seed.setValue(config.seed)

    def values(self) -> dict:
        """The settings shown, as TrainConfig fields (augmentation as a dict)."""
        return {
            "epochs": self.epochs.value(), "batch_size": self.batch_size.value(),
            "learning_rate": self.learning_rate.value(),
            "val_split": self.val_split.value() / 100, "augment": self.augment.isChecked(),
            "augmentation": {"flip": self.flip.isChecked(),
                             "rotation": self.rotation.value() / 360,
                             "zoom": self.zoom.value() / 100,
                             "contrast": self.contrast.value() / 100,
                             "brightness": self.brightness.value() / 100},
            "class_weights": self.class_weights.isChecked(),
            "patience": self.patience.value(),
            "fine_tune_layers": self.fine_tune_layers.value() if self.fine_tune.isChecked() else 0,
            "fine_tune_epochs": self.fine_tune_epochs.value(),
            "dropout": self.dropout.value() / 100, "seed": self.seed.value(),
        }

    def defaults(self) -> TrainConfig:
        """The defaults for the mode shown (core.teach.training.defaults_for)."""
        return defaults_for(self.state.config.backbone if self.scratch else DEFAULT_BACKBONE)

    @property
    def prefix(self) -> str:
        """Where the settings are remembered: from scratch apart from a head's."""
        return PREFIX + "scratch/" if self.scratch else PREFIX

    def _remembered(self) -> TrainConfig:
        """The settings last used (call while the defaults are shown)."""
        config, defaults = self.defaults(), self.values()
        for key, default in defaults.items():
            if key == "augmentation":
                fields = {k: self.settings.value(f"{self.prefix}augmentation/{k}", v,
                                                 type=type(v))
                          for k, v in default.items()}
                config.augmentation = Augmentation(**fields)
            else:
                setattr(config, key, self.settings.value(self.prefix + key, default,
                                                         type=type(default)))
        return config

    def validatePage(self) -> bool:
        fields = self.values()
        for key, value in fields.items():
            if key == "augmentation":
                for k, v in value.items():
                    self.settings.setValue(f"{self.prefix}augmentation/{k}", v)
            else:
                self.settings.setValue(self.prefix + key, value)
        fields["augmentation"] = Augmentation(**fields["augmentation"])
        self.state.configure(**fields)  # other settings: the trained model is dropped
        return True
