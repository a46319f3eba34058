"""Browser latency of a slider move: Chromium, key press → updated text on screen.

Each contender is a Streamlit script served by its own ``streamlit run`` process. In the page a
capture-phase ``keydown`` listener stamps the key press and a ``MutationObserver`` stamps the
first DOM change that makes the watched element's text differ from before the press; the figure
is the difference (``performance.now()`` in the page, so no Playwright round trip is counted).
Presses alternate ArrowRight / ArrowLeft so the value changes every time, and contenders alternate
press by press. Uses Debian's chromium (``/usr/bin/chromium``), never a downloaded browser.
"""

from __future__ import annotations

import os
import shutil
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-renderer-backgrounding",
    "--disable-background-timer-throttling",
]


@dataclass
class Target:
    name: str
    script: Path  # file given to `streamlit run`
    url_path: str = ""  # e.g. "Simulation_de_notes" for a page of a multipage app
    slider: int = 0  # which slider (document order)
    watch: str = "[data-testid='stMarkdown']"  # CSS selector of the element whose text changes
    contains: str = ""  # ... the first one whose text contains this (empty: all of them)
    env: dict = field(default_factory=dict)


def missing_browser() -> str | None:
    if not Path(CHROMIUM).exists():
        return f"no chromium at {CHROMIUM} (apt-get install -y chromium)"
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "playwright (python package) not installed"
    return None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """`streamlit run SCRIPT` on a free port, stopped (by its own pid) on exit."""

    def __init__(self, script: Path, env: dict | None = None):
        self.port = _free_port()
        exe = Path(sys.executable).with_name("streamlit")
        cmd = [
            str(exe) if exe.exists() else shutil.which("streamlit") or "streamlit",
            "run",
            str(script),
            "--server.port",
            str(self.port),
            "--server.address",
            "127.0.0.1",
            "--server.headless",
            "true",
            "--browser.gatherUsageStats",
            "false",
            "--server.fileWatcherType",
            "none",
            "--server.runOnSave",
            "false",
        ]
        self.proc = subprocess.Popen(
            cmd,
            cwd=ROOT,
            env={**os.environ, **(env or {})},
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )

    def wait(self, timeout: float = 60) -> None:
        deadline = time.time() + timeout
        while time.time() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"streamlit exited: {self.proc.stderr.read().decode()[-2000:]}")
            try:
                with urllib.request.urlopen(
                    f"http://127.0.0.1:{self.port}/_stcore/health", timeout=2
                ) as r:
                    if r.read().strip() == b"ok":
                        return
            except OSError:
                time.sleep(0.2)
        raise TimeoutError("streamlit did not become healthy")

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            self.proc.kill()

    def __enter__(self):
        self.wait()
        return self

    def __exit__(self, *exc):
        self.stop()


_INSTRUMENT = """([watch, contains]) => {
  // With `contains`: the first matching element whose text contains it; else all matches.
  const text = () => {
    const all = [...document.querySelectorAll(watch)];
    if (contains) { const e = all.find(x => x.innerText.includes(contains)); return e ? e.innerText : null; }
    return all.length ? all.map(x => x.innerText).join(" | ") : null;
  };
  window.__bench = {key: null, change: null, before: null};
  document.addEventListener('keydown', () => {
    window.__bench = {key: performance.now(), change: null, before: text()};
  }, true);
  new MutationObserver(() => {
    const b = window.__bench;
    if (b.key !== null && b.change === null) {
      const t = text();
      if (t !== null && t !== b.before) b.change = performance.now();
    }
  }).observe(document.body, {subtree: true, childList: true, characterData: true});
}"""

_IDLE = (
    "[data-testid='stApp'][data-test-connection-state='CONNECTED']"
    "[data-test-script-state='notRunning']"
)


def _open(browser, target: Target, port: int):
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    page.goto(f"http://127.0.0.1:{port}/{target.url_path}")
    page.wait_for_selector("[data-testid='stSlider']", timeout=60_000)
    page.wait_for_selector(_IDLE, timeout=60_000)
    selector = f"{target.watch}"
    page.wait_for_function(
        "([w, c]) => [...document.querySelectorAll(w)].some(e => !c || e.innerText.includes(c))",
        arg=[selector, target.contains],
        timeout=60_000,
    )
    page.evaluate(_INSTRUMENT, [target.watch, target.contains])
    thumb = page.locator("[data-testid='stSlider'] input[type='range']").nth(target.slider)
    thumb.focus()
    return page, thumb


def _press(page, thumb, key: str) -> float:
    thumb.press(key)
    page.wait_for_function("window.__bench.change !== null", timeout=30_000, polling=5)
    ms = page.evaluate("window.__bench.change - window.__bench.key")
    page.wait_for_selector(_IDLE, timeout=30_000)
    return ms


def measure(targets: list[Target], repeat: int = 15, warmup: int = 3) -> dict[str, list[float]]:
    """Milliseconds per key press for each target, presses alternating between targets."""
    from playwright.sync_api import sync_playwright

    servers = [Server(t.script, t.env) for t in targets]
    try:
        for s in servers:
            s.wait()
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            try:
                opened = [_open(browser, t, s.port) for t, s in zip(targets, servers)]
                out: dict[str, list[float]] = {t.name: [] for t in targets}
                for i in range(warmup + repeat):
                    key = "ArrowRight" if i % 2 == 0 else "ArrowLeft"
                    for t, (page, thumb) in zip(targets, opened):
                        ms = _press(page, thumb, key)
                        if i >= warmup:
                            out[t.name].append(ms)
                return out
            finally:
                browser.close()
    finally:
        for s in servers:
            s.stop()


def median(values: list[float]) -> float | None:
    return round(statistics.median(values), 1) if values else None


if __name__ == "__main__":
    hello = Target("hello", ROOT / "benchmarks" / "hello_slider.py", contains="Moyenne")
    res = measure([hello], repeat=int(sys.argv[1]) if len(sys.argv) > 1 else 10)
    print({k: median(v) for k, v in res.items()}, res)
