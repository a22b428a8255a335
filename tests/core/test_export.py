"""Exports of a real bundle: every format checked against Keras before it exists.

The bundle is a head trained for a few epochs on the bundled Fashion-MNIST
samples (core.training, embedding cache) on the bundled EfficientNet-Lite0.
Exporting all five formats takes about a minute on two cores; it is done
once for the module.
"""
from __future__ import annotations

import json

import numpy as np
import pytest

from core import export, paths
from core.jobs import Cancelled


@pytest.fixture(scope="module")
def fashion_bundle(tmp_path_factory):
    """A real bundle: 3 classes x 8 Fashion-MNIST images, 30 epochs (seconds: cached embeddings)."""
    from core import bundle
    from core.dataset import load_folder
    from core.training import TrainConfig, train

    samples, classes = load_folder(paths.resources_dir() / "samples" / "fashion")
    result = train(samples, classes, TrainConfig(epochs=30, batch_size=8, val_split=0.25,
                                                 patience=0))
    folder = tmp_path_factory.mktemp("bundles") / "fashion"
    return bundle.save(folder, result.model, result.bundle_meta())


@pytest.fixture(scope="module")
def exported(fashion_bundle, tmp_path_factory):
    """(output folder, results by format, progress reports) of one full export."""
    out = tmp_path_factory.mktemp("exports")
    reports = []
    results = export.export_bundle(fashion_bundle, out, export.FORMATS,
                                   progress=lambda f, m: reports.append((f, m)))
    return out, {r.format: r for r in results}, reports


def test_every_format_is_written_and_matches_keras(exported):
    out, results, _ = exported
    assert list(results) == list(export.FORMATS)
    for fmt, result in results.items():
        assert result.ok, result.error
        assert result.path == out / export.FILE_NAMES[fmt] and result.path.exists()
        assert result.parity.images == 26  # every bundled sample image
    for fmt in ("keras", "savedmodel", "tflite", "onnx"):
        parity = results[fmt].parity
        assert parity.top1_agreement == 1.0 and parity.max_abs_diff <= 1e-4, fmt
    int8 = results["tflite-int8"].parity
    assert int8.max_abs_diff <= export.INT8_TOLERANCE
    assert int8.top1_agreement >= export.INT8_MIN_AGREEMENT
    assert not list(out.glob(".partial-*"))


def test_every_export_carries_the_bundles_metadata(exported, fashion_bundle):
    out, results, _ = exported
    meta = json.loads((fashion_bundle / "model.json").read_text())
    assert json.loads((out / "model.json").read_text()) == meta
    for fmt in ("savedmodel", "tflite", "tflite-int8", "onnx"):
        assert export.embedded_metadata(results[fmt].path) == meta, fmt


def test_the_int8_file_is_full_integer_and_smaller(exported):
    from ai_edge_litert.interpreter import Interpreter

    out, results, _ = exported
    interpreter = Interpreter(model_path=str(results["tflite-int8"].path))
    assert interpreter.get_input_details()[0]["dtype"] == np.uint8
    kinds = {d["dtype"] for d in interpreter.get_tensor_details()}
    assert np.int8 in kinds
    assert results["tflite-int8"].path.stat().st_size < results["tflite"].path.stat().st_size / 2


def test_the_export_folder_is_itself_a_bundle_that_classifies_alike(exported, fashion_bundle):
    from core.classify import load_predictor
    from core.images import load_for_model

    out, _, _ = exported
    image = load_for_model(export.sample_images()[0], 224)
    original = load_predictor(str(fashion_bundle)).predict_one(image)
    copy = load_predictor(str(out)).predict_one(image)
    np.testing.assert_allclose(copy, original, atol=1e-5)


def test_progress_moves_forward_to_one(exported):
    _, _, reports = exported
    fractions = [f for f, _ in reports]
    assert fractions == sorted(fractions) and fractions[-1] == 1.0
    assert any("onnx" in message for _, message in reports)


def test_a_failed_parity_check_is_an_error_and_writes_nothing(fashion_bundle, tmp_path,
                                                              monkeypatch):
    honest = export._RUNNERS["keras"]
    monkeypatch.setitem(export._RUNNERS, "keras", lambda path, batch: honest(path, batch) + 0.01)
    (result,) = export.export_bundle(fashion_bundle, tmp_path, ["keras"])
    assert not result.ok and result.path is None
    assert "does not behave like the Keras model" in result.error
    assert "max score difference 0.01" in result.error
    assert not (tmp_path / "model.keras").exists() and not list(tmp_path.glob(".partial-*"))


def test_one_failing_format_leaves_the_others(fashion_bundle, tmp_path, monkeypatch):
    def broken(*args):
        raise RuntimeError("converter exploded")

    monkeypatch.setitem(export._WRITERS, "savedmodel", broken)
    results = export.export_bundle(fashion_bundle, tmp_path, ["savedmodel", "keras"])
    assert [r.ok for r in results] == [False, True]
    assert results[0].error == "The savedmodel export failed (RuntimeError: converter exploded)."
    assert not (tmp_path / "savedmodel").exists() and (tmp_path / "model.keras").exists()


def test_cancelling_stops_and_leaves_no_partial_file(fashion_bundle, tmp_path):
    asked = []

    def should_stop():
        asked.append(1)
        return len(asked) > 1  # once the first file is written, before its check

    with pytest.raises(Cancelled):
        export.export_bundle(fashion_bundle, tmp_path, ["keras", "tflite"], should_stop=should_stop)
    assert not list(tmp_path.glob(".partial-*")) and not (tmp_path / "model.tflite").exists()


def test_check_images_must_be_readable(fashion_bundle, tmp_path):
    bad = tmp_path / "bad.png"
    bad.write_bytes(b"not an image")
    with pytest.raises(export.ExportError, match="None of the check images"):
        export.export_bundle(fashion_bundle, tmp_path / "out", ["keras"], image_paths=[bad])


def test_format_lists_are_checked():
    assert export.parse_formats("TFLite, onnx,tflite") == ["tflite", "onnx"]
    with pytest.raises(ValueError, match="Unknown export format pb"):
        export.parse_formats("tflite,pb")
    with pytest.raises(ValueError):
        export.parse_formats(" , ")


def test_compare_counts_close_calls_as_agreement():
    reference = np.array([[0.50, 0.30, 0.20], [0.40, 0.38, 0.22], [0.6, 0.3, 0.1]])
    scores = np.array([[0.50, 0.30, 0.20], [0.37, 0.41, 0.22], [0.4, 0.5, 0.1]])
    parity = export.compare(reference, scores, tolerance=0.25, min_agreement=0.9,
                            close_call=0.05)
    assert parity.top1_agreement == pytest.approx(2 / 3)  # 0.6 vs 0.3 is no close call
    assert parity.max_abs_diff == pytest.approx(0.2) and not parity.passed
    assert export.compare(reference, reference).passed
