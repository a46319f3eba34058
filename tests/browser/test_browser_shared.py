"""Shared mode in a real browser (Debian's chromium via Playwright, no browser download): an
anonymous visitor of the Données page is offered no upload, only the sign-in form; the editor
who signs in from the sidebar gets the upload. Screenshots under tests/artifacts/."""

from __future__ import annotations

import pytest
from browser_kit import ARTIFACTS, browser, page, serve, settle  # noqa: F401

from butdata import passwords

PASSWORD = "mot-de-passe-navigateur"

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def shared_url(store_path, tmp_path_factory):
    d = tmp_path_factory.mktemp("browser-shared")
    secrets = d / "secrets.toml"
    cheap = passwords.hash_password(PASSWORD, n=2**10, r=8, p=1)
    secrets.write_text(f'[editors]\n"marie" = "{cheap}"\n', encoding="utf-8")
    env = {
        "BUTDATA_SHARED": "1",
        "BUTDATA_SECRETS": str(secrets),
        "BUTDATA_JOURNAL": str(d / "journal.jsonl"),
    }
    with serve(store_path, d / "server.log", env) as url:
        yield url


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
