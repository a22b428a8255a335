"""The app's log file: tracebacks go here, never to the user's screen.

``<data folder>/logs/app.log`` (see core.base.paths.data_home), rotated at 1 MB
with three old files kept. Help > Open log folder shows it; error sentences
point to it when something unexpected happened.
"""
from __future__ import annotations

import logging
import logging.handlers
import sys
import threading
from pathlib import Path

from core.base import faults, paths

LOG_NAME = "app.log"
_handler: logging.Handler | None = None


def log_dir() -> Path:
    return paths.data_home() / "logs"


def log_file() -> Path:
    return log_dir() / LOG_NAME


def setup(level: int = logging.INFO) -> Path | None:
    """Send every log record (and uncaught exceptions) to the log file only.

    Safe to call more than once. Returns the file, or None when it cannot be
    written (a read-only home): then records go nowhere rather than to the
    terminal, and the app still runs.
    """
    global _handler
    root = logging.getLogger()
    root.setLevel(level)
    if _handler is None:
        try:
            log_dir().mkdir(parents=True, exist_ok=True)
            _handler = logging.handlers.RotatingFileHandler(
                log_file(), maxBytes=1 << 20, backupCount=3, encoding="utf-8")
        except OSError:
            _handler = logging.NullHandler()
        _handler.setFormatter(logging.Formatter(
            "%(asctime)s %(levelname)s %(threadName)s %(name)s: %(message)s"))
        root.addHandler(_handler)
        # Python's last-resort handler prints to stderr when no handler exists;
        # with ours on the root logger it never fires.
        sys.excepthook = _log_uncaught
        threading.excepthook = lambda args: _log_uncaught(
            args.exc_type, args.exc_value, args.exc_traceback)
    return None if isinstance(_handler, logging.NullHandler) else log_file()


def _log_uncaught(exc_type, exc, tb) -> None:
    if issubclass(exc_type, KeyboardInterrupt):
        sys.__excepthook__(exc_type, exc, tb)
        return
    logging.getLogger("backbone_studio").critical("uncaught error", exc_info=(exc_type, exc, tb))


def record(exc: BaseException, what: str) -> Path | None:
    """Log ``exc`` (see :func:`log_failure`); returns the log file when there is one."""
    where = setup()
    log_failure(logging.getLogger("backbone_studio"), exc, what)
    return where


def log_failure(logger: logging.Logger, exc: BaseException, what: str) -> None:
    """An expected failure (faults.UserFault) as a WARNING line; anything else as an
    ERROR with its traceback."""
    if faults.is_expected(exc):
        logger.warning("%s: %s", what, exc)
    else:
        logger.error(what, exc_info=(type(exc), exc, exc.__traceback__))


def stop() -> None:
    """Detach the log file (tests; the app keeps it until it exits)."""
    global _handler
    if _handler is not None:
        logging.getLogger().removeHandler(_handler)
        _handler.close()
        _handler = None
