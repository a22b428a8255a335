"""core.compare.comparison on real images: pretrained heads against LeNet-5 from scratch."""
from __future__ import annotations

import csv
import io

import numpy as np
import pytest

from core.compare import comparison as compare
from core.compare.plot import pareto_front, write_png
from core.teach.dataset import Project
from tests import compare_data, fashion

pytestmark = [pytest.mark.slow,
              pytest.mark.skipif(not fashion.available(), reason="Fashion-MNIST not installed")]
BACKBONES = ["EfficientNetLite0", "EfficientNetLite1", "LeNet5", "MobileNetV2"]


@pytest.fixture(scope="module")
def project(tmp_path_factory):
    root = tmp_path_factory.mktemp("compare_project")
    compare_data.write(root / "data")
    project = Project.create(root / "project")
    project.import_tree(root / "data", copy=False)
    return project


@pytest.fixture(scope="module")
def outcome(project):
    rows, messages = [], []
    config = compare.CompareConfig(epochs=30, val_split=compare_data.VAL_SPLIT, int8=False)
    result = compare.compare(project, BACKBONES, config,
                             progress=lambda f, m: messages.append((f, m)),
                             on_row=rows.append)
    return result, rows, messages


def test_every_backbone_gets_a_row_and_pretrained_beat_lenet(outcome):
    result, rows, _ = outcome
    assert [r.backbone for r in result.rows] == BACKBONES == [r.backbone for r in rows]
    by_name = {r.backbone: r for r in result.rows}
    for name in ("EfficientNetLite0", "EfficientNetLite1", "LeNet5"):
        row = by_name[name]
        assert row.error is None
        assert 0.0 <= row.val_accuracy <= 1.0 and 0.0 <= row.macro_f1 <= 1.0
        assert row.params > 0 and row.size_mb > 0 and row.latency_ms > 0
        assert row.images_per_second == pytest.approx(1000 / row.latency_ms, rel=0.01)
        assert row.worst_class in compare_data.CLASSES
        assert sum(map(sum, row.evaluation["confusion"])) == result.val_samples == 18
    lenet = by_name["LeNet5"]
    assert not lenet.pretrained and lenet.input_size == 32 and lenet.embedding_seconds is None
    assert by_name["EfficientNetLite1"].input_size == 240
    pretrained = [by_name["EfficientNetLite0"], by_name["EfficientNetLite1"]]
    assert max(r.val_accuracy for r in pretrained) > lenet.val_accuracy
    assert all(r.embedding_seconds is not None and r.pretrained for r in pretrained)
    # The float LiteRT file of Lite1 is bigger than Lite0's; LeNet-5's is tiny.
    sizes = [by_name[n].size_mb for n in ("LeNet5", "EfficientNetLite0", "EfficientNetLite1")]
    assert sizes[0] < 1 < sizes[1] < sizes[2]


def test_a_backbone_without_weights_says_why_and_never_runs(outcome):
    row = outcome[0].row("MobileNetV2")
    assert row.val_accuracy is None and row.result is None
    assert "MobileNetV2" in row.error and "not on this computer" in row.error


def test_progress_counts_backbones(outcome):
    messages = outcome[2]
    assert any(m.startswith("Backbone 2 of 4") and ": EfficientNetLite1." in m
               for _, m in messages)
    assert any("left: " in m for _, m in messages)  # the time left, once it can be told
    fractions = [f for f, _ in messages]
    assert fractions[-1] == 1.0 and max(fractions) <= 1.0


def test_saved_in_the_project_and_reloaded(outcome, project):
    result = outcome[0]
    loaded = compare.load(project.root)
    assert [r.to_dict() for r in loaded.rows] == [r.to_dict() for r in result.rows]
    assert sorted(loaded.class_names) == sorted(compare_data.CLASSES)


