"""One declared Predictor: everything it is comes in the constructor, and one
factory (core.runtime.runners.make_runner) chooses what runs it."""
import numpy as np
import pytest

from core.images.decode import load_for_model
from core.runtime.inference import Predictor, make_predictor
from core.runtime.input_rule import InputRule
from core.runtime.runners import KerasCall, LiteRT

SIZE = 32


@pytest.fixture(scope="module")
def small_model():
    """A small uint8-RGB classifier with real (random, seeded) weights: 3 classes."""
    import keras

    keras.utils.set_random_seed(0)
    inputs = keras.Input((SIZE, SIZE, 3), dtype="uint8")
    x = keras.layers.Rescaling(1 / 127.5, offset=-1)(keras.ops.cast(inputs, "float32"))
    x = keras.layers.Conv2D(8, 3, activation="relu")(x)
    x = keras.layers.GlobalAveragePooling2D()(x)
    return keras.Model(inputs, keras.layers.Dense(3, activation="softmax")(x))


@pytest.fixture(scope="module")
def batch(photos):
    return np.stack([load_for_model(p, SIZE) for p in photos.values()])


def test_the_factory_runs_a_cacheable_model_on_litert_and_an_unsaved_one_on_keras(
        small_model, batch):
    fast = make_predictor(small_model, ["a", "b", "c"], "test|small", "small", threshold=0.4)
    direct = make_predictor(small_model, ["a", "b", "c"], None, "small, in training")
    assert isinstance(fast.runner, LiteRT) and fast.runtime.startswith("LiteRT (XNNPACK")
    assert isinstance(direct.runner, KerasCall) and direct.runtime == "TensorFlow"
    assert fast.device == direct.device == "CPU"
    assert (fast.threshold, direct.threshold) == (0.4, 0.0)
    assert fast.input_rule == InputRule(SIZE, "uint8", "inside", fast.crop_fraction)
    assert fast.output_classes == 3 and fast.litert_path is not None
    np.testing.assert_allclose(fast.predict(batch), direct.predict(batch), atol=1e-5)


def test_a_job_gets_an_interpreter_of_its_own_and_keras_is_shared(small_model, batch):
    fast = make_predictor(small_model, ["a", "b", "c"], "test|small")
    twin = fast.with_own_runtime(threads=1)
    assert twin.runner is not fast.runner and twin.runtime.endswith("1 threads)")
    assert (twin.class_names, twin.threshold, twin.model) == (fast.class_names, fast.threshold,
                                                              fast.model)
    np.testing.assert_allclose(twin.predict(batch), fast.predict(batch), atol=1e-6)
    direct = make_predictor(small_model, ["a", "b", "c"], None)
    assert direct.with_own_runtime() is direct


def test_a_litert_file_without_its_keras_model_offers_no_int8_version(small_model):
    fast = make_predictor(small_model, ["a", "b", "c"], "test|small")
    file_only = Predictor(LiteRT(fast.runner.path), ["a", "b", "c"], fast.input_rule, "file")
    assert file_only.litert_path is None and file_only.model is None
    assert file_only.output_classes == 3
