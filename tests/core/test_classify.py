"""The default model on real photos, through core: right labels, right runtime."""
from __future__ import annotations

import csv
import json

import numpy as np
import pytest

from core.classify.folder import classify_files, copy_into_class_folders, export
from core.images.decode import ImageError, find_images, load_for_model, load_rgb
from core.runtime.inference import top_k

CATS = {"tabby", "tiger cat", "Egyptian cat"}


def test_coffee_is_espresso(default_predictor, photos):
    scores = default_predictor.predict_one(load_for_model(photos["coffee"], 224))
    best = top_k(scores, default_predictor.class_names, 1)[0]
    assert best.label == "espresso" and best.score > 0.8


def test_the_cat_photo_is_a_cat_in_the_top_three(default_predictor, photos):
    scores = default_predictor.predict_one(load_for_model(photos["chelsea"], 224))
    labels = {p.label for p in top_k(scores, default_predictor.class_names, 3)}
    assert labels & CATS


def test_litert_runtime_equals_the_keras_model(default_predictor, photos):
    assert default_predictor.runtime.startswith("LiteRT")
    batch = np.stack([load_for_model(p, 224) for p in photos.values()])
    fast = default_predictor.predict(batch)
    keras_scores = default_predictor.model(batch).numpy()
    np.testing.assert_allclose(fast, keras_scores, atol=1e-5)


def test_threshold_turns_weak_answers_into_unknown(default_predictor, photos):
    """At 0.5, a confident answer (coffee: espresso ~0.96) stays, a hesitant one
    (chelsea: tiger cat ~0.39) becomes "unknown" carrying its own score."""
    names = default_predictor.class_names

    def answer(photo, threshold):
        scores = default_predictor.predict_one(load_for_model(photos[photo], 224))
        return top_k(scores, names, 3, threshold), float(scores.max())

    sure, sure_score = answer("coffee", 0.5)
    assert sure_score > 0.5 and [p.label for p in sure][0] == "espresso" and len(sure) == 3
    unsure, unsure_score = answer("chelsea", 0.5)
    assert unsure_score < 0.5
    assert [(p.label, p.score) for p in unsure] == [("unknown", pytest.approx(unsure_score))]
    assert answer("chelsea", 0.0)[0][0].label in {"tiger cat", "tabby", "Egyptian cat"}


@pytest.fixture()
def folder_with_a_corrupt_file(tmp_path, photos):
    nested = tmp_path / "in" / "nested"
    nested.mkdir(parents=True)
    for name, path in photos.items():
        folder = nested if name == "rocket" else tmp_path / "in"
        folder.joinpath(path.name).write_bytes(path.read_bytes())
    (tmp_path / "in" / "broken.jpg").write_bytes(b"\xff\xd8 this is not a jpeg")
    (tmp_path / "in" / "notes.txt").write_text("not an image, ignored inside folders")
    return tmp_path / "in"


def test_a_folder_with_a_corrupt_file_gives_one_error_row(default_predictor,
                                                         folder_with_a_corrupt_file, tmp_path):
    files = find_images([folder_with_a_corrupt_file])
    assert len(files) == 5  # recursed, the .txt left out
    results = classify_files(default_predictor, files, k=3, batch_size=2)
    by_name = {r.path.name: r for r in results}
    assert by_name["broken.jpg"].error and "corrupt" in by_name["broken.jpg"].error
    assert by_name["coffee.jpg"].label == "espresso"
    assert sum(1 for r in results if r.error) == 1
    export(results, tmp_path / "out.csv")
    rows = list(csv.DictReader(open(tmp_path / "out.csv")))
    assert {r["label"] for r in rows if r["path"].endswith("coffee.jpg")} == {"espresso"}
    export(results, tmp_path / "out.json")
    assert len(json.loads((tmp_path / "out.json").read_text())) == 5


def test_copy_into_class_folders_copies_and_keeps_both_on_a_name_clash(default_predictor,
                                                                       photos, tmp_path):
    twin = tmp_path / "twin"
    twin.mkdir()
    (twin / "coffee.jpg").write_bytes(photos["coffee"].read_bytes())
    results = classify_files(default_predictor, [photos["coffee"], twin / "coffee.jpg"], k=1)
    copied = copy_into_class_folders(results, tmp_path / "sorted")
    assert copied == 2
    assert sorted(p.name for p in (tmp_path / "sorted" / "espresso").iterdir()) == \
        ["coffee (2).jpg", "coffee.jpg"]
    assert photos["coffee"].exists() and (twin / "coffee.jpg").exists()


def test_bad_files_become_sentences(tmp_path):
    with pytest.raises(ImageError, match="does not exist"):
        load_rgb(tmp_path / "missing.png")
    (tmp_path / "empty.png").write_bytes(b"")
    with pytest.raises(ImageError, match="empty"):
        load_rgb(tmp_path / "empty.png")
