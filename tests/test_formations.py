"""The 24 national B.U.T. specialities: acronyms, official names, printed variants, near misses,
and a formation outside the list stored with a warning (template)."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import MULTI
from test_export import snapshot

from butdata.exports.tidy import tidy_rows, write_csv
from butdata.formations import NAMES, acronym
from butdata.readers import read_document, read_text_lines
from butdata.readers.text_grid.titles import PASS_BUT, TITLE
from butdata.store import build_store, open_store
from butdata.text import normalize

# The list of the notes (source-formats.md, « The 24 national B.U.T. specialities »).
OFFICIAL = {
    "CJ": "Carrières juridiques",
    "CS": "Carrières sociales",
    "CHIMIE": "Chimie",
    "GB": "Génie biologique",
    "GCGP": "Génie chimique, génie des procédés",
    "GCCD": "Génie civil – construction durable",
    "GEII": "Génie électrique et informatique industrielle",
    "GIM": "Génie industriel et maintenance",
    "GMP": "Génie mécanique et productique",
    "GACO": "Gestion administrative et commerciale des organisations",
    "GEA": "Gestion des entreprises et des administrations",
    "HSE": "Hygiène, sécurité, environnement",
    "INFOCOM": "Information-communication",
    "INFO": "Informatique",
    "MLT": "Management de la logistique et des transports",
    "MP": "Mesures physiques",
    "MT2E": "Métiers de la transition et de l'efficacité énergétiques",
    "MMI": "Métiers du multimédia et de l'internet",
    "PEC": "Packaging, emballage et conditionnement",
    "QLIO": "Qualité, logistique industrielle et organisation",
    "RT": "Réseaux et télécommunications",
    "SD": "Science des données",
    "SGM": "Science et génie des matériaux",
    "TC": "Techniques de commercialisation",
}


def test_the_24_specialities():
    assert sorted(NAMES) == sorted(OFFICIAL) and len(NAMES) == 24


@pytest.mark.parametrize("acr", sorted(OFFICIAL))
def test_every_acronym_in_any_case(acr):
    assert acronym(acr) == acr
    assert acronym(acr.lower()) == acr
    assert acronym(f"B.U.T. {acr}") == acr
    assert acronym(f"  BUT {acr.capitalize()} ") == acr


@pytest.mark.parametrize("acr", sorted(OFFICIAL))
def test_every_official_name_and_the_stored_one(acr):
    assert acronym(OFFICIAL[acr]) == acr
    assert acronym(NAMES[acr]) == acr
    assert acronym(OFFICIAL[acr].upper()) == acr
    assert acronym(f"B.U.T. {OFFICIAL[acr]}") == acr
    assert acronym(f"Bachelor universitaire de technologie spécialité {OFFICIAL[acr]}") == acr


# Every formation name printed in the titles of document 004 (grep -n "Semestre"), by hand.
PRINTED_004 = {
    "Carrières sociales": "CS",
    "Gestion administrative et commerciale des organisations": "GACO",
    "Gestion des entreprises et des administrations": "GEA",
    "Génie Biologique": "GB",
    "Génie chimique, Génie des procédés": "GCGP",
    "Génie civil et construction durable": "GCCD",
    "Génie mécanique et productique": "GMP",
    "Génie électrique et informatique industrielle": "GEII",
    "Hygiène Sécurité Environnement": "HSE",
    "Informatique": "INFO",
    "Management de la logistique et du transport": "MLT",
    "Mesures physiques": "MP",
    "Qualité, logistique industrielle et organisation": "QLIO",
    "Science et génie des matériaux": "SGM",
    "Techniques de commercialisation": "TC",
    'Techniques de commercialisation "Pass\'BUT"': "TC",
}


def test_the_names_printed_in_document_004():
    names = set()
    for raw in read_text_lines(MULTI):
        m = TITLE.match(normalize(raw))
        if m:
            names.add(m.group("name").strip())
    assert names == set(PRINTED_004)  # the list above is the document's, no more, no less
    for name, acr in PRINTED_004.items():
        assert acronym(name) == acr, name
        assert acronym(PASS_BUT.sub("", name).strip()) == acr, name


@pytest.mark.parametrize(
    "printed,acr",
    [
        ("R&T", "RT"),
        ("R & T", "RT"),
        ("B.U.T. R&T", "RT"),
        ("Réseaux & Télécommunications", "RT"),
        ("Réseaux et Télécoms", "RT"),
        ("B.U.T. Réseaux et télécommunications (Agen)", "RT"),
        ("Réseaux – Télécommunications", "RT"),
        ("STID", "SD"),  # former acronym
        ("Statistique et informatique décisionnelle", "SD"),  # former name
        ("Sciences des données", "SD"),
        ("GLT", "MLT"),  # former acronym
        ("Gestion logistique et transport", "MLT"),  # former name
        ("Info-Com", "INFOCOM"),
        ("Information et communication", "INFOCOM"),
        ("Information – communication", "INFOCOM"),
        ("Génie civil – construction durable", "GCCD"),
        ("Génie Civil - Construction Durable", "GCCD"),
        ("Génie chimique - génie des procédés", "GCGP"),
        ("Génie chimique, Génie des procédés \u2010", "GCGP"),  # 004 line 912, before « Semestre »
        ("Métiers de la transition et de l’efficacité énergétiques", "MT2E"),  # U+2019
        ("Métiers du Multimédia et de l'Internet", "MMI"),
        ("Packaging, emballage et conditionnement", "PEC"),
        ("Hygiène, sécurité et environnement", "HSE"),
        ("Génie Électrique et Informatique Industrielle", "GEII"),
        ("GÉNIE INDUSTRIEL ET MAINTENANCE", "GIM"),
        ("Qualite logistique industrielle et organisation", "QLIO"),
        ("B.U.T Carrières Juridiques", "CJ"),
        ("«  Chimie  »", "CHIMIE"),
        ("Techniques\u00a0de\u00a0commercialisation", "TC"),
    ],
)
def test_printed_variants(printed, acr):
    assert acronym(printed) == acr


@pytest.mark.parametrize(
    "printed,acr",
    [
        ("Génie civil", "GCCD"),
        ("Génie chimique", "GCGP"),
        ("Informatique", "INFO"),
        ("Information-communication", "INFOCOM"),
        ("Gestion administrative et commerciale des organisations", "GACO"),
        ("Gestion des entreprises et des administrations", "GEA"),
        ("Chimie", "CHIMIE"),
        ("Génie chimique, génie des procédés", "GCGP"),
        ("Carrières sociales", "CS"),
        ("Carrières juridiques", "CJ"),
        ("Science des données", "SD"),
        ("Science et génie des matériaux", "SGM"),
        ("MP", "MP"),
        ("MMI", "MMI"),
        ("GMP", "GMP"),
        ("Génie mécanique et productique", "GMP"),
        ("Mesures physiques", "MP"),
    ],
)
def test_near_misses_stay_apart(printed, acr):
    assert acronym(printed) == acr


@pytest.mark.parametrize(
    "printed",
    [
        "",
        "BUT",
        "B.U.T.",
        "Génie",
        "Gestion",
        "Information",
        "Carrières",
        "Science",
        "Métiers",
        "Réseaux",
        "DU Data science",
        "Techniques de commercialisaton",  # a typo is not guessed
        "Licence professionnelle Qualité",
        "QLIOX",
        "Butinage",
    ],
)
def test_what_is_none_of_the_24(printed):
    assert acronym(printed) is None


# --- a formation in a template --------------------------------------------------------------

RT_DRAFT = """formation,semestre,parcours,UE,Code module,Intitulé du module,Coefficient,ECTS,Total UE
R&T,1,,UE11,R1.01,Initiation aux réseaux,3,10,5
R&T,1,,UE11,SAE1.01,Se sensibiliser à l'hygiène informatique,2,10,5
R&T,1,,UE12,R1.02,Principes des transmissions,4,10,4
R&T,1,,UE12,SAE1.01,Se sensibiliser à l'hygiène informatique,0,10,4
"""


def test_an_rt_table_in_a_template_round_trips(tmp_path):
    sources = tmp_path / "sources"
    sources.mkdir()
    (sources / "mcc_rt.csv").write_text(RT_DRAFT, encoding="utf-8")
    doc = read_document(sources / "mcc_rt.csv")
    (t,) = doc.tables
    assert (t.formation, t.formation_name, t.semester) == ("RT", "Réseaux et télécommunications", 1)
    assert not [i for i in t.issues if i.code == "formation_unknown"]
    # UE11: 3 + 2 = 5, UE12: 4 (the SAÉ's 0 only lists it): the printed totals hold.
    assert [(u.code, u.total, u.sum_ok) for u in t.ues] == [
        ("UE11", 5.0, True),
        ("UE12", 4.0, True),
    ]
    db = tmp_path / "a.duckdb"
    build_store(sources, db)
    con = open_store(db)
    try:
        assert con.execute("SELECT formation, count(*) FROM tables GROUP BY ALL").fetchall() == [
            ("RT", 1)
        ]
        again = tmp_path / "again"
        again.mkdir()
        write_csv(tidy_rows(con), again / "export.csv")
    finally:
        con.close()
    build_store(again, tmp_path / "b.duckdb")
    first, second = snapshot(db), snapshot(tmp_path / "b.duckdb")
    for view in ("tables", "ues", "coefficients", "modules"):
        assert second[view] == first[view], view


def test_a_formation_outside_the_list_is_stored_with_a_warning(tmp_path):
    path = tmp_path / "du.csv"
    path.write_text(
        "formation,semestre,UE,module_code,coefficient\nDU Data,1,UE11,R1.01,2\n", encoding="utf-8"
    )
    doc = read_document(path)
    (t,) = doc.tables
    assert (t.formation, t.formation_name, t.status) == ("DU Data", None, "partial")
    (issue,) = [i for i in t.issues if i.code == "formation_unknown"]
    assert issue.severity == "warning" and issue.line == 2
    assert issue.message.startswith("formation « DU Data » hors des 24 spécialités nationales")
    assert "CHIMIE, CJ, CS, GACO, GB, GCCD, GCGP, GEA, GEII, GIM, GMP, HSE, INFO, INFOCOM" in (
        issue.message
    )
    assert issue.message.endswith("QLIO, RT, SD, SGM, TC)")
    db = tmp_path / "du.duckdb"
    build_store(Path(tmp_path), db)
    con = open_store(db)
    try:
        assert con.execute(
            "SELECT t.formation, w.code FROM tables t JOIN warnings w USING (table_id)"
        ).fetchall() == [("DU Data", "formation_unknown")]
    finally:
        con.close()
