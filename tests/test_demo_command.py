"""`make demo` end to end: the script serves the platform, then Ctrl-C stops the server and the worker."""

import os
import signal
import socket
import subprocess
import time
import urllib.request
from pathlib import Path

import pytest
from django.conf import settings

ROOT = Path(settings.PROJECT_DIR)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def children_of(pid: int) -> list[int]:
    out = subprocess.run(["ps", "-o", "pid=", "--ppid", str(pid)], capture_output=True, text=True).stdout
    return [int(p) for p in out.split()]


@pytest.mark.skipif(not (ROOT / ".venv/bin/gonghui").exists(), reason="needs the project's virtualenv")
def test_the_demo_script_serves_and_stops_cleanly(tmp_path):
    port = free_port()
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in {"DATABASE_URL", "GONGHUI_TESTING", "DJANGO_SETTINGS_MODULE"}
    }
    env.update(PORT=str(port), GONGHUI_VAR_DIR=str(tmp_path / "var"))
    log = (tmp_path / "demo.log").open("w")
    proc = subprocess.Popen(
        [str(ROOT / "scripts/demo.sh")],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        # Generous: migrate, collectstatic (compressing every asset) and the demo seed run first, and CI machines
        # are busy; a demo that never starts still fails.
        deadline = time.monotonic() + 180
        body = b""
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as response:
                    body = response.read()
                    break
            except OSError:
                time.sleep(0.5)
        assert b'"database": {"status": "ok"' in body, (tmp_path / "demo.log").read_text()[-2000:]
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/login/", timeout=5) as response:
            assert "登录".encode() in response.read()
        output = (tmp_path / "demo.log").read_text()
        assert f"http://127.0.0.1:{port}/" in output and "13800000004" in output
        helpers = children_of(proc.pid)
        assert len(helpers) >= 3  # worker, scheduler, gunicorn
    finally:
        os.killpg(proc.pid, signal.SIGINT)
        proc.wait(timeout=30)
    time.sleep(0.5)
    alive = [pid for pid in helpers if Path(f"/proc/{pid}").exists()]
    assert alive == [], f"left running: {alive}"
