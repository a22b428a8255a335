"""Classifying a folder: real photos, a corrupt file, exports, copies, cancel."""
from __future__ import annotations

import shutil
import threading
import time

import cv2
import numpy as np
import pytest

from core.base.jobs import Cancelled
from core.classify import folder
from core.images.decode import find_images

CATS = {"tabby", "tiger cat", "Egyptian cat"}


@pytest.fixture(scope="module")
def photo_folder(photos, tmp_path_factory):
    """The four real photos, a corrupt .jpg and an empty .png."""
    root = tmp_path_factory.mktemp("folder")
    for path in photos.values():
        shutil.copy(path, root / path.name)
    (root / "broken.jpg").write_bytes(b"\xff\xd8\xff\xe0 this is not really a JPEG")
    (root / "empty.png").write_bytes(b"")
    return root


def test_every_good_file_gets_a_label_and_bad_ones_an_error(photo_folder, default_predictor):
    files = find_images([photo_folder])
    results = folder.classify_files(default_predictor, files, k=3, batch_size=4)
    by_name = {r.path.name: r for r in results}
    assert [r.path for r in results] == files  # input order
    assert by_name["coffee.jpg"].label == "espresso"
    assert by_name["chelsea.jpg"].label in CATS
    assert all(len(by_name[n].predictions) == 3 for n in ("astronaut.jpg", "rocket.jpg"))
    assert "corrupt or unknown format" in by_name["broken.jpg"].error
    assert "empty" in by_name["empty.png"].error
    assert not by_name["broken.jpg"].predictions
    assert {r.model for r in results} == {default_predictor.description}


def test_a_row_answered_unknown_keeps_its_top_k_in_csv_and_json(photo_folder,
                                                                 default_predictor):
    import csv
    import io
    import json

    coffee = [photo_folder / "coffee.jpg"]
    plain = folder.classify_files(default_predictor, coffee, k=3)[0]
    unsure = folder.classify_files(default_predictor, coffee, k=3, threshold=0.999)[0]
    assert unsure.label == "unknown" and unsure.top_k == plain.predictions
    assert unsure.with_threshold(0.0).predictions == plain.predictions
    row = next(csv.DictReader(io.StringIO(folder.to_csv([unsure]))))
    assert row["label"] == "unknown" and row["top_k"].startswith("espresso:")
    assert row["model"] == default_predictor.description
    entry = json.loads(folder.to_json([unsure]))[0]
    assert [p["label"] for p in entry["predictions"]] == ["unknown"]
    assert [p["label"] for p in entry["top_k"]] == [p.label for p in plain.predictions]


@pytest.fixture(scope="module")
def big_folder(tmp_path_factory):
    """200 two-megapixel JPEGs: slow enough to decode that a late cancel shows."""
    root = tmp_path_factory.mktemp("big")
    noise = np.random.default_rng(0).integers(0, 255, (1200, 1600, 3), dtype=np.uint8)
    for n in range(200):
        cv2.imwrite(str(root / f"{n:03d}.jpg"), np.roll(noise, n, axis=1))
    return sorted(root.iterdir())


class _Instant:
    """A model that answers at once, so the time measured is the decoding's."""

    input_size, class_names, crop_fraction = 224, ["a", "b"], 224 / 256
    description = "instant (test)"

    def predict(self, images):
        return np.tile([0.3, 0.7], (len(images), 1))


def test_cancel_returns_within_a_second(big_folder):
    stop = threading.Event()
    stopped_at = []

    def on_results(batch):
        if not stop.is_set():
            stop.set()
            stopped_at.append(time.monotonic())

    with pytest.raises(Cancelled):
        folder.classify_files(_Instant(), big_folder, on_results=on_results,
                              should_stop=stop.is_set)
    assert time.monotonic() - stopped_at[0] < 1.0
