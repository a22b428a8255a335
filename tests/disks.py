"""Disks that fail, for the fault tests of the command line and the window.

:func:`mount` gives the ``full_disk`` and ``read_only_disk`` fixtures (tests/conftest.py)
their real 1 MB tmpfs (skipped where this machine refuses to mount);
:func:`replace_fails_like_a_full_disk` patches ``os.replace`` so that writing one
file fails as on a full disk, which runs everywhere.
"""
from __future__ import annotations

import errno
import os
import subprocess
from pathlib import Path

import pytest


def mount(folder: Path, size: str = "1M") -> None:
    """A tmpfs of ``size`` at the new folder ``folder`` (the test is skipped if refused)."""
    folder.mkdir()
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(folder)],
                          capture_output=True)
    if done.returncode != 0:
        pytest.skip("this machine does not let the test mount a tmpfs")


def replace_fails_like_a_full_disk(monkeypatch, name: str) -> None:
    """Renaming a finished temporary file onto ``name`` fails with ENOSPC."""
    real_replace = os.replace

    def full(src, dst, *args, **kwargs):
        if str(dst).endswith(name):
            raise OSError(errno.ENOSPC, "No space left on device", str(src), None, str(dst))
        return real_replace(src, dst, *args, **kwargs)

    monkeypatch.setattr(os, "replace", full)


def unmount(folder: Path) -> None:
    subprocess.run(["umount", "-l", str(folder)], check=False)


def remount_read_only(folder: Path) -> None:
    """Make the tmpfs at ``folder`` read-only (unmounted and skipped if refused)."""
    if subprocess.run(["mount", "-o", "remount,ro", str(folder)]).returncode != 0:
        unmount(folder)
        pytest.skip("this machine does not let the test remount read-only")
