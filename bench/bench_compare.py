"""A comparison of three pretrained backbones: first run against a rerun.

    python bench/bench_compare.py [--per-class 100] [--epochs 10] [--backbones A,B,C]

On 10 Fashion-MNIST classes x ``per-class`` images (1000 by default, 80/20
stratified split), core.compare.comparison.compare of EfficientNet-Lite0, Lite1 and
Lite2 (their ImageNet weights are bundled, so this runs offline):

1. first run, nothing cached: every LiteRT conversion (feature extractors,
   the full models, the int8 models) and every embedding is computed;
2. second run on the same images: embeddings and sizes come from the cache,
   only the heads are trained again and the latency measured again.

Prints both wall times, their ratio (the baseline is the first run, in this
same process; TensorFlow is imported before the clock starts) and the rows.
Uses a fresh temporary data home, so the user's cache is neither used nor
touched. Targets on a 2-core laptop: first run < 2 min, second < 15 s.
"""
from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")


def timed_run(data_dir, names, epochs) -> tuple[float, object]:
    from core.compare.comparison import CompareConfig, compare

    started = time.perf_counter()
    result = compare(data_dir, names, CompareConfig(epochs=epochs))
    return time.perf_counter() - started, result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--per-class", type=int, default=100)
    parser.add_argument("--epochs", type=int, default=10)
    parser.add_argument("--backbones", default="EfficientNetLite0,EfficientNetLite1,"
                                                "EfficientNetLite2")
    args = parser.parse_args()
    home = tempfile.mkdtemp(prefix="bench_compare_")
    os.environ["BACKBONE_STUDIO_HOME"] = home
    os.environ["KERAS_HOME"] = os.path.join(home, "keras")
    from tests import fashion

    data_dir = Path(home) / "data"
    fashion.write_tree(data_dir, args.per_class, seed=0)
    import tensorflow  # noqa: F401  (imported before the clock starts)

    names = [n.strip() for n in args.backbones.split(",")]
    images = args.per_class * len(fashion.CLASSES)
    print(f"{images} images, {len(names)} backbones: {', '.join(names)}; "
          f"{os.cpu_count()} CPUs")
    first, result = timed_run(data_dir, names, args.epochs)
    second, again = timed_run(data_dir, names, args.epochs)
    print(f"first run (nothing cached): {first:6.1f} s   target < 120 s")
    print(f"second run (cached):        {second:6.1f} s   target < 15 s")
    print(f"second / first:             {second / first:6.3f}  ({first / second:.1f}x faster)")
    print(f"{'backbone':18} {'accuracy':>8} {'MB':>6} {'int8 MB':>7} {'ms':>6} "
          f"{'embed s 1st/2nd':>16} {'train s':>7}")
    for row, row2 in zip(result.rows, again.rows):
        if row.error:
            print(f"{row.backbone:18} {row.error}")
            continue
        print(f"{row.backbone:18} {row.val_accuracy:8.3f} {row.size_mb:6.1f} "
              f"{row.size_int8_mb or float('nan'):7.1f} {row2.latency_ms:6.2f} "
              f"{row.embedding_seconds:7.1f} / {row2.embedding_seconds:5.2f} "
              f"{row2.train_seconds:7.1f}")


if __name__ == "__main__":
    main()
