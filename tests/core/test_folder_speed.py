"""The folder job's speed-ups change nothing a user sees: batches, own interpreter, budget."""
from __future__ import annotations

import threading
import time

import numpy as np

from core.classify.folder import GPU_BATCH, classify_folder
from core.images.decode import PixelBudget, load_for_model


def _run(predictor, folder, batch_size):
    got = []
    count = classify_folder(predictor, [folder], 5, batch_size, got.extend)
    assert count == len(got)
    return got


def test_folder_job_in_batches_equals_batch_one(default_predictor, photos, tmp_path):
    """Batch 1 is fastest on this CPU; a GPU (and --batch-size) batch larger."""
    for copy in range(3):  # 12 photos and a bad file: full and partial batches
        for name, path in photos.items():
            (tmp_path / f"{copy}-{name}.jpg").write_bytes(path.read_bytes())
    (tmp_path / "bad.png").write_bytes(b"not a png")
    single = _run(default_predictor, tmp_path, 1)
    assert sum(1 for r in single if r.error) == 1
    for batch in (8, GPU_BATCH):
        batched = _run(default_predictor, tmp_path, batch)
        assert [r.path for r in batched] == [r.path for r in single]
        assert [r.error for r in batched] == [r.error for r in single]
        for a, b in zip(batched, single):
            assert [p.label for p in a.predictions] == [p.label for p in b.predictions]
            np.testing.assert_allclose([p.score for p in a.predictions],
                                       [p.score for p in b.predictions], atol=1e-5)


def test_folder_job_leaves_the_panels_interpreter_at_batch_one(default_predictor, photos):
    image = load_for_model(photos["coffee"], default_predictor.input_size)
    before = default_predictor.predict_one(image)
    shared = default_predictor.runner  # what Live and Image call at batch 1
    twin = default_predictor.with_own_runtime()
    assert twin.runner is not shared and twin.runner.path == shared.path
    twin.predict(np.stack([image] * 8))
    assert tuple(shared.interpreter.get_input_details()[0]["shape"]) == (1, *image.shape)
    np.testing.assert_allclose(twin.predict_one(image), before, atol=1e-6)


def test_pixel_budget_holds_a_second_large_decode_until_the_first_ends():
    budget, order = PixelBudget(megapixels=1), []
    first_in = threading.Event()

    def decode(name, pixels, hold_for):
        with budget.hold(pixels):
            order.append(f"{name} in")
            first_in.set()
            time.sleep(hold_for)
            order.append(f"{name} out")

    first = threading.Thread(target=decode, args=("first", 800_000, 0.2))
    first.start()
    first_in.wait(5)
    second = threading.Thread(target=decode, args=("second", 800_000, 0.0))
    second.start()
    with budget.hold(100_000):  # a small one fits beside the first
        assert order == ["first in"]
    first.join(5)
    second.join(5)
    assert order == ["first in", "first out", "second in", "second out"]
    assert budget.used == 0
