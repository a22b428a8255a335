"""core/ never imports Qt (import-linter checks it too, in scripts/test.sh)."""
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

BLOCK_QT = """
import importlib, pkgutil, sys
class NoQt:
    def find_spec(self, name, path=None, target=None):
        if name.split('.')[0] in ('PySide6', 'shiboken6', 'PyQt5', 'PyQt6'):
            raise ImportError('core must not import Qt: ' + name)
sys.meta_path.insert(0, NoQt())
import core
for mod in pkgutil.walk_packages(core.__path__, 'core.'):
    importlib.import_module(mod.name)
print('ok', len(sys.modules))
"""


def test_every_core_module_imports_with_qt_blocked():
    run = subprocess.run([sys.executable, "-c", BLOCK_QT], cwd=ROOT, capture_output=True,
                         text=True, timeout=300)
    assert run.returncode == 0, run.stderr[-2000:]
    assert run.stdout.startswith("ok")


def test_the_window_opens_without_tensorflow():
    code = ("import os, sys; os.environ['QT_QPA_PLATFORM']='offscreen';"
            "from gui.app import make_app; app = make_app(['x']);"
            "from gui.main_window import MainWindow; w = MainWindow(); w.show();"
            "print('tensorflow' in sys.modules, 'keras' in sys.modules)")
    run = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True,
                         text=True, timeout=120)
    assert run.returncode == 0, run.stderr[-2000:]
    assert run.stdout.split() == ["False", "False"]
