"""Shared mode on a real server (``BUTDATA_SHARED=1``), driven over Streamlit's own websocket
protocol (``tests/load/stclient.py``), as a crafted client would.

The incident of the issue: on the meeting-room network an anonymous client uploaded and
confirmed an import, and a visitor re-uploading ``mcc_gea.csv`` removed the department's tables.
Here an anonymous session sends exactly the widget values that upload ``mcc_gea.csv`` (with one
semester fewer) and press « Importer » — the ids of those widgets taken from an editor's session
of the same server — and the server refuses: the sources and the store stay byte-identical and
the journal records the refusal. An editor who signs in (name + password from the secrets file)
imports through the same widgets, and the journal records who did it.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import sys
from pathlib import Path

import pytest
from conftest import QLIO

from butdata import passwords
from butdata.store import build_store
from butdata.store.journal import journal_path

sys.path.insert(0, str(Path(__file__).resolve().parent / "load"))

import stclient as c

# The department's file already in the sources: GEA S1 and S2 (tronc commun).
GEA = (
    "formation,semestre,parcours,UE,Code module,Intitulé du module,Coefficient\n"
    "GEA,1,,UE11,R1.01,Fondamentaux du management,2\n"
    "GEA,1,,UE12,SAE1.01,Projet,3\n"
    "GEA,2,,UE21,R2.01,Management,4\n"
    "GEA,2,,UE22,SAE2.01,Projet 2,5\n"
)
# What the anonymous visitor re-uploads under the same name: S2 would be removed.
GEA_S1_ONLY = (
    "formation,semestre,parcours,UE,Code module,Intitulé du module,Coefficient\n"
    "GEA,1,,UE11,R1.01,Fondamentaux du management,9\n"
)
ESSAI = (
    "formation,semestre,parcours,UE,Code module,Intitulé du module,Coefficient\n"
    "QLIO,1,Essai,UE11,R1.01,Anglais,2\n"
    "QLIO,1,Essai,UE12,SAE1.01,Projet,3\n"
)
EDITOR, PASSWORD = "marie.dupont", "correct-horse-battery"


def digests(sources: Path, db: Path) -> dict[str, str]:
    files = {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sources.iterdir()}
    return {**files, "<store>": hashlib.sha256(db.read_bytes()).hexdigest()}


def journal(db: Path) -> list[dict]:
    path = journal_path(db)
    return [json.loads(x) for x in path.read_text().splitlines()] if path.exists() else []


@pytest.fixture(scope="module")
def shared_server(tmp_path_factory):
    d = tmp_path_factory.mktemp("shared")
    sources = d / "sources"
    sources.mkdir()
    shutil.copy(QLIO, sources)
    (sources / "mcc_gea.csv").write_text(GEA, encoding="utf-8")
    db = d / "store.duckdb"
    build_store(sources, db)
    secrets = d / "secrets.toml"
    passwords.add_editor(EDITOR, PASSWORD, secrets)
    proc, port = c.start_server(
        db, d / "server.log", {"BUTDATA_SHARED": "1", "BUTDATA_SECRETS": str(secrets)}
    )
    yield port, sources, db, d / "server.log"
    c.stop_server(proc)


def by_key(run: c.Run, kind: str, key: str) -> c.Element:
    found = [e for e in run.widgets(kind) if e.key_is(key)]
    assert found, (kind, key, [(e.kind, e.id) for e in run.widgets()])
    return found[0]


def sign_in(s: c.Session, run: c.Run, password: str) -> c.Run:
    name, pw = by_key(run, "text_input", "auth_name"), by_key(run, "text_input", "auth_password")
    submit = next(e for e in run.widgets("button") if e.proto.label == "Se connecter")
    return s.run(
        widgets=[
            c.string_state(name, EDITOR),
            c.string_state(pw, password),
            c.trigger_state(submit.id),
        ]
    )


def test_anonymous_import_is_refused_server_side_and_an_editor_imports(shared_server):
    port, sources, db, log = shared_server
    before = digests(sources, db)

    # An editor signs in: the upload is offered to them (and tells us the widgets' ids).
    editor = c.Session(port)
    assert editor.run().ok
    page = editor.run(page="Donnees")
    assert page.ok, page.errors
    assert not page.widgets("file_uploader")  # anonymous: nothing to upload with
    wrong = sign_in(editor, page, "pas-le-bon-mot-de-passe")
    assert any("Nom ou mot de passe incorrect" in e for e in wrong.errors), wrong.errors
    assert not wrong.widgets("file_uploader")
    signed = sign_in(editor, wrong, PASSWORD)
    assert signed.ok, signed.errors
    assert any(EDITOR in t for t in signed.texts("markdown")), signed.texts("markdown")
    uploader = by_key(signed, "file_uploader", "import_file")
    urls = editor.upload("mcc_essai.csv", ESSAI.encode())
    essai = c.upload_state(uploader.id, "mcc_essai.csv", len(ESSAI.encode()), urls)
    uploaded = editor.run(widgets=[essai])
    assert uploaded.ok, uploaded.errors
    check = by_key(uploaded, "button", "import_check")  # read on « Vérifier le fichier »
    preview = editor.run(widgets=[essai, c.trigger_state(check.id)])
    assert preview.ok, preview.errors
    confirm = by_key(preview, "button", "import_confirm")

    # An anonymous client sends what would upload mcc_gea.csv and press « Importer ».
    crafted = c.Session(port)
    assert crafted.run().ok
    visit = crafted.run(page="Donnees")
    assert visit.ok and not visit.widgets("file_uploader")
    urls_gea = crafted.upload("mcc_gea.csv", GEA_S1_ONLY.encode())
    attack = crafted.run(
        widgets=[
            c.upload_state(uploader.id, "mcc_gea.csv", len(GEA_S1_ONLY.encode()), urls_gea),
            c.trigger_state(confirm.id),
        ]
    )
    assert any("Modification refusée" in e for e in attack.errors), attack.errors
    assert not [
        e for e in attack.widgets() if e.key_is("import_file") or e.key_is("import_confirm")
    ]
    assert digests(sources, db) == before  # sources and store byte-identical
    refused = journal(db)
    assert [(e["outcome"], e["file"], e["author"], e["action"]) for e in refused] == [
        ("refusé", "mcc_gea.csv", None, "import")
    ]
    crafted.close()

    # The editor confirms: the import goes through and is journalled under their name.
    done = editor.run(widgets=[essai, c.trigger_state(confirm.id)])
    assert done.ok, done.errors
    assert any("Import terminé" in t for t in done.texts("alert")), done.texts("alert")
    assert (sources / "mcc_essai.csv").read_text() == ESSAI
    assert (sources / "mcc_gea.csv").read_text() == GEA  # the department's file untouched
    last = journal(db)[-1]
    assert (last["outcome"], last["author"], last["method"], last["file"]) == (
        "réussi",
        EDITOR,
        "mot de passe",
        "mcc_essai.csv",
    )
    assert last["added"] == [
        "mcc_essai.csv:qlio-s1-essai"
    ]  # ids of a page import carry its file and last["removed"] == []
    editor.close()
    server_log = log.read_text(errors="replace")
    assert "Traceback" not in server_log, server_log[-3000:]
    assert PASSWORD not in server_log and "pas-le-bon-mot-de-passe" not in server_log


def _lan_address() -> str | None:
    """This machine's address on its network (not loopback), if it has one."""
    import socket

    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        try:
            s.connect(("10.255.255.255", 9))  # no packet is sent: this only picks the interface
            address = s.getsockname()[0]
        except OSError:
            return None
    if not address.startswith("127."):
        return address
    # No network here (a CI sandbox): as root, give loopback a documentation address
    # (192.0.2.0/24, never routed) so the "other machine" exists.
    import subprocess

    subprocess.run(["ip", "addr", "add", "192.0.2.2/32", "dev", "lo"], capture_output=True)
    with socket.socket() as probe:
        try:
            probe.bind(("192.0.2.2", 0))
        except OSError:
            return None
    return "192.0.2.2"


