"""Export: seconds per format and parity, against writing the .keras file in the same run.

    python bench/bench_export.py [--backbone EfficientNetLite0] [--size 96]

Trains a head on the bundled Fashion-MNIST samples (cached embeddings), then
exports every format (core.export.exporter.export_model), checked on those same
images (as the Save page checks on the project's images). Prints per format:
seconds, the ratio to the .keras write, top-1 agreement and the largest
score difference; for int8 also the per-class agreement.
"""
from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--backbone", default="EfficientNetLite0")
    parser.add_argument("--size", type=int, default=None)
    args = parser.parse_args()
    from core.base import paths
    from core.export import exporter as export
    from core.teach.dataset import load_folder
    from core.teach.training import TrainConfig, train

    samples, classes = load_folder(paths.resources_dir() / "samples" / "fashion")
    result = train(samples, classes, TrainConfig(backbone=args.backbone, input_size=args.size,
                                                 epochs=30, batch_size=8, val_split=0.25,
                                                 patience=0))
    results = export.export_model(result.model, result.bundle_meta(), tempfile.mkdtemp(),
                                  export.FORMATS, [path for path, _ in samples])
    base = next(r.seconds for r in results if r.format == "keras")
    print(f"{args.backbone} at {result.config.size} px, {len(samples)} check images")
    for r in results:
        p = r.parity
        line = f"{r.format:<12} {r.seconds:6.1f} s  x{r.seconds / base:5.1f} of .keras  "
        if p is None:
            print(line + f"FAILED: {r.error}")
            continue
        per_class = ", ".join(f"{classes[c]} {a:.0%}" for c, a in p.per_class)
        print(line + f"agreement {p.top1_agreement:.1%}  max diff {p.max_abs_diff:.2g}  "
              + ("ok" if r.ok else "FAILED") + (f"  ({per_class})" if r.format == "tflite-int8"
                                                 else ""))


if __name__ == "__main__":
    main()
