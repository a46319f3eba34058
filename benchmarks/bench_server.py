"""What a committee feels around the server (issue « Performance v2 »), in Chromium:

- ``first_page_ratio``: a fresh copy of the committed tree (``git archive HEAD``: no store),
  server start → home page rendered (title shown, script finished: the store is built on the
  way), divided by the same for ``hello_slider.py`` started from the same copy;
- ``server_rss_mib``: resident memory of one app server after ``sessions`` browser sessions
  have each opened every page (all kept open), from ``/proc/PID/status`` (``VmRSS``, and the
  peak ``VmHWM``);
- ``setup_seconds`` (information): fresh copy → ``make app`` serving (a new venv, ``pip install
  -e .`` with the package cache warm, server healthy).

Servers are stopped by their own pid. Chromium is Debian's (``/usr/bin/chromium``).
"""

from __future__ import annotations

import os
import shutil
import statistics
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import bench_browser
from common import ROOT

PAGES = ["", "Comparer_les_parcours", "Poids_par_UE", "Simulation_de_notes", "Donnees"]
_DONE = bench_browser._IDLE


def fresh_copy(dest: Path) -> Path:
    """The committed tree, as a clone has it (no store, no venv)."""
    dest.mkdir(parents=True)
    archive = subprocess.run(
        ["git", "-C", str(ROOT), "archive", "HEAD"], check=True, capture_output=True
    ).stdout
    subprocess.run(["tar", "-x", "-C", str(dest)], input=archive, check=True)
    return dest


def _env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("BUTDATA_")}
    return env


def _streamlit(cwd: Path, script: str, port: int, python: Path | None = None) -> subprocess.Popen:
    exe = (python or Path(sys.executable)).with_name("streamlit")
    return subprocess.Popen(
        [
            str(exe),
            "run",
            script,
            "--server.port",
            str(port),
            "--server.address",
            "127.0.0.1",
            "--server.headless",
            "true",
            "--browser.gatherUsageStats",
            "false",
        ],
        cwd=cwd,
        env=_env(),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def _healthy(port: int, proc: subprocess.Popen, timeout: float = 300) -> None:
    deadline = time.time() + timeout
    while time.time() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"streamlit exited ({proc.returncode})")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health", timeout=2):
                return
        except OSError:
            time.sleep(0.05)
    raise TimeoutError("streamlit did not become healthy")


def _stop(proc: subprocess.Popen) -> None:
    proc.terminate()
    try:
        proc.wait(10)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


def _rendered(page, text: str, timeout_ms: int = 300_000) -> None:
    page.wait_for_function(
        "t => document.body && document.body.innerText.includes(t)", arg=text, timeout=timeout_ms
    )
    page.wait_for_selector(_DONE, timeout=timeout_ms)


def _first_page_once(browser, copy: Path, script: str, text: str) -> float:
    """Seconds from the server's start to ``text`` on screen, script finished."""
    port = bench_browser._free_port()
    page = browser.new_page()
    t0 = time.perf_counter()
    proc = _streamlit(copy, script, port)
    try:
        while True:  # the browser retries until the server answers, as a user would
            try:
                page.goto(f"http://127.0.0.1:{port}/", timeout=5_000)
                break
            except Exception:
                if proc.poll() is not None or time.perf_counter() - t0 > 300:
                    raise
                time.sleep(0.05)
        _rendered(page, text)
        return time.perf_counter() - t0
    finally:
        page.close()
        _stop(proc)


