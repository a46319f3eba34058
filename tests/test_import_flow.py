"""The Données page's import flow for every kind of file (PDF, ORéBUT XML, XLSX, CSV) under
AppTest: drop → « Vérifier le fichier » → one block per table found (identity, status, checks,
mini-matrix, « voir la source » for a PDF) → untick some → « Importer » writes exactly the
tables kept. A bad file gets a French message naming it, and the store stays byte-identical.

Expected counts are the documents' own, counted by hand from the fixtures (tests/pdf_fixtures.py,
tests/data/orebut): the store keeps every printed non-zero value."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pdf_fixtures as fx
import pytest
from conftest import QLIO, ROOT, qlio_site
from streamlit.testing.v1 import AppTest

from butdata.store import build_store, open_store

APP = ROOT / "app.py"
PAGE = "pages/4_Donnees.py"
ORE = ROOT / "tests" / "data" / "orebut"
REFERENTIAL = ORE / "but-SD-referentiel.xml"
PROGRAMME = ORE / "but-pn-SD-programme.xml"
QLIO_TABLES = 18  # the QLIO document's tables (S1, S2, 5 × S3, 5 × S4, 3 × S5, 3 × S6)
PDF_MIME, XML_MIME = "application/pdf", "application/xml"
XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

# Two tables of QLIO S1 (UEs the store knows: UE11, UE12, UE13): 2 values, then 3.
TWO_TABLES = (
    "formation,semestre,parcours,UE,Code module,Intitulé du module,Coefficient\n"
    "QLIO,1,Essai,UE11,R1.01,Anglais,2\n"
    "QLIO,1,Essai,UE12,SAE1.01,Projet,3\n"
    "QLIO,1,Autre,UE11,R1.01,Anglais,1\n"
    'QLIO,1,Autre,UE12,R1.02,Mathématiques,"1,5"\n'
    "QLIO,1,Autre,UE13,SAE1.01,Projet,4\n"
)


@pytest.fixture(autouse=True)
def _fresh():
    import streamlit as st

    st.cache_data.clear()
    st.cache_resource.clear()
    yield
    st.cache_data.clear()
    st.cache_resource.clear()


@pytest.fixture()
def site(tmp_path, monkeypatch) -> tuple[Path, Path]:
    """A writable store built from a copy of the QLIO document."""
    sources, db = qlio_site(tmp_path)
    monkeypatch.setenv("BUTDATA_DB", str(db))
    return sources, db


def open_page() -> AppTest:
    return AppTest.from_file(str(APP), default_timeout=90).run().switch_page(PAGE).run()


def check(at: AppTest, files: list[tuple[str, bytes, str]]) -> AppTest:
    at.file_uploader(key="import_file").set_value(files).run()
    assert not at.exception, at.exception
    assert not [b for b in at.button if b.key == "import_confirm"]  # nothing read yet
    at.button(key="import_check").click().run()
    assert not at.exception, at.exception
    return at


def boxes(at: AppTest) -> dict[str, object]:
    """The « importer » box of each table found, by table id."""
    return {b.key.split(":", 2)[2]: b for b in at.checkbox if b.key.startswith("import_keep:")}


def keep_only(at: AppTest, wanted: set[str]) -> AppTest:
    found = boxes(at)
    assert wanted <= set(found), (wanted, sorted(found))
    for table_id, box in found.items():
        if table_id not in wanted:
            box.uncheck()
    return at.run()


def confirm(at: AppTest) -> AppTest:
    at.button(key="import_confirm").click().run()
    assert not at.exception, at.exception
    assert not at.error, [e.value for e in at.error]
    assert any("Import terminé" in s.value for s in at.success)
    return at


def stored(db: Path) -> dict[str, int]:
    """table_id -> number of stored values, for the tables not from the QLIO document."""
    con = open_store(db)
    try:
        rows = con.execute(
            "SELECT t.table_id, count(c.table_id) FROM tables t "
            "LEFT JOIN coefficients c USING (table_id) WHERE t.source <> ? GROUP BY 1",
            [QLIO.name],
        ).fetchall()
        n_tables = con.execute("SELECT count(*) FROM tables").fetchone()
    finally:
        con.close()
    assert n_tables is not None
    out = {r[0]: int(r[1]) for r in rows}
    assert n_tables[0] == QLIO_TABLES + len(out)
    return out


def texts(at: AppTest) -> list[str]:
    return [m.value for m in at.markdown] + [c.value for c in at.caption]


# --------------------------------------------------------------------------------------- PDF


def test_pdf_preview_shows_each_table_then_imports_the_one_kept(site):
    sources, db = site
    at = check(open_page(), [("orebut tc.pdf", fx.grid_pdf(), PDF_MIME)])
    shown = texts(at)
    assert any("lu comme PDF des MCC (grille ORéBUT" in t and "2 tableau(x)" in t for t in shown)
    # Identity as printed (heading « B.U.T. Techniques de commercialisation (Périgueux) … »).
    for semester in ("S1", "S2"):
        assert (
            "Formation : **TC — Techniques de commercialisation** · Site : **Périgueux** · "
            f"Semestre : **{semester}** · Parcours : **tronc commun**"
        ) in shown
    s1, s2 = "orebut_tc.pdf:tc-perigueux-s1", "orebut_tc.pdf:tc-perigueux-s2"
    found = boxes(at)
    assert sorted(found) == [s1, s2]
    assert "statut complet" in found[s1].label and "3 total(aux) juste(s) sur 3" in found[s1].label
    # S2's UE 2.2 prints 11 where 3 + 6 + 1 = 10.
    assert "statut partiel" in found[s2].label and "1 total(aux) faux sur 2" in found[s2].label
    assert ":red[:material/cancel:] UE 2.2 : somme des coefficients 10 ≠ total imprimé 11" in shown
    assert (
        ":green[:material/check_circle:] UE 1.1 : somme des coefficients 16 = total imprimé 16"
        in shown
    )
    # Mini-matrix of S1: UE 1.2 prints « | 5 | | 7,5 | 1,5 | 0 | 1 » (the 0 is not stored).
    matrix = next(d.value for d in at.dataframe if "UE 1.2" in d.value.columns)
    by_module = dict(zip(matrix["Module"], matrix["UE 1.2"]))
    assert by_module["R1.02 — Fondamentaux de la vente"] == "7,5"
    assert by_module["AOP MITD"] == "" and by_module["Total imprimé"] == "15"
    assert by_module["Crédits ECTS"] == "10"
    # 15 non-zero values in S1 (UE 1.1: 4, 6, 2, 3, 1; UE 1.2: 5, 7,5, 1,5, 1; UE 1.3: 2, 2, 1,
    # 1, 4, 2) and 6 in S2 (5, 4, 1; 3, 6, 1).
    assert any("`" + s1 + "` · 3 UE · 15 coefficient(s)" in t for t in shown)
    assert any("`" + s2 + "` · 2 UE · 6 coefficient(s)" in t for t in shown)

    # « Voir la source » of R1.02 × UE 1.2: the page region, as a PNG.
    source = next(s for s in at.selectbox if s.key.startswith("import_source:") and s1 in s.key)
    pick = next(i for i in source.options if "R1.02" in i and "« 7,5 »" in i)
    assert pick.endswith("× UE 1.2 : « 7,5 » (page 1)")
    source.set_value(source.options.index(pick) - 1).run()  # options: « — », then the values
    assert not at.exception, at.exception
    (image,) = at.get("image")
    assert "R1.02" in str(image.proto)

    keep_only(at, {s1})
    assert any("Tableaux : 1 ajouté(s), 1 écarté(s)." in t for t in texts(at))
    confirm(at)
    assert stored(db) == {s1: 15}
    register = json.loads((sources / ".imports.json").read_text(encoding="utf-8"))
    assert register["files"]["orebut_tc.pdf"]["excluded"] == [s2]
    # A later build from the sources keeps the choice: the unticked table never comes back.
    build_store(sources, db)
    assert stored(db) == {s1: 15}


def test_pdf_import_of_every_table(site):
    _, db = site
    at = check(open_page(), [("orebut_tc.pdf", fx.grid_pdf(), PDF_MIME)])
    confirm(at)
    assert stored(db) == {"orebut_tc.pdf:tc-perigueux-s1": 15, "orebut_tc.pdf:tc-perigueux-s2": 6}


# --------------------------------------------------------------------------------------- XML


def test_orebut_programme_with_its_referential_imports_the_tables_picked(site):
    sources, db = site
    at = check(
        open_page(),
        [
            (REFERENTIAL.name, REFERENTIAL.read_bytes(), XML_MIME),
            (PROGRAMME.name, PROGRAMME.read_bytes(), XML_MIME),
        ],
    )
    shown = texts(at)
    assert any("lu comme export XML d'ORéBUT (programme national)" in t for t in shown)
    prefix = PROGRAMME.name + ":sd-"  # qualified by the file imported
    assert sorted(boxes(at)) == sorted(
        prefix + t for t in ("s1-vcod", "s1-ems", "s3-vcod", "s3-ems")
    )
    assert (
        "Formation : **SD — Science des données** · Site : **non indiqué par le fichier** · "
        "Semestre : **S3** · Parcours : **EMS**"
    ) in shown
    # The programme prints no total: nothing checked (never « complet »).
    assert all("statut partiel" in b.label for b in boxes(at).values())
    # Hand count from tests/data/orebut (test_orebut.EXPECTED): S1 VCOD 7 values, S1 EMS 7,
    # S3 VCOD 3 (5, 3, 2,5), S3 EMS 2 (2,5, 0,5).
    keep_only(at, {prefix + "s1-vcod", prefix + "s3-ems"})
    confirm(at)
    assert stored(db) == {prefix + "s1-vcod": 7, prefix + "s3-ems": 2}
    assert (sources / REFERENTIAL.name).is_file() and (sources / PROGRAMME.name).is_file()


# -------------------------------------------------------------------------------------- XLSX


def test_xlsx_block_workbook_imports_the_tables_picked(site):
    _, db = site
    at = check(open_page(), [("mcc mmi.xlsx", fx.blocks_workbook(), XLSX_MIME)])
    assert any(
        "lu comme classeur MCC (blocs « Ressources » / « SAÉ » par compétence)" in t
        and "8 tableau(x)" in t
        for t in texts(at)
    )
    s1 = "mcc_mmi.xlsx:mmi-s1"
    s6b = "mcc_mmi.xlsx:mmi-s6-strategie-de-communication-numerique-et"
    # S1 (pdf_fixtures.S1): ressources 3 + 2 + 1 + 2 + 2, SAÉ 2 + 2 + 1 (+ an empty portfolio)
    # = 15 values; S6 of parcours B: Anglais 0,5 | 0,5 and Stage 10 | 10 = 4 values.
    keep_only(at, {s1, s6b})
    assert any("Tableaux : 2 ajouté(s), 6 écarté(s)." in t for t in texts(at))
    confirm(at)
    assert stored(db) == {s1: 15, s6b: 4}


# --------------------------------------------------------------------------------------- CSV


def test_csv_template_imports_only_the_table_kept(site):
    _, db = site
    at = check(open_page(), [("deux tableaux.csv", TWO_TABLES.encode(), "text/csv")])
    essai, autre = "deux_tableaux.csv:qlio-s1-essai", "deux_tableaux.csv:qlio-s1-autre"
    assert sorted(boxes(at)) == sorted([essai, autre])
    keep_only(at, {autre})
    confirm(at)
    assert stored(db) == {autre: 3}  # 1 + 1,5 + 4, the three rows of « Autre »
    con = open_store(db)
    try:
        values = con.execute(
            "SELECT ue, coefficient FROM coefficients WHERE table_id = ? ORDER BY ue", [autre]
        ).fetchall()
    finally:
        con.close()
    assert values == [("UE11", 1.0), ("UE12", 1.5), ("UE13", 4.0)]


def test_untick_every_table_offers_no_import(site):
    sources, db = site
    before = hashlib.sha256(db.read_bytes()).hexdigest()
    at = check(open_page(), [("deux tableaux.csv", TWO_TABLES.encode(), "text/csv")])
    keep_only(at, set())
    assert any("Aucun tableau coché dans « deux_tableaux.csv »" in w.value for w in at.warning)
    assert not [b for b in at.button if b.key == "import_confirm"]
    assert hashlib.sha256(db.read_bytes()).hexdigest() == before


# ---------------------------------------------------------------------------------- bad files


def _truncated_grid() -> bytes:
    data = fx.grid_pdf()
    return data[: len(data) // 2]


BAD_FILES = [
    ("casse.pdf", b"%PDF-1.4\n\x00\x01 rien", PDF_MIME, "PDF tronqué"),
    ("tronque.pdf", _truncated_grid(), PDF_MIME, "PDF tronqué"),
    ("scan.pdf", fx.scanned_pdf(), PDF_MIME, "PDF sans texte : numérisé ?"),
    ("protege.pdf", fx.encrypted_pdf(), PDF_MIME, "PDF protégé par un mot de passe"),
    ("compte rendu.pdf", fx.text_pdf(2), PDF_MIME, "aucun tableau de MCC reconnu"),
    (PROGRAMME.name, PROGRAMME.read_bytes(), XML_MIME, "sans son référentiel de compétences"),
    (
        "faux.xlsx",
        b"PK\x03\x04 pas un classeur",
        XLSX_MIME,
        "classeur XLSX illisible : ce n'est pas une archive ZIP valide",
    ),
    ("vide.csv", b"", "text/csv", "fichier vide"),
]


@pytest.mark.parametrize(
    ("name", "content", "mime", "message"), BAD_FILES, ids=[b[0] for b in BAD_FILES]
)
def test_a_bad_file_is_told_in_french_and_changes_nothing(site, name, content, mime, message):
    sources, db = site
    before = hashlib.sha256(db.read_bytes()).hexdigest()
    listing = sorted(p.name for p in sources.iterdir())
    at = check(open_page(), [(name, content, mime)])
    shown_name = name.replace(" ", "_")
    assert any(f"« {shown_name} » ne peut pas être importé" in e.value for e in at.error)
    errors = next(d.value for d in at.dataframe if "erreur" in d.value.columns)
    assert any(message in e for e in errors["erreur"]), list(errors["erreur"])
    assert not [b for b in at.button if b.key == "import_confirm"]
    assert hashlib.sha256(db.read_bytes()).hexdigest() == before
    assert sorted(p.name for p in sources.iterdir()) == listing


def test_a_broken_programme_names_its_line_and_spoils_the_whole_upload(site):
    """With its referential, a programme cut short is an XML error at its line; the referential
    uploaded with it is not imported either (all or nothing)."""
    sources, db = site
    before = hashlib.sha256(db.read_bytes()).hexdigest()
    text = PROGRAMME.read_text(encoding="utf-8").split("\n")
    cut = "\n".join(text[:40]).encode()  # stops inside <semestre numero="1">
    at = check(
        open_page(),
        [
            (REFERENTIAL.name, REFERENTIAL.read_bytes(), XML_MIME),
            (PROGRAMME.name, cut, XML_MIME),
        ],
    )
    assert any(f"« {PROGRAMME.name} » ne peut pas être importé" in e.value for e in at.error)
    errors = next(d.value for d in at.dataframe if "erreur" in d.value.columns)
    assert errors.columns[0] == "ligne" and errors["ligne"][0] is not None
    assert any("aucun des fichiers déposés ne sera importé" in w.value for w in at.warning)
    assert not [b for b in at.button if b.key == "import_confirm"]
    assert hashlib.sha256(db.read_bytes()).hexdigest() == before
    assert not (sources / REFERENTIAL.name).exists()


def test_text_from_the_file_is_shown_as_itself_not_as_markdown(site):
    """A parcours written as a Markdown link and emphasis stays that text on screen."""
    hostile = "[lien](https://exemple.invalid) *x* :red[y]"
    csv = (
        "formation,semestre,parcours,UE,Code module,Intitulé du module,Coefficient\n"
        f"QLIO,1,{hostile},UE11,R1.01,Anglais,2\n"
    )
    at = check(open_page(), [("piege.csv", csv.encode(), "text/csv")])
    escaped = r"\[lien\](https://exemple.invalid) \*x\* :red\[y\]"
    assert any(f"Parcours : **{escaped}**" in t for t in texts(at))
    (box,) = boxes(at).values()
    assert escaped in box.label and hostile not in box.label
