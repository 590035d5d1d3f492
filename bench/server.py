"""Gunicorn on a free loopback port, as the README deploys the portal: 2 workers of the threaded
(gthread) kind. The portal and the baselines run under exactly the same command line."""
from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time

from . import load

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
HOST = "127.0.0.1"
WORKERS = 2
THREADS = 4


def free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


class Gunicorn:
    """`gunicorn -w 2 -k gthread --threads 4 <app>` on 127.0.0.1; stopped by `stop()` (or `with`)."""

    def __init__(self, app: str, env: dict, log_path: str):
        self.app = app
        self.port = free_port()
        self.env = {**os.environ, **env, "PYTHONPATH": ROOT}
        self.log_path = log_path
        self.proc: subprocess.Popen | None = None

    def start(self, ready_path: str = "/healthz", timeout: float = 60.0) -> "Gunicorn":
        gunicorn = os.path.join(os.path.dirname(sys.executable), "gunicorn")
        cmd = [gunicorn, "--workers", str(WORKERS), "--worker-class", "gthread", "--threads", str(THREADS),
               "--bind", f"{HOST}:{self.port}", "--timeout", "300", "--graceful-timeout", "5",
               "--keep-alive", "30", "--log-level", "warning", "--error-logfile", self.log_path, self.app]
        self.log = open(self.log_path + ".out", "w")
        self.proc = subprocess.Popen(cmd, cwd=ROOT, env=self.env, stdout=self.log, stderr=subprocess.STDOUT,
                                     start_new_session=True)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"gunicorn exited ({self.proc.returncode}); see {self.log_path}")
            try:
                # Ask a few times so that both workers have loaded the application.
                if all(load.one(HOST, self.port, "GET", ready_path)[0] == 200 for _ in range(4)):
                    return self
            except OSError:
                pass
            time.sleep(0.2)
        self.stop()
        raise RuntimeError(f"gunicorn did not answer on {HOST}:{self.port} within {timeout:.0f} s")

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)  # the arbiter stops its own workers
            try:
                self.proc.wait(15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        if getattr(self, "log", None):
            self.log.close()

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()
