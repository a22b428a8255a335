"""A screenshot of Learn > Lessons after a real quick run, for the README.

    xvfb-run -a python tests/gui/lessons_screenshot.py [LESSON] [docs/screenshots] [RUNS]

Runs LESSON (default residual) at its quick settings in the page alone, RUNS
times with seeds 0, 1, ... (default 1; the table then shows the spread), and
saves lessons.png (lessons_LESSON.png for another lesson).
"""
from __future__ import annotations

import os
import sys
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from screenshots import settle, wait_for  # noqa: E402


def main(key: str, out: Path, runs: int = 1) -> None:
    from core.learn.lessons.catalog import lesson_keys
    from gui.app import make_app
    from gui.learn.lessons_page import LessonsPage

    app = make_app([sys.argv[0]])  # kept: the page needs it alive
    out.mkdir(parents=True, exist_ok=True)
    page = LessonsPage()
    page.resize(1280, 820)
    page.show()
    page.lessons.setCurrentRow(lesson_keys().index(key))
    page.runs.setValue(runs)
    worker = page.run()
    wait_for(worker.ended, timeout_ms=900000)
    settle()
    name = "lessons.png" if key == "residual" else f"lessons_{key}.png"
    page.grab().save(str(out / name))
    page.shutdown()
    del app


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "residual",
         Path(sys.argv[2]) if len(sys.argv) > 2 else ROOT / "docs" / "screenshots",
         int(sys.argv[3]) if len(sys.argv) > 3 else 1)