def test_local_server_opened_to_the_network_gives_other_machines_read_only(tmp_path):
    """Without BUTDATA_SHARED a server bound to every interface (``streamlit run app.py
    --server.address 0.0.0.0`` by hand) keeps the local user an editor, and a client coming
    from the network only reads."""
    address = _lan_address()
    assert address is not None, (
        "no network address besides loopback, and none could be added (needs root: "
        "`ip addr add 192.0.2.2/32 dev lo`)"
    )
    sources = tmp_path / "sources"
    sources.mkdir()
    shutil.copy(QLIO, sources)
    db = tmp_path / "store.duckdb"
    build_store(sources, db)
    proc, port = c.start_server(
        db,
        tmp_path / "server.log",
        {"BUTDATA_SHARED": ""},
        extra_args=["--server.address", "0.0.0.0"],
    )
    try:
        local = c.Session(port)
        assert local.run().ok
        page = local.run(page="Donnees")
        assert page.ok and page.widgets("file_uploader")  # the machine's own user: editor
        remote = c.Session(port, host=address)
        assert remote.run().ok
        page = remote.run(page="Donnees")
        assert page.ok, page.errors
        assert not page.widgets("file_uploader")
        assert any("ouvert au réseau sans le mode partagé" in t for t in page.texts("markdown"))
        local.close()
        remote.close()
    finally:
        c.stop_server(proc)
