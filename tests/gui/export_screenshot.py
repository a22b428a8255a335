"""Screenshot of the export dialog after a real export, for the README.

    xvfb-run -a python tests/gui/export_screenshot.py [docs/screenshots]

Trains LeNet-5 on the bundled Fashion-MNIST samples (seconds), opens the
export dialog the Save page opens, exports every format checked on the
validation images, and saves export.png (the dialog's own grab()).
"""
from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from tests.gui.screenshots import settle, wait_for  # noqa: E402


def main(out: Path) -> None:
    from core.base import paths
    from core.export import exporter as export
    from core.teach.dataset import load_folder
    from core.teach.training import TrainConfig, train
    from gui.app import make_app
    from gui.export_dialog import ExportDialog

    app = make_app([sys.argv[0]])  # noqa: F841  kept alive for the dialog
    os.environ["BACKBONE_STUDIO_HOME"] = tempfile.mkdtemp()
    samples, classes = load_folder(paths.resources_dir() / "samples" / "fashion")
    result = train(samples, classes, TrainConfig(backbone="LeNet5", epochs=30, batch_size=8,
                                                 val_split=0.25, patience=0))
    target = Path(tempfile.mkdtemp()) / "fashion-export"
    dialog = ExportDialog((result.model, result.bundle_meta()), target,
                          [item.path for item in result.val_items], what="the model you trained")
    for box in dialog.boxes.values():
        box.setChecked(True)
    dialog.show()
    wait_for(dialog.exported, dialog.start, timeout_ms=600000)
    settle(500)
    out.mkdir(parents=True, exist_ok=True)
    dialog.grab().save(str(out / "export.png"))
    print(out / "export.png", [r.ok for r in dialog.results], export.FORMATS)
    dialog.close()


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "docs" / "screenshots")