def first_page(workdir: Path, repeat: int = 3) -> dict[str, Any]:
    """Fresh copy each time for the app (no store); hello from a copy as well."""
    from playwright.sync_api import sync_playwright

    template = fresh_copy(workdir / "clone-template")
    app_s: list[float] = []
    hello_s: list[float] = []
    with sync_playwright() as pw:
        browser = pw.chromium.launch(
            executable_path=bench_browser.CHROMIUM, args=bench_browser.CHROMIUM_ARGS
        )
        try:
            for i in range(repeat):  # interleaved: app, hello, app, hello...
                copy = workdir / f"clone-{i}"
                shutil.copytree(template, copy)
                app_s.append(_first_page_once(browser, copy, "app.py", "Vue d'ensemble"))
                if not (copy / "data" / "butdata.duckdb").exists():
                    raise RuntimeError("the fresh copy's server did not build its own store")
                hello_s.append(
                    _first_page_once(browser, copy, "benchmarks/hello_slider.py", "Moyenne")
                )
                shutil.rmtree(copy, ignore_errors=True)
        finally:
            browser.close()
    a, h = statistics.median(app_s), statistics.median(hello_s)
    return {
        "first_page_ratio": round(a / h, 2),
        "first_page_seconds": round(a, 2),
        "first_page_hello_seconds": round(h, 2),
        "first_page_repeat": repeat,
    }


def _status_mib(pid: int) -> dict[str, float]:
    out = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        name, _, value = line.partition(":")
        if name in ("VmRSS", "VmHWM"):
            out[name] = round(int(value.split()[0]) / 1024, 1)
    return out


def server_rss(db_path: Path, sessions: int = 20) -> dict[str, Any]:
    """RSS of one app server (real store) after ``sessions`` sessions opened every page."""
    from playwright.sync_api import sync_playwright

    port = bench_browser._free_port()
    env_db = {"BUTDATA_DB": str(db_path)}
    proc = subprocess.Popen(
        [
            str(Path(sys.executable).with_name("streamlit")),
            "run",
            "app.py",
            "--server.port",
            str(port),
            "--server.address",
            "127.0.0.1",
            "--server.headless",
            "true",
            "--browser.gatherUsageStats",
            "false",
        ],
        cwd=ROOT,
        env={**_env(), **env_db},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        _healthy(port, proc)
        start = _status_mib(proc.pid)
        with sync_playwright() as pw:
            browser = pw.chromium.launch(
                executable_path=bench_browser.CHROMIUM, args=bench_browser.CHROMIUM_ARGS
            )
            try:
                kept = []
                for _ in range(sessions):
                    page = browser.new_page(viewport={"width": 1400, "height": 1000})
                    for path in PAGES:  # every page in the same session (one tab)
                        page.goto(f"http://127.0.0.1:{port}/{path}")
                        page.wait_for_selector("h1", timeout=120_000)
                        page.wait_for_selector(_DONE, timeout=120_000)
                    kept.append(page)  # the session stays open
                after = _status_mib(proc.pid)
                for p in kept:
                    p.close()
            finally:
                browser.close()
    finally:
        _stop(proc)
    return {
        "server_rss_mib": after.get("VmRSS"),
        "server_rss_peak_mib": after.get("VmHWM"),
        "server_rss_start_mib": start.get("VmRSS"),
        "server_rss_sessions": sessions,
    }


def setup_seconds(workdir: Path) -> dict[str, Any]:
    """Fresh copy → a new venv, ``pip install -e .`` (cache warm), the app server healthy: the
    steps of ``make app``, timed one by one."""
    copy = fresh_copy(workdir / "clone-setup")
    t0 = time.perf_counter()
    # make's own rule (venv, pip upgrade, pip install -e .), with this interpreter's Python
    subprocess.run(
        ["make", "-s", ".venv/.installed", f"PYTHON={sys._base_executable}"],
        cwd=copy,
        check=True,
        env=_env(),
        stdout=subprocess.DEVNULL,
    )
    t_pip = time.perf_counter()
    vpy = copy / ".venv" / "bin" / "python"
    port = bench_browser._free_port()
    proc = _streamlit(copy, "app.py", port, python=vpy)
    try:
        _healthy(port, proc)
    finally:
        t_up = time.perf_counter()
        _stop(proc)
    shutil.rmtree(copy, ignore_errors=True)
    return {
        "setup_seconds": round(t_up - t0, 1),
        "setup_install_seconds": round(t_pip - t0, 1),
        "setup_server_seconds": round(t_up - t_pip, 1),
    }
