"""scripts/env.sh, the set-up behind the README's two commands, on this
machine's system Python (Debian's /usr/bin/python3 is "externally managed":
PEP 668 refuses a plain `pip install` into it)."""
from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SYSTEM_PYTHON = Path("/usr/bin/python3")

pytestmark = pytest.mark.skipif(not SYSTEM_PYTHON.exists(), reason="no system python3 here")


def ensure_env(project: Path, extra_env=None) -> subprocess.CompletedProcess:
    env = {"HOME": str(project), "PATH": f"{SYSTEM_PYTHON.parent}:/usr/sbin:/sbin:/bin",
           **(extra_env or {})}
    script = "source scripts/env.sh && ensure_env requirements-dev.txt && echo \"PY=$PY\""
    return subprocess.run(["bash", "-c", script], cwd=project, env=env, capture_output=True,
                          text=True, timeout=300)


@pytest.fixture
def project(tmp_path):
    """A project folder with the real scripts and tiny requirements files."""
    shutil.copytree(ROOT / "scripts", tmp_path / "scripts")
    (tmp_path / "requirements.txt").write_text("# nothing to install\n")
    (tmp_path / "requirements-dev.txt").write_text("-r requirements.txt\n")
    return tmp_path


def test_a_project_venv_is_made_once_and_reused(project):
    first = ensure_env(project)
    assert first.returncode == 0, first.stderr
    venv_python = project / ".venv" / "bin" / "python"
    assert f"PY={venv_python}" in first.stdout
    assert "installing Python packages" in first.stderr
    made = venv_python.stat().st_mtime_ns
    again = ensure_env(project)
    assert again.returncode == 0, again.stderr
    assert "installing" not in again.stderr  # nothing changed, nothing done
    assert venv_python.stat().st_mtime_ns == made
    (project / "requirements.txt").write_text("# now something else\n")
    assert "installing Python packages" in ensure_env(project).stderr


def test_an_activated_environment_is_kept(project, tmp_path):
    own = tmp_path / "own-env"
    subprocess.run([str(SYSTEM_PYTHON), "-m", "venv", str(own)], check=True, timeout=120)
    ran = ensure_env(project, {"VIRTUAL_ENV": str(own)})
    assert ran.returncode == 0, ran.stderr
    assert f"PY={own}/bin/python" in ran.stdout
    assert not (project / ".venv").exists()


def test_the_system_python_refuses_pip_so_the_venv_matters(project):
    if not list(SYSTEM_PYTHON.parent.parent.glob("lib/python3*/EXTERNALLY-MANAGED")):
        pytest.skip("this system Python is not externally managed")
    ran = subprocess.run([str(SYSTEM_PYTHON), "-m", "pip", "install", "--dry-run", "six"],
                         capture_output=True, text=True, env={"PATH": os.environ["PATH"]})
    assert ran.returncode != 0 and "externally-managed-environment" in ran.stderr
