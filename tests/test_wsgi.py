"""The app refuses to serve with DJANGO_DEBUG off unless DJANGO_SECRET_KEY is set; commands that
serve nothing (makemigrations --check, check) still run without it."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def _run(*args, **env):
    environment = {key: value for key, value in os.environ.items() if not key.startswith(("DJANGO_", "PYTEST"))}
    environment.update(env)
    return subprocess.run([sys.executable, *args], cwd=ROOT, env=environment, capture_output=True, text=True)


def test_serving_without_a_secret_key_is_refused():
    refused = _run("-c", "import config.wsgi")
    assert refused.returncode != 0
    assert "DJANGO_SECRET_KEY must be set" in refused.stderr


@pytest.mark.parametrize("env", [{"DJANGO_SECRET_KEY": "a-real-secret-from-the-environment"}, {"DJANGO_DEBUG": "1"}])
def test_serving_with_a_secret_key_or_in_debug_starts(env):
    assert _run("-c", "import config.wsgi", **env).returncode == 0


def test_management_commands_that_serve_nothing_run_without_a_secret_key():
    checked = _run("manage.py", "makemigrations", "--check", "--dry-run")
    assert checked.returncode == 0, checked.stderr
