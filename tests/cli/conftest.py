"""Two ways to run the command line in tests.

``cli(...)`` runs ``python main.py`` in a fresh process: what a user gets,
including a stdout that holds nothing but the JSON. ``cli_here(...)`` calls
``cli.run(argv)`` in this process, sharing the test session's
TensorFlow import and loaded models: for the checks that are about exit
statuses and sentences, it answers in milliseconds instead of seconds.
"""
from __future__ import annotations

import contextlib
import io
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


@dataclass
class Ran:
    returncode: int
    stdout: str
    stderr: str


def cli(*args, timeout=300, env=None) -> subprocess.CompletedProcess:
    """``python main.py ARGS`` in a new process (TensorFlow's C++ log silenced: stderr
    holds the app's own lines)."""
    env = {**os.environ, "PYTHONPATH": str(ROOT), "TF_CPP_MIN_LOG_LEVEL": "3", **(env or {})}
    return subprocess.run([sys.executable, str(ROOT / "main.py"), *map(str, args)],
                          capture_output=True, text=True, timeout=timeout, env=env, cwd=ROOT)


def cli_here(*args) -> Ran:
    """``cli.run(ARGS)`` in this process, its stdout and stderr captured."""
    from cli import run

    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = run([str(a) for a in args])
    return Ran(code, out.getvalue(), err.getvalue())