def test_a_reopened_comparison_rebuilds_its_kept_models_without_training(outcome, project,
                                                                         tmp_path):
    """"Use this one" after reopening: the kept head on its backbone, saved as a bundle."""
    from core.compare import kept_models as compare_models
    from core.images.decode import load_for_model
    from core.runtime.bundle import save
    from core.runtime.loading import load_predictor

    original = outcome[0]
    reopened = compare.load(project.root)
    lite0, lenet = reopened.row("EfficientNetLite0"), reopened.row("LeNet5")
    assert lite0.result is None and reopened.row("MobileNetV2").model_file is None
    folder = compare_models.folder_in(project.root)
    assert (folder / lite0.model_file).stat().st_size < 100_000  # the head, not the backbone

    # From scratch, the whole model is kept: the same weights, the same answers.
    held_out = fashion.write_tree(tmp_path / "held_out", 2, seed=7,
                                  classes=compare_data.CLASSES, split="t10k")
    images = {path: name for name, paths in held_out.items() for path in paths}
    batch = np.stack([load_for_model(p, 32) for p in images])
    kept_lenet = compare_models.restore(project.root, lenet, project.labelled())
    np.testing.assert_allclose(kept_lenet.model.predict(batch, verbose=0),
                               original.row("LeNet5").result.model.predict(batch, verbose=0),
                               rtol=1e-5, atol=1e-6)

    kept = compare_models.restore(project.root, lite0, project.labelled())
    assert kept.validation.count == original.val_samples  # scored again on the same split
    assert kept.validation.accuracy == pytest.approx(lite0.val_accuracy,
                                                     abs=1.5 / original.val_samples)
    assert kept.bundle_meta()["metrics"] == original.row("EfficientNetLite0").result\
        .bundle_meta()["metrics"]
    predictor = load_predictor(str(save(tmp_path / "lite0", kept.model, kept.bundle_meta())))
    trained = original.row("EfficientNetLite0").result.model
    right = 0
    for path, name in images.items():
        image = load_for_model(path, predictor.input_size)
        scores = predictor.predict_one(image)
        first = trained.predict(image[None], verbose=0)[0]
        np.testing.assert_allclose(scores, first, atol=0.01)
        right += predictor.class_names[int(scores.argmax())] == name
    assert right >= len(images) - 1, right

    # Saving the comparison again drops kept files no row names; a gone file is a sentence.
    (folder / "Old-0123456789ab.keras").write_bytes(b"old")
    compare.save(project.root, reopened)
    assert sorted(p.name for p in folder.glob("*.keras")) == sorted(
        r.model_file for r in reopened.rows if r.model_file)
    lite0.model_file = "EfficientNetLite0-gone.keras"
    with pytest.raises(compare_models.ModelGone, match="compare again"):
        compare_models.restore(project.root, lite0, project.labelled())


def test_rerun_reuses_embeddings_and_keeps_the_split(outcome, project):
    first = outcome[0]
    again = compare.compare(project, ["EfficientNetLite0"], compare.CompareConfig(
        epochs=30, val_split=compare_data.VAL_SPLIT, measure=False))
    row = again.rows[0]
    assert row.embedding_seconds < first.row("EfficientNetLite0").embedding_seconds
    assert row.val_accuracy == first.row("EfficientNetLite0").val_accuracy


def test_cancel_keeps_the_finished_rows(project, tmp_path):
    done = []

    def stop_after_first():
        return bool(done)

    with pytest.raises(compare.Cancelled):
        compare.compare(project, ["LeNet5", "EfficientNetLite0"],
                        compare.CompareConfig(epochs=2, measure=False, scratch_epochs=2),
                        should_stop=stop_after_first, on_row=done.append)
    saved = compare.load(project.root)
    assert saved.cancelled and [r.backbone for r in saved.rows] == ["LeNet5"]


def test_csv_and_png_are_written(outcome, tmp_path):
    rows = outcome[0].rows
    compare.write_csv(tmp_path / "c.csv", rows)
    table = list(csv.DictReader(io.StringIO((tmp_path / "c.csv").read_text())))
    assert [t["backbone"] for t in table] == BACKBONES
    assert table[3]["error"] and table[3]["val_accuracy"] == ""
    from cli.compare import table

    text = table(rows).splitlines()
    assert text[0].split()[:2] == ["backbone", "accuracy"] and len(text) == 1 + 4 + 1
    assert text[4].startswith("MobileNetV2") and text[5].startswith("MobileNetV2: ")
    png = write_png(tmp_path / "p.png", rows)
    import cv2

    image = cv2.imread(str(png))
    assert image.shape[:2] == (700, 1100) and image.std() > 10
    front = pareto_front(rows)
    assert front and front[0].backbone == "LeNet5"  # the fastest is always on the front
    assert all(a.val_accuracy < b.val_accuracy for a, b in zip(front, front[1:]))


def test_unknown_backbone_is_a_sentence(project):
    with pytest.raises(compare.CompareError, match="unknown backbone 'ResNet9000'"):
        compare.compare(project, ["ResNet9000"])


def test_use_this_one_never_replaces_what_is_already_there(tmp_path):
    from core.compare.kept_models import save_bundle
    from core.runtime.errors import BundleError

    taken = tmp_path / "models" / "project-efficientnetlite0"
    taken.mkdir(parents=True)
    (taken / "model.json").write_text("{}")
    with pytest.raises(BundleError, match="nothing was replaced"):
        save_bundle(taken, None, tmp_path, [])
    assert (taken / "model.json").read_text() == "{}"
