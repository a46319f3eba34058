"""The Données page in shared mode (``BUTDATA_SHARED=1``) under AppTest: anonymous visitors read
and download but are offered no upload; a wrong password is refused and rate-limited; an editor
signs in, imports, and the journal names them; the write gate refuses a visitor even when a page
calls it directly; OIDC identities (st.user) are editors, optionally restricted to a list."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from conftest import QLIO
from streamlit.proto.TextInput_pb2 import TextInput
from streamlit.testing.v1 import AppTest

from butdata import access, fmt, passwords
from butdata.store import build_store
from butdata.store import journal as jn

APP = Path(__file__).parents[1] / "app.py"
PAGE = "pages/4_Donnees.py"
GOOD = (
    "formation,semestre,parcours,UE,Code module,Intitulé du module,Coefficient\n"
    "QLIO,1,Essai,UE11,R1.01,Anglais,2\n"
    "QLIO,1,Essai,UE12,SAE1.01,Projet,3\n"
)
PASSWORD = "mot-de-passe-de-marie"


@pytest.fixture(autouse=True)
def _fresh():
    import streamlit as st

    st.cache_data.clear()
    st.cache_resource.clear()
    yield
    st.cache_data.clear()
    st.cache_resource.clear()


@pytest.fixture()
def site(tmp_path, monkeypatch) -> tuple[Path, Path, Path]:
    """A writable store from a copy of the QLIO document, shared mode, one editor « marie »."""
    sources = tmp_path / "sources"
    sources.mkdir()
    shutil.copy(QLIO, sources)
    db = tmp_path / "store.duckdb"
    build_store(sources, db)
    secrets = tmp_path / "secrets.toml"
    cheap = passwords.hash_password(PASSWORD, n=2**10, r=8, p=1)  # fast for the tests
    secrets.write_text(f'[editors]\n"marie" = "{cheap}"\n', encoding="utf-8")
    monkeypatch.setenv("BUTDATA_DB", str(db))
    monkeypatch.setenv("BUTDATA_SHARED", "1")
    monkeypatch.setenv("BUTDATA_SECRETS", str(secrets))
    monkeypatch.delenv(jn.JOURNAL_ENV, raising=False)
    return sources, db, secrets


def open_page() -> AppTest:
    at = AppTest.from_file(str(APP), default_timeout=60).run()
    return at.switch_page(PAGE).run()


def offered_upload(at: AppTest) -> bool:
    return bool(at.get("file_uploader"))


def submit(at: AppTest, name: str, password: str) -> AppTest:
    at.text_input(key="auth_name").input(name)
    at.text_input(key="auth_password").input(password)
    button = next(b for b in at.button if b.label == "Se connecter")
    return button.click().run()


def upload_and_confirm(at: AppTest) -> AppTest:
    at.file_uploader(key="import_file").set_value(("mcc essai.csv", GOOD.encode(), "text/csv"))
    at.run()
    at.button(key="import_check").click().run()  # the file is read on « Vérifier le fichier »
    return at.button(key="import_confirm").click().run()


def test_anonymous_visitor_reads_but_is_offered_no_upload(site):
    at = open_page()
    assert not at.exception
    assert not offered_upload(at)
    assert not [b for b in at.button if b.key == "import_confirm"]
    assert any("Consultation seule" in i.value for i in at.info)
    assert at.selectbox(key="tableau").value  # browsing works
    assert len(at.get("download_button")) == 7  # downloads (6) and « Imprimer / PDF » stay open
    assert at.text_input(key="auth_name").label == "Nom d'éditeur"  # the sign-in form
    assert at.text_input(key="auth_password").proto.type == TextInput.PASSWORD


def test_wrong_password_is_refused_and_rate_limited(site):
    at = open_page()
    at = submit(at, "marie", "pas-le-bon")
    assert any("Nom ou mot de passe incorrect" in e.value for e in at.error)
    assert not offered_upload(at)
    at = submit(at, "inconnu", PASSWORD)
    assert any("Nom ou mot de passe incorrect" in e.value for e in at.error)
    for _ in range(3):  # failures 3 to 5: the fifth locks the session
        at = submit(at, "marie", "toujours-pas")
    assert any("Trop d'essais" in e.value for e in at.error), [e.value for e in at.error]
    at = submit(at, "marie", PASSWORD)  # the right password, but locked
    assert any("réessayez dans" in e.value for e in at.error)
    assert not offered_upload(at)


def test_editor_signs_in_imports_and_the_journal_names_them(site):
    sources, db, _ = site
    at = open_page()
    at = submit(at, "Marie", PASSWORD)  # names are case-insensitive
    assert not at.error, [e.value for e in at.error]
    assert any("Connecté : `marie` (éditeur)" in m.value for m in at.markdown)
    assert offered_upload(at)
    at = upload_and_confirm(at)
    assert any("Import terminé" in s.value for s in at.success)
    assert (sources / "mcc_essai.csv").exists()
    entries = jn.read(jn.journal_path(db))
    row = entries.row(0, named=True)
    assert (row["author"], row["method"], row["outcome"], row["file"]) == (
        "marie",
        "mot de passe",
        "réussi",
        "mcc_essai.csv",
    )
    assert row["added"] == ["mcc_essai.csv:qlio-s1-essai"]  # ids of a page import carry its file
    # the journal tab (drawn after the import in the same run) shows it in French
    journal = next(d.value for d in at.dataframe if "auteur" in d.value.columns)
    assert list(journal["auteur"]) == ["marie"]
    assert list(journal["résultat"]) == ["✅ réussi"]
    assert list(journal["date"]) == [fmt.timestamp(row["at"].astimezone())]
    assert " à " in journal["date"][0]  # « 1 décembre 2026 à 10:42 »
    # sign out: a visitor again
    at.button(key="auth_logout").click().run()
    assert not offered_upload(at)


def test_removed_account_is_signed_out_at_the_next_run(site):
    _, _, secrets = site
    at = submit(open_page(), "marie", PASSWORD)
    assert offered_upload(at)
    passwords.remove_editor("marie", secrets)
    at.run()
    assert not offered_upload(at)


def test_write_gate_refuses_a_visitor_even_when_called_directly(site):
    """Defence in depth: if a page forgot to hide a write widget, the gate still refuses."""
    sources, db, _ = site
    before = sorted(p.name for p in sources.iterdir()), db.read_bytes()

    def script():
        import os
        from pathlib import Path

        from ui import donnees

        donnees.run_import(
            "mcc_gea.csv",
            b"formation,semestre,UE,Code module,Coefficient\nGEA,1,UE11,R1.01,2\n",
            Path(os.environ["BUTDATA_DB"]),
            donnees.sources_dir(),
        )

    at = AppTest.from_function(script, default_timeout=60).run()
    assert not at.exception, at.exception
    assert any("Modification refusée" in e.value for e in at.error)
    assert (sorted(p.name for p in sources.iterdir()), db.read_bytes()) == before
    row = jn.read(jn.journal_path(db)).row(0, named=True)
    assert (row["outcome"], row["author"], row["role"], row["file"]) == (
        "refusé",
        None,
        "visiteur",
        "mcc_gea.csv",
    )


def fake_oidc(monkeypatch, email: str | None, allowed: set[str] | None = None) -> None:
    from ui import auth

    monkeypatch.setattr(
        auth, "_auth_section", lambda: {"client_id": "butdata", "redirect_uri": "http://x"}
    )
    monkeypatch.setattr(
        auth, "_oidc_user", lambda: {"is_logged_in": True, "email": email} if email else {}
    )
    monkeypatch.setattr(auth, "_oidc_allowed", lambda: allowed)


def test_oidc_identity_is_an_editor(site, monkeypatch):
    fake_oidc(monkeypatch, "chef.dept@iut.fr")
    at = open_page()
    assert offered_upload(at)
    assert any("chef.dept@iut.fr" in m.value for m in at.markdown)
    at = upload_and_confirm(at)
    assert any("Import terminé" in s.value for s in at.success)
    row = jn.read(jn.journal_path(site[1])).row(0, named=True)
    assert (row["author"], row["method"]) == ("chef.dept@iut.fr", "oidc")


def test_oidc_restricted_to_listed_accounts_and_login_offered(site, monkeypatch):
    fake_oidc(monkeypatch, "etudiant@iut.fr", allowed={"chef.dept@iut.fr"})
    assert not offered_upload(open_page())
    fake_oidc(monkeypatch, None)
    at = open_page()
    assert not offered_upload(at)
    assert any(b.label == "Se connecter (compte de l'établissement)" for b in at.button)


def test_local_mode_journals_the_os_user(site, monkeypatch):
    monkeypatch.delenv("BUTDATA_SHARED")
    monkeypatch.setattr(access.getpass, "getuser", lambda: "commission")
    at = open_page()
    assert not at.get("text_input") or not [t for t in at.text_input if t.key == "auth_name"]
    at = upload_and_confirm(at)
    assert any("Import terminé" in s.value for s in at.success)
    row = jn.read(jn.journal_path(site[1])).row(0, named=True)
    assert (row["author"], row["method"], row["role"]) == ("commission", "local", "éditeur")
