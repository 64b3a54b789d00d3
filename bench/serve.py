"""The app as the benchmarks run it: settings for a scratch database, a scratch folder that is
removed afterwards, uvicorn on a free loopback port, and signing in through the real form.

    from serve import BASE_URL, in_scratch_folder, serving, use_database   # bench/ is on sys.path
"""

import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
SECRET = "bench-secret-key-not-for-production-0123456789abcdef"
BASE_URL = "https://muster.bench"


def bench_env(database_url: str, **extra: str) -> dict[str, str]:
    """The environment of a process serving ``database_url``; never a real mail server unless
    ``MUSTER_SMTP_URL`` is among ``extra``."""
    env = {
        **os.environ,
        "MUSTER_DATABASE_URL": database_url,
        "MUSTER_SECRET_KEY": SECRET,
        "MUSTER_BASE_URL": BASE_URL,
        "PYTHONPATH": str(ROOT),
    }
    env.pop("MUSTER_SMTP_URL", None)
    return {**env, **extra}


def use_database(database_url: str) -> None:
    """Point this process's settings at ``database_url`` (before the app is imported)."""
    os.environ.update(MUSTER_DATABASE_URL=database_url, MUSTER_SECRET_KEY=SECRET, MUSTER_BASE_URL=BASE_URL)
    os.environ.pop("MUSTER_SMTP_URL", None)
    sys.path.insert(0, str(ROOT))


def in_scratch_folder(prefix: str, run: Callable[[Path], int]) -> None:
    """Run the benchmark in a new folder, remove the folder, exit with the benchmark's status."""
    folder = Path(tempfile.mkdtemp(prefix=prefix))
    try:
        status = run(folder)
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    sys.exit(status)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def stop(process: subprocess.Popen[Any], sig: int = signal.SIGTERM, grace: float = 30) -> None:
    """Send ``sig``; kill the process if it has not ended within ``grace`` seconds."""
    if process.poll() is not None:
        return
    process.send_signal(sig)
    try:
        process.wait(timeout=grace)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=10)


@contextmanager
def serving(app: list[str], env: dict[str, str], log: Path, ready: str = "/login") -> Iterator[str]:
    """``uvicorn`` with ``app`` (its arguments: the app and any options) on a free loopback port,
    its output in ``log``; the base URL once ``ready`` answers 200. Stopped with SIGINT, as
    Ctrl-C would, so it finishes writing its access log."""
    import httpx

    port = free_port()
    base = f"http://127.0.0.1:{port}"
    command = [sys.executable, "-m", "uvicorn", *app, "--host", "127.0.0.1", "--port", str(port)]
    with log.open("w") as out:
        server = subprocess.Popen(command, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(base + ready, timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if server.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"uvicorn did not start:\n{log.read_text()[-4000:]}")
            time.sleep(0.1)
        yield base
    finally:
        stop(server, signal.SIGINT, grace=15)


def sign_in(client: Any, email: str, password: str) -> None:
    """Sign in through the login form (``client``: an httpx or Starlette test client)."""
    form = client.get("/login")
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', form.text)
    assert csrf is not None, "no CSRF token on the login form"
    answer = client.post(
        "/login",
        data={"email": email, "password": password, "csrf_token": csrf.group(1)},
        follow_redirects=False,
    )
    assert answer.status_code == 303, answer.text[:500]
