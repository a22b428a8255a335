"""Faults the user can fix, as the sentence they read (never a traceback).

One place maps an operating-system error (a full disk, a read-only disk, a
permission, a folder deleted while in use) to what happened and what to do.
The command line prints it and exits 2; the GUI shows it in its message line
or a message box. TensorFlow's own file errors (SavedModel, checkpoints) are
not ``OSError`` but carry the same operating-system words, so they are
recognised by those.
"""
from __future__ import annotations

import contextlib
import errno
import os

_FULL = (errno.ENOSPC, getattr(errno, "EDQUOT", errno.ENOSPC), errno.EFBIG)
_READ_ONLY = (errno.EROFS,)
_DENIED = (errno.EACCES, errno.EPERM)
_GONE = (errno.ENOENT, errno.ENOTDIR, errno.ESTALE)

# What TensorFlow's C++ file layer says, for errors that are not OSError.
_WORDS = (("No space left on device", errno.ENOSPC), ("Disk quota exceeded", errno.ENOSPC),
          ("Read-only file system", errno.EROFS), ("Permission denied", errno.EACCES))


class UserFault(Exception):
    """A failure the user causes and can fix (an empty image file, no camera there):
    ``str(error)`` is their sentence, and the log records it as a warning with no
    traceback, since nothing in the program went wrong."""


def is_expected(exc: BaseException) -> bool:
    return isinstance(exc, UserFault)


def os_error(exc: BaseException) -> OSError | None:
    """The operating-system error behind ``exc`` (itself, its cause or context)."""
    seen = set()
    while exc is not None and id(exc) not in seen:
        seen.add(id(exc))
        if isinstance(exc, OSError) and exc.errno is not None:
            return exc
        text = str(exc)
        for words, code in _WORDS:
            if words in text:
                return OSError(code, words)
        # "raise ... from None" means the new error's own sentence stands alone.
        exc = exc.__cause__ or (None if exc.__suppress_context__ else exc.__context__)
    return None


def is_disk_fault(exc: BaseException) -> bool:
    """True when ``exc`` comes from the disk (full, read-only, permission, gone)."""
    found = os_error(exc)
    return found is not None and found.errno in (*_FULL, *_READ_ONLY, *_DENIED, *_GONE)


def sentence(exc: BaseException) -> str:
    """What went wrong with ``exc`` and what to do, as one sentence."""
    found = os_error(exc)
    if found is None:
        text = str(exc).strip().strip("'\"")
        return text or f"Something went wrong ({type(exc).__name__})."
    where = _where(found)
    code = found.errno
    if code in _FULL:
        return f"The disk is full: {where} could not be written. Free some space or choose " \
               "another folder, then try again."
    if code in _READ_ONLY:
        return f"{_cap(where)} is on a read-only disk. Choose a folder you can write to."
    if code in _DENIED:
        return f"You do not have permission to use {where}. Choose another folder or " \
               "change its permissions."
    if code in _GONE:
        return f"{_cap(where)} does not exist (was it moved or deleted while in use?). " \
               "Choose the folder again."
    return f"{_cap(where)} could not be used: {found.strerror or found}."


def first_line(exc: BaseException, limit: int = 300) -> str:
    """The first line of ``exc``'s text, at most ``limit`` characters ("" when it has none).

    For a sentence naming an error some library raised (its message may run
    to a page of traceback or a model dump).
    """
    text = str(exc).strip()
    return text.splitlines()[0][:limit] if text else ""


def _where(exc: OSError) -> str:
    name = str(exc.filename2 or exc.filename or "")
    if not name:
        return "the file"
    folder, _, base = name.rstrip("/").rpartition("/")
    if base.startswith(".") and folder:  # our hidden temporary names mean nothing to a user
        return f"the folder '{folder}'"
    return f"'{name}'"


def _cap(text: str) -> str:
    return text[:1].upper() + text[1:]


def is_write_fault(exc: BaseException, folder) -> bool:
    """True when writing into ``folder`` failed because of the disk, not the data.

    A missing file counts only when ``folder`` itself is gone (deleted while
    in use); other missing files are some library's own business.
    """
    from pathlib import Path

    found = os_error(exc)
    if found is None:
        return False
    if found.errno in _GONE:
        return not Path(folder).is_dir()
    return found.errno in (*_FULL, *_READ_ONLY, *_DENIED)


def check_writable(folder) -> None:
    """Raise the OSError a write into ``folder`` (or its nearest existing parent) would.

    Lets a long job (training, classifying a folder) fail in a second, before
    its work, when its output cannot be written at all (read-only, no
    permission). A full disk is only found when the real write runs out.
    """
    import tempfile
    from pathlib import Path

    folder = Path(folder).absolute()
    while not folder.exists() and folder.parent != folder:
        folder = folder.parent
    if not folder.is_dir():
        raise NotADirectoryError(20, "Not a directory", str(folder))
    fd, name = tempfile.mkstemp(prefix=".write-check-", dir=folder)
    os.close(fd)
    os.unlink(name)


@contextlib.contextmanager
def writing(target):
    """Name ``target`` in a disk error that names no file (Keras's zip writer, TensorFlow)."""
    try:
        yield
    except Exception as exc:
        found = os_error(exc)
        if found is None or found.filename or not is_disk_fault(found):
            raise
        raise OSError(found.errno, found.strerror or os.strerror(found.errno), str(target)) \
            from exc
