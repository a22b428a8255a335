"""Block view speed: grouping and drawing each backbone once its model is built.

    python bench/bench_inspect.py [NAME ...]        # default: every registered backbone

For each backbone, after building its full classifier (not timed): the time to
group its layers into blocks (core.learn.architecture.describe), to lay the blocks
out (core.learn.layout.layout), to draw them into a Qt scene (the Architecture
tab's view, offscreen) and to draw the biggest block opened into its layers.
Baseline, measured in the same run on the same model: Keras's own
``model.summary()`` (its text view, printed to nowhere). Target: under 1 s
for every backbone, ConvNeXtXLarge included.
"""
from __future__ import annotations

import gc
import io
import os
import sys
import time
from contextlib import redirect_stdout
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def timed(fn, *args):
    started = time.perf_counter()
    result = fn(*args)
    return result, time.perf_counter() - started


def main(names: list[str]) -> int:
    import keras
    from PySide6.QtWidgets import QApplication

    from core.learn.architecture import describe
    from core.learn.layout import layout
    from core.models import backbones
    from core.models import build as models
    from gui.learn.arch_view import ArchitectureView

    app = QApplication.instance() or QApplication([])  # noqa: F841 (kept alive)
    view = ArchitectureView()
    names = names or [b.name for b in backbones.all_backbones()]
    print(f"{'backbone':<18} {'blocks':>6} {'layers':>6} {'group':>8} {'layout':>8} "
          f"{'draw':>8} {'open':>8} {'total':>8} {'summary':>8} {'ratio':>6}")
    worst = 0.0
    for name in names:
        model = models.build_classifier(name, weights_choice=None)
        with redirect_stdout(io.StringIO()):
            _, summary = timed(model.summary)
        arch, t_group = timed(describe, model, name)
        _, t_layout = timed(layout, arch)
        _, t_draw = timed(view.set_architecture, arch)
        biggest = max(arch.blocks, key=lambda b: len(b.layers))
        _, t_open = timed(view.toggle, biggest.name)
        total = t_group + t_layout + t_draw
        worst = max(worst, total, t_open)
        layers = sum(len(b.layers) for b in arch.blocks)
        print(f"{name:<18} {len(arch.blocks):>6} {layers:>6} {t_group * 1e3:>6.0f}ms "
              f"{t_layout * 1e3:>6.0f}ms {t_draw * 1e3:>6.0f}ms {t_open * 1e3:>6.0f}ms "
              f"{total * 1e3:>6.0f}ms {summary * 1e3:>6.0f}ms {total / summary:>5.2f}x",
              flush=True)
        del model
        keras.backend.clear_session()
        gc.collect()
    print(f"slowest view (group + layout + draw, or opening the biggest block): "
          f"{worst * 1e3:.0f} ms; target under 1000 ms: {'met' if worst < 1 else 'NOT met'}")
    return 0 if worst < 1 else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
