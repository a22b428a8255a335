"""The unit tier: pure logic, no TensorFlow or Keras.

``python -m pytest tests/unit`` runs in seconds. A test here that imports
TensorFlow or Keras (directly, or through a core module that should import it
lazily) fails, so the tier stays fast and core's lazy imports stay lazy.
"""
from __future__ import annotations

import sys
from pathlib import Path

import pytest

HEAVY = ("tensorflow", "keras")
UNIT = Path(__file__).resolve().parent


def heavy_modules() -> list[str]:
    return [name for name in HEAVY if name in sys.modules]


def only_this_tier(session) -> bool:
    return all(UNIT in Path(item.path).resolve().parents for item in session.items)


@pytest.fixture(scope="session", autouse=True)
def nothing_heavy_at_collection(request):
    """Run alone, the tier starts without them: no test module imported them."""
    loaded = heavy_modules()
    if loaded and only_this_tier(request.session):
        pytest.fail(f"collecting the unit tier imported {', '.join(loaded)}", pytrace=False)


@pytest.fixture(autouse=True)
def no_tensorflow():
    """Fail the test that brought TensorFlow or Keras in (in a full run, an earlier
    tier may have loaded them already: then there is nothing to tell)."""
    before = heavy_modules()
    yield
    brought = [name for name in heavy_modules() if name not in before]
    if brought:
        pytest.fail(f"this unit test imported {', '.join(brought)}: move it to tests/core "
                    "or keep the import lazy", pytrace=False)
