"""Screenshot of File > Open model…'s Input section, for the README.

    xvfb-run -a python tests/gui/open_model_screenshot.py [docs/screenshots]

Saves EfficientNet-Lite0's float-input backbone (the bundled ImageNet weights)
as a plain .keras file with the ImageNet names in labels.txt, as a model made
elsewhere would come, opens it, picks its real preprocessing ("(x - 127) / 128")
and the 87.5% centre crop, and saves open_model_input.png (the dialog's grab()).
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


def float_lite0(folder: Path) -> Path:
    """EfficientNet-Lite0 taking preprocessed float input, with labels.txt beside it."""
    from core.models import build as models
    from core.models.imagenet import imagenet_class_names

    backbone = models.build_classifier("EfficientNetLite0").get_layer("backbone")
    backbone.name = "efficientnet_lite0"
    path = folder / "efficientnet_lite0.keras"
    backbone.save(path)
    (folder / "labels.txt").write_text(
        "".join(f"{i} {name}\n" for i, name in enumerate(imagenet_class_names())))
    return path


def main(out: Path) -> None:
    from gui.app import make_app
    from gui.model_state import ModelState
    from gui.open_model_dialog import InputDialog

    app = make_app([sys.argv[0]])  # noqa: F841  kept alive for the dialog
    os.environ["BACKBONE_STUDIO_HOME"] = tempfile.mkdtemp()
    path = float_lite0(Path(tempfile.mkdtemp()))
    models = ModelState()
    dialog = InputDialog(models, str(path), path)
    dialog.show()
    wait_for(dialog.previewed, lambda: models.load(str(path)), timeout_ms=600000)
    wait_for(dialog.previewed, lambda: dialog.preprocessing.setCurrentIndex(
        dialog.preprocessing.findData("lite")))
    top = wait_for(dialog.previewed, lambda: dialog.crop.setCurrentIndex(
        dialog.crop.findText("87.5% centre")))[0]
    settle(500)
    out.mkdir(parents=True, exist_ok=True)
    dialog.grab().save(str(out / "open_model_input.png"))
    print(out / "open_model_input.png", [(p.label, round(p.score, 3)) for p in top])
    dialog.close()
    models.shutdown()


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "docs" / "screenshots")
