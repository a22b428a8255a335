"""Training settings: one record with its defaults, read by the wizard's
Settings page, the command line and comparisons alike (no TensorFlow, no
NumPy, so the command line can show the defaults in its help at no cost).
"""
from __future__ import annotations

from dataclasses import asdict, dataclass, field, fields

from core.models.backbones import DEFAULT_BACKBONE, get


@dataclass
class Augmentation:
    """Random changes applied to training images (0 turns one off).

    ``rotation`` is a fraction of a full turn; ``zoom``, ``contrast`` and
    ``brightness`` are fractions (0.1 = up to 10%), as Keras' layers take them.
    """

    flip: bool = True
    rotation: float = 0.05
    zoom: float = 0.1
    contrast: float = 0.1
    brightness: float = 0.1


@dataclass
class TrainConfig:
    """Training settings; the defaults suit a few hundred images.

    ``pretrained`` False builds the backbone with random weights (to see
    what transfer learning buys); ``patience`` 0 turns early stopping off;
    ``devices`` None means every GPU when there are several.
    """

    backbone: str = DEFAULT_BACKBONE
    pretrained: bool = True
    input_size: int | None = None
    epochs: int = 10
    batch_size: int = 32
    learning_rate: float = 1e-3
    val_split: float = 0.2
    seed: int = 0
    augment: bool = False
    augmentation: Augmentation = field(default_factory=Augmentation)
    class_weights: bool = False
    patience: int = 5
    fine_tune_layers: int = 0
    fine_tune_epochs: int = 5
    dropout: float = 0.2
    devices: tuple | None = None

    @property
    def size(self) -> int:
        return int(self.input_size or get(self.backbone).input_size)

    @property
    def planned_epochs(self) -> int:
        """Epochs of both stages together (the second only when it will run)."""
        fine_tune = self.fine_tune_layers > 0 and not self.from_scratch
        return self.epochs + (self.fine_tune_epochs if fine_tune else 0)

    @property
    def from_scratch(self) -> bool:
        return get(self.backbone).weights_kind == "none"

    @property
    def weights_choice(self):
        return "imagenet" if self.pretrained and not self.from_scratch else None

    def to_dict(self) -> dict:
        out = asdict(self)
        out["devices"] = list(self.devices) if self.devices else None
        return out


def default_of(name: str):
    """TrainConfig's default for field ``name``."""
    return next(f.default for f in fields(TrainConfig) if f.name == name)


# A comparison trains each pretrained backbone's head on cached embeddings (about
# 0.04 s an epoch), so it gives heads more epochs than one training's default,
# which left small projects undertrained (early stopping still applies). The
# wizard's Compare and the ``compare`` command both start from it.
COMPARE_HEAD_EPOCHS = 30

# Training every layer of a small network needs more epochs and more patience.
SCRATCH_DEFAULTS = {"epochs": 60, "patience": 15, "learning_rate": 1e-3, "augment": False}
# From scratch, AlexNet trains at 128 px: its 227 px would cost minutes an epoch
# on a laptop CPU for no gain on a few hundred images.
SCRATCH_INPUT_SIZES = {"AlexNet": 128}


def defaults_for(backbone: str) -> TrainConfig:
    """The default settings for ``backbone``: a head's, or from scratch's
    (:data:`SCRATCH_DEFAULTS`, at the size :data:`SCRATCH_INPUT_SIZES` gives)."""
    config = TrainConfig(backbone=backbone)
    if config.from_scratch:
        for key, value in SCRATCH_DEFAULTS.items():
            setattr(config, key, value)
        config.input_size = SCRATCH_INPUT_SIZES.get(get(backbone).name)
    return config
