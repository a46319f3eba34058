"""What every browser test shares: Debian's chromium driven by Playwright (no browser download;
a missing chromium fails, never skips), a 1280×720 French page, the app served on a free
localhost port (``server``: on the suite's store), the wait for a page to settle and the check
that a page opened cleanly. Test modules import the fixtures they use (``browser``, ``page``,
``server``) from here."""

from __future__ import annotations

import contextlib
import sys
import time
from collections.abc import Iterator, Sequence
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tests" / "load"))

import stclient  # noqa: E402
from stclient import free_port  # noqa: E402, F401 — for a server that must know its URL first

CHROMIUM = "/usr/bin/chromium"
ARTIFACTS = ROOT / "tests" / "artifacts"

if not Path(CHROMIUM).exists():
    pytest.fail(  # make test installs it: never a silent skip
        f"{CHROMIUM} absent : `make chromium` (apt-get install chromium) ; `make test` le fait",
        pytrace=False,
    )
import playwright.sync_api as sync_api  # noqa: E402 — in the test extras


@contextlib.contextmanager
def serve(
    db: Path,
    log: Path,
    extra_env: dict[str, str] | None = None,
    drop_env: Sequence[str] = (),
    port: int | None = None,
    extra_args: list[str] | None = None,
) -> Iterator[str]:
    """The app served on ``db`` (its output in ``log``) until the block ends; its URL."""
    try:
        proc, port = stclient.start_server(
            db, log, extra_env, port=port, extra_args=extra_args, drop_env=drop_env
        )
    except (RuntimeError, TimeoutError) as exc:
        pytest.fail(f"le serveur Streamlit n'a pas démarré : {exc}", pytrace=False)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        stclient.stop_server(proc)


@pytest.fixture(scope="module")
def server(store_path, tmp_path_factory):
    with serve(store_path, tmp_path_factory.mktemp("browser") / "server.log") as url:
        yield url


@pytest.fixture(scope="module")
def browser():
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(
            executable_path=CHROMIUM,
            args=["--disable-background-networking", "--disable-component-update"],
        )
        yield b
        b.close()


@pytest.fixture()
def page(browser):
    ctx = browser.new_context(viewport={"width": 1280, "height": 720}, locale="fr-FR")
    pg = ctx.new_page()
    yield pg
    ctx.close()


def settle(pg, timeout: float = 30_000) -> None:
    """Connected, the script done, and done again half a second later (bound widgets may trigger
    one more run) with no skeleton left; fails if the script still runs after ``timeout`` ms."""
    pg.wait_for_selector(
        "[data-testid='stApp'][data-test-connection-state='CONNECTED']", timeout=timeout
    )
    idle = "[data-test-script-state='notRunning']"
    pg.wait_for_selector(idle, timeout=timeout)
    deadline = time.time() + timeout / 1000
    while time.time() < deadline:
        pg.wait_for_timeout(500)
        if pg.locator(idle).count() and pg.locator("[data-testid='stSkeleton']").count() == 0:
            return
    pg.wait_for_selector(idle, timeout=1)  # still running at the deadline: fail here


def no_page_not_found(pg) -> None:
    """The page opened cleanly: no « Page not found » dialog, no traceback, no unexpected error."""
    body = pg.locator("body").inner_text()
    assert "Page not found" not in body and "page not found" not in body.lower(), body[:500]
    assert pg.locator("[role='dialog']").count() == 0
    assert "Traceback" not in body and "erreur inattendue" not in body
