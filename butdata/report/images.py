"""Plotly figures → PNG, offline, bounded in time, never failing the PDF.

Kaleido 1.x drives a Chrome/Chromium through choreographer; we point it at the machine's
browser (``BROWSER_PATH``, else ``chromium`` / ``google-chrome`` on the PATH), never download
one. One browser is started per document and renders all its figures in turn; it runs in a
worker thread with its own event loop (a Streamlit script thread may already have one), and
every step has a deadline:

- ``figure_timeout`` for one figure, ``total_timeout`` for all of them, browser start included;
- past the total, `render_figures` returns anyway; the worker (a daemon thread) goes on
  closing its browser: a browser hung at start (a script that sleeps) was killed 10-13 s
  after the deadline (choreographer: ``Browser.close``, then SIGTERM/SIGKILL to its process
  group). A process that exits meanwhile leaves such a browser behind.

Measured here (Debian's Chromium 156, 2 cores): browser start + first figure 2.1-3.6 s,
each next figure 0.2-0.3 s (PNG 2200 px wide, ``scale=2``).

The page plotly.js runs in is a local file (plotly.js from the plotly package, MathJax
disabled), so the browser needs no network; its own background requests (DNS look-ups seen
with ``strace`` otherwise) are sent to a closed loopback port through ``proxy_server``.

A figure that cannot be rendered (no browser, timeout, error) comes back as a `ChartImage`
with ``png=None`` and a French ``problem``; the PDF then shows a box with the figure title and
« graphique non disponible : … ».
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import shutil
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

BROWSER_NAMES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable", "chrome")
NO_BROWSER = "navigateur Chromium absent"
_OFFLINE_PROXY = "127.0.0.1:9"  # the discard port, closed: background requests fail at once
DEFAULT_HEIGHT_PX = 450  # plotly's own default


def find_browser() -> Path | None:
    """The Chrome/Chromium to render with: ``BROWSER_PATH`` (choreographer's variable) if it
    names a file, else the first of `BROWSER_NAMES` on the PATH, else None."""
    if (env := os.environ.get("BROWSER_PATH")) and Path(env).is_file():
        return Path(env)
    for name in BROWSER_NAMES:
        if found := shutil.which(name):
            return Path(found)
    return None


@dataclass(frozen=True)
class ChartSettings:
    """How figures are rendered. ``browser=None`` skips rendering (placeholders)."""

    browser: Path | None = field(default_factory=find_browser)
    figure_timeout: float = 20.0  # seconds for one figure
    total_timeout: float = 60.0  # seconds for all the figures of a document, browser start included
    width_px: int = 1100  # CSS pixels when the figure sets no width (≈ 11 pt text at page width)
    scale: float = 2.0  # PNG pixels per CSS pixel (print sharpness)


@dataclass(frozen=True)
class ChartImage:
    """One rendered figure: PNG bytes and size in CSS pixels, or why there is none."""

    png: bytes | None
    width_px: int
    height_px: int
    problem: str | None = None
    seconds: float = 0.0  # time spent on this figure (browser start counted in the first)


def _spec(fig: Any) -> dict[str, Any]:
    """A figure as plain data (what the worker thread gets): a figure dict is kept as is."""
    return fig if isinstance(fig, dict) else dict(fig.to_dict())


def _size(spec: dict[str, Any], settings: ChartSettings) -> tuple[int, int]:
    layout = spec.get("layout") or {}
    return int(layout.get("width") or settings.width_px), int(
        layout.get("height") or DEFAULT_HEIGHT_PX
    )


def render_figures(
    figures: Sequence[Any], settings: ChartSettings | None = None
) -> list[ChartImage]:
    """Render plotly figures (or figure dicts) to PNG in one browser, within
    ``settings.total_timeout``. Never raises: a figure that failed carries a French ``problem``."""
    settings = settings or ChartSettings()
    specs = [_spec(fig) for fig in figures]
    sizes = [_size(spec, settings) for spec in specs]
    results: list[ChartImage | None] = [None] * len(figures)
    if not figures:
        return []
    if settings.browser is None or not settings.browser.is_file():
        return [ChartImage(None, w, h, NO_BROWSER) for w, h in sizes]
    deadline = time.monotonic() + settings.total_timeout
    worker = threading.Thread(
        target=asyncio.run,
        name="butdata-report-charts",
        daemon=True,
        args=(_render_all(specs, sizes, settings, deadline, results),),
    )
    worker.start()
    worker.join(settings.total_timeout + 0.5)  # the coroutine watches the deadline itself
    late = f"délai dépassé ({settings.total_timeout:g} s pour tous les graphiques)"
    return [r or ChartImage(None, w, h, late) for r, (w, h) in zip(results, sizes, strict=True)]


async def _render_all(
    specs: list[dict[str, Any]],
    sizes: list[tuple[int, int]],
    settings: ChartSettings,
    deadline: float,
    results: list[ChartImage | None],
) -> None:
    """Fill ``results`` in place (the caller may stop waiting before the end)."""
    started = time.monotonic()
    problem = "non rendu"
    browser: Any = None
    try:
        import kaleido  # type: ignore[import-untyped]  # 0.3-0.6 s: only when there are figures

        browser = kaleido.Kaleido(
            n=1,
            timeout=settings.figure_timeout,
            mathjax=False,
            path=str(settings.browser),
            proxy_server=_OFFLINE_PROXY,
        )
        await asyncio.wait_for(browser.open(), max(0.1, deadline - time.monotonic()))
        await _render_each(browser, specs, sizes, settings, deadline, results, started)
    except TimeoutError:
        problem = f"le navigateur n'a pas démarré à temps ({settings.total_timeout:g} s)"
    except Exception as exc:
        problem = f"navigateur inutilisable ({settings.browser}) : {_short(exc)}"
    finally:
        if browser is not None:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(browser.close(), 3)
    for i, (w, h) in enumerate(sizes):
        if results[i] is None:
            results[i] = ChartImage(None, w, h, problem)


async def _render_each(
    k: Any,
    specs: list[dict[str, Any]],
    sizes: list[tuple[int, int]],
    settings: ChartSettings,
    deadline: float,
    results: list[ChartImage | None],
    started: float,
) -> None:
    for i, (spec, (w, h)) in enumerate(zip(specs, sizes, strict=True)):
        left = deadline - time.monotonic()
        if left <= 0:
            return
        opts = {"format": "png", "width": w, "height": h, "scale": settings.scale}
        try:
            png = await asyncio.wait_for(
                k.calc_fig(spec, opts=opts), min(settings.figure_timeout, left)
            )
        except TimeoutError:
            results[i] = ChartImage(
                None,
                w,
                h,
                f"délai dépassé ({settings.figure_timeout:g} s)",
                time.monotonic() - started,
            )
        except Exception as exc:
            results[i] = ChartImage(
                None, w, h, f"erreur du rendu : {_short(exc)}", time.monotonic() - started
            )
        else:
            results[i] = ChartImage(bytes(png), w, h, None, time.monotonic() - started)
        started = time.monotonic()


def _short(exc: BaseException) -> str:
    """``Type : first line of the message`` (messages can be tuples of sentences)."""
    first = exc.args[0] if exc.args else ""
    lines = str(first).strip().splitlines()
    return f"{type(exc).__name__} : {lines[0][:120]}" if lines else type(exc).__name__
