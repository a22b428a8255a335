"""Backbone Studio: the GUI by default; subcommands for headless use.

    python main.py                  # the window
    python main.py --help           # the command line
"""
from __future__ import annotations

import os
import sys

# Quiet TensorFlow's C++ start-up chatter before anything can import it. 3 also hides
# the "failed call to cuInit: CUDA error" line a computer without a GPU prints. (The
# "I0000 ... oneDNN"/"cuda drivers" lines come from absl before it is set up and no
# environment variable reaches them.)
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")


def main(argv: list[str]) -> int:
    if argv:
        from cli import run
        return run(argv)
    from gui.app import run_gui
    return run_gui()


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
