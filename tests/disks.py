"""Disks that fail, for the fault tests of the command line and the window.

``full_disk`` and ``read_only_disk`` are real 1 MB tmpfs mounts (filled up, or
remounted read-only after ``old.txt`` was written; skipped where this machine
refuses to mount); :func:`replace_fails_like_a_full_disk` patches ``os.replace``
so that writing one file fails as on a full disk, which runs everywhere.
Import the fixtures into a test module to use them.
"""
from __future__ import annotations

import errno
import os
import subprocess
from pathlib import Path

import pytest


def _mount(folder: Path, size: str = "1M") -> None:
    folder.mkdir()
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(folder)],
                          capture_output=True)
    if done.returncode != 0:
        pytest.skip("this machine does not let the test mount a tmpfs")


@pytest.fixture
def full_disk(tmp_path):
    """A mounted 1 MB file system with no space left (a file ``filler`` fills it)."""
    disk = tmp_path / "full"
    _mount(disk)
    try:
        with open(disk / "filler", "wb") as f:
            while True:
                f.write(b"\0" * 4096)
    except OSError as exc:
        assert exc.errno == errno.ENOSPC
    yield disk
    subprocess.run(["umount", "-l", str(disk)], check=False)


@pytest.fixture
def read_only_disk(tmp_path):
    """A mounted file system holding ``old.txt``, remounted read-only."""
    disk = tmp_path / "ro"
    _mount(disk)
    (disk / "old.txt").write_text("kept")
    if subprocess.run(["mount", "-o", "remount,ro", str(disk)]).returncode != 0:
        subprocess.run(["umount", "-l", str(disk)], check=False)
        pytest.skip("this machine does not let the test remount read-only")
    yield disk
    subprocess.run(["umount", "-l", str(disk)], check=False)


def replace_fails_like_a_full_disk(monkeypatch, name: str) -> None:
    """Renaming a finished temporary file onto ``name`` fails with ENOSPC."""
    real_replace = os.replace

    def full(src, dst, *args, **kwargs):
        if str(dst).endswith(name):
            raise OSError(errno.ENOSPC, "No space left on device", str(src), None, str(dst))
        return real_replace(src, dst, *args, **kwargs)

    monkeypatch.setattr(os, "replace", full)
