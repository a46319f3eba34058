"""Shared mode in a real browser (Debian's chromium via Playwright, no browser download): an
anonymous visitor of the Données page is offered no upload, only the sign-in form; the editor
who signs in from the sidebar gets the upload. Screenshots under tests/artifacts/."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from butdata import passwords

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "load"))

import stclient as c

CHROMIUM = "/usr/bin/chromium"
ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "tests" / "artifacts"
PASSWORD = "mot-de-passe-navigateur"

pytestmark = pytest.mark.browser

if not Path(CHROMIUM).exists():
    pytest.fail(  # make test installs it: never a silent skip
        f"{CHROMIUM} absent : `make chromium` (apt-get install chromium) ; `make test` le fait",
        pytrace=False,
    )
import playwright.sync_api as sync_api  # noqa: E402 — in the test extras


@pytest.fixture(scope="module")
def shared_url(store_path, tmp_path_factory):
    d = tmp_path_factory.mktemp("browser-shared")
    secrets = d / "secrets.toml"
    cheap = passwords.hash_password(PASSWORD, n=2**10, r=8, p=1)
    secrets.write_text(f'[editors]\n"marie" = "{cheap}"\n', encoding="utf-8")
    proc, port = c.start_server(
        store_path,
        d / "server.log",
        {
            "BUTDATA_SHARED": "1",
            "BUTDATA_SECRETS": str(secrets),
            "BUTDATA_JOURNAL": str(d / "journal.jsonl"),
        },
    )
    yield f"http://127.0.0.1:{port}"
    c.stop_server(proc)


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
    pg.wait_for_selector(
        "[data-testid='stApp'][data-test-connection-state='CONNECTED']", timeout=timeout
    )
    pg.wait_for_selector("[data-test-script-state='notRunning']", timeout=timeout)
    pg.wait_for_timeout(500)
    pg.wait_for_selector("[data-test-script-state='notRunning']", timeout=timeout)


def open_import_tab(pg) -> None:
    pg.get_by_role("tab", name="Importer").click()
    pg.wait_for_timeout(300)


def test_anonymous_visitor_has_no_upload_and_an_editor_signs_in(shared_url, page):
    page.goto(shared_url + "/Donnees")
    settle(page)
    assert page.get_by_role("heading", name="Données").first.is_visible()
    open_import_tab(page)
    assert page.locator("[data-testid='stFileUploader']").count() == 0
    assert page.locator("input[type='file']").count() == 0
    assert page.get_by_text("Consultation seule : l'import de fichiers").is_visible()
    sidebar = page.locator("[data-testid='stSidebar']")
    assert sidebar.get_by_text("Nom d'éditeur").is_visible()
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "donnees-visiteur.png"))

    sidebar.get_by_label("Nom d'éditeur").fill("marie")
    sidebar.get_by_label("Mot de passe").fill("pas-le-bon")
    sidebar.get_by_role("button", name="Se connecter").click()
    settle(page)
    assert page.get_by_text("Nom ou mot de passe incorrect").first.is_visible()
    open_import_tab(page)
    assert page.locator("[data-testid='stFileUploader']").count() == 0

    sidebar.get_by_label("Nom d'éditeur").fill("marie")
    sidebar.get_by_label("Mot de passe").fill(PASSWORD)
    sidebar.get_by_role("button", name="Se connecter").click()
    settle(page)
    assert sidebar.get_by_text("(éditeur)").is_visible()
    open_import_tab(page)
    assert page.locator("[data-testid='stFileUploader']").count() == 1
    page.screenshot(path=str(ARTIFACTS / "donnees-editeur.png"))
    body = page.locator("body").inner_text()
    assert "Traceback" not in body and PASSWORD not in body
