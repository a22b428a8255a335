"""Rules that live once: a comparison's settings come from training's, one duration
formatter, one "first line of an error" (no TensorFlow needed)."""
from __future__ import annotations

from dataclasses import fields

import pytest

from core.base.faults import first_line
from core.base.jobs import duration
from core.compare.comparison import CompareConfig, train_config_for
from core.models import backbones
from core.teach.train_config import COMPARE_HEAD_EPOCHS, TrainConfig, default_of, defaults_for

SHARED = ("val_split", "seed", "batch_size", "learning_rate")


def test_a_comparisons_defaults_are_trainings():
    config = CompareConfig()
    for name in SHARED:
        assert getattr(config, name) == default_of(name)
    assert config.epochs == COMPARE_HEAD_EPOCHS


@pytest.mark.parametrize("name", [b.name for b in backbones.all_backbones()])
def test_each_backbone_trains_in_a_comparison_as_it_trains_alone(name):
    """Everything but the comparison's shared settings (and a head's epochs) is the
    backbone's own default: a from-scratch backbone's size, epochs and patience too."""
    alone, compared = defaults_for(name), train_config_for(name, CompareConfig())
    differs = {f.name for f in fields(TrainConfig)
               if getattr(alone, f.name) != getattr(compared, f.name)}
    assert differs <= {"epochs"}
    assert compared.size == alone.size
    assert compared.epochs == (alone.epochs if alone.from_scratch else COMPARE_HEAD_EPOCHS)


def test_from_scratch_epochs_can_be_set_for_a_comparison():
    config = CompareConfig(epochs=3, scratch_epochs=7, val_split=0.3, seed=4)
    lenet, head = train_config_for("LeNet5", config), train_config_for("EfficientNetLite0", config)
    assert (lenet.epochs, head.epochs) == (7, 3)
    assert (lenet.val_split, lenet.seed, head.val_split, head.seed) == (0.3, 4, 0.3, 4)
    assert lenet.patience == defaults_for("LeNet5").patience


def test_alexnet_from_scratch_trains_at_128_px_everywhere():
    assert defaults_for("AlexNet").size == 128
    assert train_config_for("AlexNet", CompareConfig()).size == 128
    assert defaults_for("LeNet5").size == backbones.get("LeNet5").input_size


@pytest.mark.parametrize("seconds, words", [
    (-1, "0.0 s"), (4.24, "4.2 s"), (42.4, "42 s"), (59.6, "1 min 00 s"), (185, "3 min 05 s")])
def test_one_duration_formatter(seconds, words):
    assert duration(seconds) == words


def test_the_first_line_of_an_error():
    assert first_line(ValueError("  bad file\n  Traceback ...\n")) == "bad file"
    assert first_line(ValueError("x" * 500)) == "x" * 300
    assert first_line(ValueError("x" * 500), 200) == "x" * 200
    assert first_line(ValueError("")) == ""
