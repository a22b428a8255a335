"""The command line: ``python main.py SUBCOMMAND ...`` on the same core as the GUI.

Each subcommand lives in its own module exposing ``register(subparsers)``,
which adds its parser and sets ``func(args) -> exit status``. Exit status:
0 all done, 1 some inputs failed, 2 usage or setup error. ``--format json``
prints exactly one JSON document on stdout; progress goes to stderr.
"""
from __future__ import annotations

import argparse
import importlib
import sys

SUBCOMMANDS = ("models", "classify", "train", "evaluate", "export", "compare", "inspect",
               "weights", "lesson")
EXIT_OK, EXIT_SOME_FAILED, EXIT_USAGE = 0, 1, 2


class SetupError(Exception):
    """A problem the user must fix before the command can run (exit 2)."""


def build_parser(argv: list[str] | None = None) -> argparse.ArgumentParser:
    """The parser; only ``argv``'s subcommand is registered when it names one (each
    subcommand imports its part of core: a one-image ``classify`` should not wait
    for ``export``'s), every subcommand otherwise (``--help`` lists them all)."""
    parser = argparse.ArgumentParser(
        prog="main.py", description="Backbone Studio: classify images and fine-tune CNN backbones.")
    parser.add_argument("--self-test", action="store_true",
                        help="headless smoke test of the whole app, then exit")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    named = [a for a in (argv or [])[:1] if a in SUBCOMMANDS]
    for name in named or SUBCOMMANDS:
        importlib.import_module(f"{__name__}.{name}").register(subparsers)
    return parser


def run(argv: list[str]) -> int:
    """Parse ``argv`` and run the subcommand; returns the exit status."""
    parser = build_parser(argv)
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:
        return EXIT_USAGE if exc.code else EXIT_OK
    if args.self_test:
        from cli import selftest
        return selftest.run()
    try:
        return args.func(args)
    except SetupError as exc:
        StderrProgress.end_line()
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except BrokenPipeError:  # e.g. piped into `head`
        return EXIT_OK
    except KeyboardInterrupt:
        print("stopped", file=sys.stderr)
        return EXIT_USAGE
    except Exception as exc:  # a full disk, a permission, or a bug: a sentence, not a traceback
        StderrProgress.end_line()
        print(f"error: {fault_sentence(exc)}", file=sys.stderr)
        return EXIT_USAGE


def fault_sentence(exc: Exception) -> str:
    """The one line the command line prints for an error nobody caught earlier."""
    from core.base import faults, logs

    if faults.is_disk_fault(exc):
        return faults.sentence(exc)
    where = logs.record(exc, "command failed")
    detail = faults.first_line(exc, 200)
    hint = f" The details are in {where}." if where else ""
    return f"Something went wrong ({type(exc).__name__}: {detail}).{hint}"


class StderrProgress:
    """A one-line progress bar on stderr (the ``progress`` of a core job)."""

    mid_line = False  # a bar is drawn and its line not ended

    def __init__(self, quiet: bool = False):
        self.quiet = quiet or not sys.stderr

    @classmethod
    def end_line(cls) -> None:
        """End a bar's line, so that an error message starts on its own line."""
        if cls.mid_line:
            sys.stderr.write("\n")
            cls.mid_line = False

    def __call__(self, fraction: float, message: str) -> None:
        if self.quiet:
            return
        bar = "#" * int(fraction * 30)
        end = "\n" if fraction >= 1.0 else ""
        sys.stderr.write(f"\r[{bar:<30}] {fraction * 100:5.1f}% {message[:60]:<60}{end}")
        StderrProgress.mid_line = not end
        sys.stderr.flush()
