"""int8 for folder classification: made once, measured against float, shown."""
from __future__ import annotations

import numpy as np
import pytest

from core.classify import int8
from core.classify.folder import classify_files
from core.images.decode import load_for_model

pytestmark = pytest.mark.slow  # heavy: the full suite runs it, the fast tier not


@pytest.fixture(scope="module")
def version(default_predictor):
    return int8.int8_version(default_predictor)  # calibrated on the sample photos


def test_int8_agreement_is_measured_on_the_calibration_images(default_predictor, version):
    samples = int8.sample_images()
    assert version.images == len(samples) > 2
    batch = np.stack([load_for_model(p, default_predictor.input_size) for p in samples])
    floats = default_predictor.with_own_runtime().predict(batch)
    int8s = int8.int8_predictor(default_predictor, version).predict(batch)
    assert version.agreement == pytest.approx((floats.argmax(1) == int8s.argmax(1)).mean())
    assert version.max_diff == pytest.approx(np.abs(floats - int8s).max(), abs=1e-6)
    assert f"{version.agreement:.0%} of the {len(samples)} sample photos" in version.describe()


def test_int8_version_is_made_once(default_predictor, version):
    again = int8.int8_version(default_predictor,
                              progress=lambda f, m: pytest.fail(f"converted again: {m}"))
    assert again == version


def test_int8_classifies_real_photos_like_float(default_predictor, version, photos):
    fast = int8.int8_predictor(default_predictor, version)
    assert "int8" in fast.runtime and fast.threshold == default_predictor.threshold
    results = classify_files(fast, [photos["coffee"]])
    assert results[0].label == "espresso"


def test_classify_speed_int8_says_the_agreement_first(version, photos, capsys):
    import json

    from cli import run

    assert run(["classify", str(photos["coffee"]), "--speed", "int8", "--format", "json"]) == 0
    out = capsys.readouterr()
    assert f"{version.agreement:.0%} of the {version.images} sample photos" in out.err
    assert json.loads(out.out)[0]["predictions"][0]["label"] == "espresso"


def test_classify_int8_calibrates_on_the_images_given(version, photos, capsys):
    from cli import run
    from core.base import paths

    samples = paths.resources_dir() / "samples"  # the same images: the version made above
    assert run(["classify", str(photos["coffee"]), "--speed", "int8", "--format", "json",
                "--calibration-images", str(samples)]) == 0
    assert f"of the {version.images} project images it was calibrated on" in capsys.readouterr().err
