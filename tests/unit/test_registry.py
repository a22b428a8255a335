"""The backbone registry without Keras: lookups, families, the recommendation."""
from __future__ import annotations

import pytest

from core.models import backbones


def test_lookup_is_forgiving_about_case_and_separators():
    assert backbones.get("mobilenet_v2").name == "MobileNetV2"
    assert backbones.get("efficientnet-lite0").name == "EfficientNetLite0"
    with pytest.raises(backbones.UnknownBackbone, match="models"):
        backbones.get("not-a-net")


def test_every_family_has_a_use_case_and_from_scratch_nets_say_so():
    for spec in backbones.all_backbones():
        assert spec.use_case
    assert {b.name for b in backbones.all_backbones() if b.weights_kind == "none"} == \
        {"LeNet5", "AlexNet"}


def test_recommendation_prefers_a_backbone_whose_weights_are_here():
    small, why = backbones.recommend(120)
    assert small == "EfficientNetLite0" and "few images" in why
    # With thousands of images nothing downloadable is here, so the bundled
    # backbone is still the one that can actually train.
    assert backbones.recommend(50_000)[0] == "EfficientNetLite0"
