"""The ORéBUT programme export (XML): the two hand-written sample files of tests/data/orebut,
and small files built here for the odd cases. Expected values are read off the sample files by
hand (each coefficient's line is checked against the file's own text)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from conftest import ROOT, SOURCES
from test_export import snapshot

from butdata.errors import SourceError
from butdata.exports.tidy import tidy_rows, write_csv
from butdata.readers import orebut_parse, read_document, source_files
from butdata.store import build_store, open_store

SAMPLES = ROOT / "tests" / "data" / "orebut"
REFERENTIAL = SAMPLES / "but-SD-referentiel.xml"
PROGRAMME = SAMPLES / "but-pn-SD-programme.xml"


def file_line(path: Path, line: int) -> str:
    return path.read_text(encoding="utf-8").split("\n")[line - 1]


@pytest.fixture(scope="module")
def doc():
    return read_document(PROGRAMME)


def table(doc, semester: int, parcours: str):
    (t,) = [t for t in doc.tables if (t.semester, t.parcours) == (semester, parcours)]
    return t


# --- the programme's tables -----------------------------------------------------------------


def test_the_programme_is_a_national_document(doc):
    assert (doc.source, doc.layout, doc.kind) == ("but-pn-SD-programme.xml", "orebut", "programme")
    assert doc.title == "Programme national B.U.T. SD (ORéBUT)"
    assert doc.year is None  # not in the export: never invented
    # One table per semester (S1, S3) × parcours (VCOD, EMS), in file then referential order.
    assert [(t.semester, t.parcours) for t in doc.tables] == [
        (1, "VCOD"),
        (1, "EMS"),
        (3, "VCOD"),
        (3, "EMS"),
    ]
    assert [t.table_id for t in doc.tables] == [
        "but-pn-sd-programme-sd-s1-vcod",
        "but-pn-sd-programme-sd-s1-ems",
        "but-pn-sd-programme-sd-s3-vcod",
        "but-pn-sd-programme-sd-s3-ems",
    ]
    for t in doc.tables:
        assert (t.source, t.formation, t.formation_name, t.layout) == (
            "but-pn-SD-programme.xml",
            "SD",
            "Science des données",
            "orebut",
        )
        assert t.site is None and not t.alternance and t.year is None
        # The programme prints no total: nothing checked, never "complete"; ECTS unknown.
        assert t.status == "partial"
        assert (t.declared_total, t.declared_ects) == (None, None)
        assert all(u.ects is None and u.total is None and u.sum_ok is None for u in t.ues)
        assert [i.severity for i in t.issues if i.code == "totals_missing"] == ["info"]
    # <semestre numero="1" …> is line 6 (the file starts with a line break), numero="3" line 130.
    assert [t.line for t in doc.tables] == [6, 6, 130, 130]
    assert 'numero="1"' in file_line(PROGRAMME, 6) and 'numero="3"' in file_line(PROGRAMME, 130)
    assert table(doc, 1, "VCOD").title == (
        "Semestre 1 BUT SD parcours VCOD – Visualisation et conception d'outils décisionnels "
        "(programme national ORéBUT)"
    )


def test_the_ues_are_the_parcours_competences(doc):
    """Number 4 is « Développer » in VCOD and « Modéliser » in EMS (referential lines 56, 68);
    « Valoriser » (3) has no second-year level in either parcours."""
    ues = {
        (t.semester, t.parcours): [(u.code, u.competence, u.name, u.level) for u in t.ues]
        for t in doc.tables
    }
    first_year = [
        (
            "UE 1.1",
            1,
            "Traiter des données à des fins décisionnelles",
            "Traiter des données simples",
        ),
        ("UE 1.2", 2, "Analyser statistiquement les données", "Analyser des données univariées"),
        (
            "UE 1.3",
            3,
            "Valoriser une production dans un contexte professionnel",
            "Valoriser une production simple",
        ),
    ]
    assert ues[(1, "VCOD")] == [
        *first_year,
        ("UE 1.4", 4, "Développer des outils décisionnels", "Développer des outils simples"),
    ]
    assert ues[(1, "EMS")] == [
        *first_year,
        (
            "UE 1.4",
            4,
            "Modéliser les données dans un cadre statistique",
            "Modéliser des données simples",
        ),
    ]
    assert [u[:3] for u in ues[(3, "VCOD")]] == [
        ("UE 3.1", 1, "Traiter des données à des fins décisionnelles"),
        ("UE 3.2", 2, "Analyser statistiquement les données"),
        ("UE 3.4", 4, "Développer des outils décisionnels"),
    ]
    assert [u[:3] for u in ues[(3, "EMS")]] == [
        ("UE 3.1", 1, "Traiter des données à des fins décisionnelles"),
        ("UE 3.2", 2, "Analyser statistiquement les données"),
        ("UE 3.4", 4, "Modéliser les données dans un cadre statistique"),
    ]
    assert ues[(3, "EMS")][2][3] == "Modéliser avec des modèles linéaires"  # level 2 text


# (semester, parcours, UE, module code, module title) -> coefficient, read off the sample file.
EXPECTED = {
    # S1, SAÉ 1.01 (every parcours): Traiter 2, Développer 1.5, Modéliser 1.
    (1, "VCOD", "UE 1.1", "SAÉ 1.01", "Traitement d'un jeu de données"): 2.0,
    (1, "VCOD", "UE 1.4", "SAÉ 1.01", "Traitement d'un jeu de données"): 1.5,
    (1, "EMS", "UE 1.1", "SAÉ 1.01", "Traitement d'un jeu de données"): 2.0,
    (1, "EMS", "UE 1.4", "SAÉ 1.01", "Traitement d'un jeu de données"): 1.0,
    # S1, SAÉ 1.02 Portfolio: two zeros, nothing stored.
    # S1, R1.01 (every parcours): Traiter 3, Analyser 1; the other R1.01 has no competence.
    (1, "VCOD", "UE 1.1", "R1.01", "Programmation & algorithmique"): 3.0,
    (1, "VCOD", "UE 1.2", "R1.01", "Programmation & algorithmique"): 1.0,
    (1, "EMS", "UE 1.1", "R1.01", "Programmation & algorithmique"): 3.0,
    (1, "EMS", "UE 1.2", "R1.01", "Programmation & algorithmique"): 1.0,
    # S1, R1.02 (every parcours): Analyser 2.5.
    (1, "VCOD", "UE 1.2", "R1.02", "Statistique d'exploration"): 2.5,
    (1, "EMS", "UE 1.2", "R1.02", "Statistique d'exploration"): 2.5,
    # S1, R1.03 (VCOD only): Valoriser 2, Développer 2.
    (1, "VCOD", "UE 1.3", "R1.03", "Tableaux de bord"): 2.0,
    (1, "VCOD", "UE 1.4", "R1.03", "Tableaux de bord"): 2.0,
    # S1, R1.04 (EMS only): Valoriser 1, Modéliser 4.
    (1, "EMS", "UE 1.3", "R1.04", "Probabilités"): 1.0,
    (1, "EMS", "UE 1.4", "R1.04", "Probabilités"): 4.0,
    # S3, SAÉ 3.01 (VCOD only): Traiter 5, Développer 3.
    (3, "VCOD", "UE 3.1", "SAÉ 3.01", "Conception d'un entrepôt"): 5.0,
    (3, "VCOD", "UE 3.4", "SAÉ 3.01", "Conception d'un entrepôt"): 3.0,
    # S3, R3.01 (VCOD and EMS listed): Analyser 2.5, Modéliser 0.5 (EMS has it), Valoriser 1
    # (no parcours has it in 2nd year: warned), Inventer 2 (not in the referential: warned).
    (3, "VCOD", "UE 3.2", "R3.01", "Modèles linéaires"): 2.5,
    (3, "EMS", "UE 3.2", "R3.01", "Modèles linéaires"): 2.5,
    (3, "EMS", "UE 3.4", "R3.01", "Modèles linéaires"): 0.5,
}


def test_every_coefficient_in_its_semester_parcours_and_ue(doc):
    got = {}
    for t in doc.tables:
        ue_of = {u.competence: u.code for u in t.ues}
        for c in t.coefficients:
            key = (t.semester, t.parcours, ue_of[c.competence], c.module_code, c.module_name)
            assert key not in got, key
            got[key] = c.coefficient
    assert got == EXPECTED


def test_every_coefficient_traces_to_its_line(doc):
    names = {1: "Traiter", 2: "Analyser", 3: "Valoriser"}
    for t in doc.tables:
        by_number = {u.competence: u.name for u in t.ues}
        for c in t.coefficients:
            text = file_line(PROGRAMME, c.line)
            assert f'coefficient="{c.printed}"' in text, (c, text)
            short = names.get(c.competence) or by_number[c.competence].split()[0]
            assert f'nom="{short}"' in text, (c, text)
            assert float(c.printed) == c.coefficient


def test_modules_listed_with_their_kind_zeros_and_duplicates_included(doc):
    listed = {
        (t.semester, t.parcours): [(m.position, m.code, m.name, m.kind) for m in t.modules]
        for t in doc.tables
    }
    common = [
        (1, "SAÉ 1.01", "Traitement d'un jeu de données", "sae"),
        (2, "SAÉ 1.02", "Portfolio", "portfolio"),  # only zeros: listed, no coefficient
        (3, "R1.01", "Programmation & algorithmique", "ressource"),
        (4, "R1.01", "Anglais", "ressource"),  # the same code again, without competence
        (5, "R1.02", "Statistique d'exploration", "ressource"),
    ]
    assert listed[(1, "VCOD")] == [*common, (6, "R1.03", "Tableaux de bord", "ressource")]
    assert listed[(1, "EMS")] == [*common, (6, "R1.04", "Probabilités", "ressource")]
    assert listed[(3, "VCOD")] == [
        (1, "SAÉ 3.01", "Conception d'un entrepôt", "sae"),
        (2, "R3.01", "Modèles linéaires", "ressource"),
    ]
    assert listed[(3, "EMS")] == [(1, "R3.01", "Modèles linéaires", "ressource")]
    for t in doc.tables:
        assert all(m.semester_coefficient is None for m in t.modules)  # not in the programme
        for m in t.modules:
            assert f'code="{m.code}"' in file_line(PROGRAMME, m.line)
    assert not [c for t in doc.tables for c in t.coefficients if c.module_code == "SAÉ 1.02"]


def test_the_duplicated_code_is_warned(doc):
    for parcours in ("VCOD", "EMS"):
        (issue,) = [i for i in table(doc, 1, parcours).issues if i.code == "duplicate_code"]
        assert issue.line == 61 and 'code="R1.01"' in file_line(PROGRAMME, 61)
        assert issue.message == (
            "code R1.01 porté par 2 modules du semestre, gardés tels qu'écrits : ligne 43 "
            "« Programmation & algorithmique » ; ligne 61 « Anglais » (sans compétence)"
        )
    assert not [i for t in doc.tables[2:] for i in t.issues if i.code == "duplicate_code"]


def test_what_no_table_can_show_is_warned_on_the_document(doc):
    warned = [(i.line, i.code, i.message) for i in doc.issues if i.severity == "warning"]
    assert warned == [
        (
            161,
            "competence_not_in_parcours",
            "R3.01 : la compétence « Valoriser » n'est dans aucun parcours du module en 2e "
            "année : coefficient 1 non retenu",
        ),
        (
            162,
            "competence_unknown",
            "R3.01 : compétence « Inventer » absente du référentiel « but-SD-referentiel.xml » "
            ": coefficient 2 non retenu",
        ),
    ]
    assert 'nom="Valoriser"' in file_line(PROGRAMME, 161)
    assert 'nom="Inventer"' in file_line(PROGRAMME, 162)
    (info,) = [i for i in doc.issues if i.code == "referential_origin"]
    assert "« but-SD-referentiel.xml »" in info.message


def test_html_entities_are_resolved(doc):
    """``&#039;`` (line 9), ``&amp;amp;`` (line 44) and ``&amp;#039;`` (line 77) as ORéBUT
    escapes its texts once or twice."""
    assert "&#039;" in file_line(PROGRAMME, 9)
    assert "&amp;amp;" in file_line(PROGRAMME, 44)
    assert "&amp;#039;" in file_line(PROGRAMME, 77)
    names = {m.name for t in doc.tables for m in t.modules}
    assert {"Traitement d'un jeu de données", "Programmation & algorithmique"} <= names
    assert "Statistique d'exploration" in names
    assert not [n for n in names if "&" in n and "algorithmique" not in n]


# --- the referential, the pairing, the registry ---------------------------------------------


def test_the_referential_alone_is_a_document_without_tables():
    ref = read_document(REFERENTIAL)
    assert (ref.source, ref.layout, ref.kind, ref.tables) == (
        "but-SD-referentiel.xml",
        "orebut",
        "programme",
        [],
    )
    assert ref.title == "Référentiel de compétences B.U.T. SD (ORéBUT)"
    assert [(i.code, i.severity) for i in ref.issues] == [("referential_origin", "info")]
    assert "5 compétence(s), 2 parcours" in ref.issues[0].message


def test_both_xml_files_are_sources_told_apart_by_content(tmp_path):
    shutil.copy(PROGRAMME, tmp_path / "programme.xml")  # names say nothing
    shutil.copy(REFERENTIAL, tmp_path / "competences.XML")
    assert [p.name for p in source_files(tmp_path)] == ["competences.XML", "programme.xml"]
    assert read_document(tmp_path / "competences.XML").tables == []
    assert len(read_document(tmp_path / "programme.xml").tables) == 4


def test_a_programme_without_its_referential_is_a_clear_error(tmp_path):
    shutil.copy(PROGRAMME, tmp_path / PROGRAMME.name)
    with pytest.raises(SourceError) as info:
        read_document(tmp_path / PROGRAMME.name)
    assert info.value.source == "but-pn-SD-programme.xml"
    assert str(info.value).startswith(
        "but-pn-SD-programme.xml: référentiel de compétences introuvable : ce programme ORéBUT "
        "se lit avec le référentiel de sa spécialité"
    )


def referential_xml(speciality: str, names: list[str]) -> str:
    comps = "".join(
        f'<competence nom_court="{n}" numero="{i}" libelle_long="{n} long" id="k{i}"/>'
        for i, n in enumerate(names, 1)
    )
    return (
        f'<?xml version="1.0" encoding="UTF-8"?>\n<referentiel_competence specialite="{speciality}">'
        f"<competences>{comps}</competences><parcours/></referentiel_competence>\n"
    )


def programme_xml(semesters: str) -> str:
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n<referentiel_formation>\n'
        f"{semesters}</referentiel_formation>\n"
    )


ONE_MODULE = """<semestre numero="1" libelle="S1" ordreAnnee="1"><saes/><ressources>
<ressource code="R1.01" ordre="1"><titre>Droit</titre><competences>
<competence coefficient="2" nom="Conseiller"/>
</competences><liste_parcours/></ressource></ressources></semestre>
"""


def test_the_referential_is_chosen_by_competence_names_then_by_file_name(tmp_path):
    (tmp_path / "a.xml").write_text(referential_xml("INFO", ["Réaliser", "Optimiser"]), "utf-8")
    (tmp_path / "b.xml").write_text(referential_xml("CJ", ["Conseiller", "Défendre"]), "utf-8")
    (tmp_path / "p.xml").write_text(programme_xml(ONE_MODULE), "utf-8")
    doc = read_document(tmp_path / "p.xml")
    assert doc.title == "Programme national B.U.T. CJ (ORéBUT)"
    assert [(t.formation, t.parcours, [u.code for u in t.ues]) for t in doc.tables] == [
        ("CJ", None, ["UE 1.1", "UE 1.2"])
    ]
    # Two referentials that both know the names: the programme's file name decides...
    (tmp_path / "a.xml").write_text(referential_xml("GEA", ["Conseiller", "Gérer"]), "utf-8")
    with pytest.raises(SourceError) as info:
        read_document(tmp_path / "p.xml")
    assert (
        "plusieurs référentiels de compétences conviennent à ce programme (« a.xml », « b.xml »)"
        in (str(info.value))
    )
    (tmp_path / "p.xml").rename(tmp_path / "but-pn-CJ-2022.xml")
    assert read_document(tmp_path / "but-pn-CJ-2022.xml").tables[0].formation == "CJ"
    # ... and a referential that knows none of them is no referential of this programme.
    (tmp_path / "a.xml").unlink()
    (tmp_path / "b.xml").write_text(referential_xml("TC", ["Vendre"]), "utf-8")
    with pytest.raises(SourceError, match="aucun référentiel de compétences du dossier ne nomme"):
        read_document(tmp_path / "but-pn-CJ-2022.xml")


def test_a_referential_without_parcours_gives_one_table_per_semester(tmp_path):
    (tmp_path / "r.xml").write_text(referential_xml("CJ", ["Conseiller", "Défendre"]), "utf-8")
    (tmp_path / "p.xml").write_text(programme_xml(ONE_MODULE), "utf-8")
    (t,) = read_document(tmp_path / "p.xml").tables
    assert (t.parcours, t.title) == (None, "Semestre 1 BUT CJ (programme national ORéBUT)")
    assert [(c.competence, c.coefficient, c.printed, c.line) for c in t.coefficients] == [
        (1, 2.0, "2", 5)
    ]


def test_older_referentials_and_inferred_parcours_years(tmp_path):
    """No ``numero`` (the colour gives it), parcours naming competences by ``nom``, a parcours
    without the year of the semester (its other years are used, with a warning)."""
    (tmp_path / "r.xml").write_text(
        """<referentiel_competence specialite="GEA">
<competences>
<competence nom_court="Gérer" couleur="c1" libelle_long="Gérer"/>
<competence nom_court="Piloter" couleur="c2" libelle_long="Piloter"/>
</competences>
<parcours><parcour code="GC2F" libelle="Gestion comptable">
<annee ordre="2"><competence niveau="2" nom="Piloter"/></annee>
</parcour></parcours>
</referentiel_competence>
""",
        "utf-8",
    )
    (tmp_path / "p.xml").write_text(
        programme_xml(
            '<semestre numero="1"><saes><sae code="SAÉ 1.01"><titre>Projet</titre><competences>'
            '<competence coefficient="3" nom="Piloter"/><competence coefficient="1" nom="Gérer"/>'
            "</competences><liste_parcours/></sae></saes></semestre>\n"
        ),
        "utf-8",
    )
    ref = read_document(tmp_path / "r.xml")
    assert [(i.line, i.code) for i in ref.issues if i.code == "competence_inferred"] == [
        (3, "competence_inferred"),
        (4, "competence_inferred"),
    ]
    doc = read_document(tmp_path / "p.xml")
    (t,) = doc.tables
    assert [u.code for u in t.ues] == ["UE 1.2"]  # Piloter (c2), the parcours' only competence
    assert [(c.competence, c.coefficient) for c in t.coefficients] == [(2, 3.0)]
    (issue,) = [i for i in t.issues if i.code == "competence_inferred"]
    assert issue.severity == "warning" and "GC2F en 1re année" in issue.message
    assert [i.code for i in doc.issues if i.severity == "warning"] == ["competence_not_in_parcours"]


def test_unknown_parcours_repeated_semester_and_bad_coefficients(tmp_path):
    shutil.copy(REFERENTIAL, tmp_path / REFERENTIAL.name)
    (tmp_path / "p.xml").write_text(
        programme_xml(
            '<semestre numero="2"><ressources>\n'
            '<ressource code="R2.01"><titre>A</titre><competences>\n'
            '<competence coefficient="" nom="Traiter"/>\n'
            '<competence coefficient="deux" nom="Analyser"/>\n'
            '<competence coefficient="1,5" nom="Valoriser"/>\n'
            "</competences><liste_parcours><parcours>XYZ</parcours></liste_parcours></ressource>\n"
            "</ressources></semestre>\n"
            '<semestre numero="2"><ressources>\n'
            '<ressource code="R2.02"><titre>B</titre><competences>\n'
            '<competence coefficient="1,5" nom="Valoriser"/>\n'
            "</competences><liste_parcours><parcours>vcod</parcours></liste_parcours></ressource>\n"
            "</ressources></semestre>\n"
        ),
        "utf-8",
    )
    doc = read_document(tmp_path / "p.xml")
    assert [(i.line, i.code) for i in doc.issues if i.severity == "warning"] == [
        (5, "bad_coefficient"),
        (6, "bad_coefficient"),
        (10, "duplicate_semester"),
        (8, "parcours_unknown"),
    ]
    assert "le module n'est dans aucun tableau" in doc.issues[-1].message
    vcod, ems = doc.tables  # one S2 per parcours, the repeated element's modules included
    assert [m.code for m in vcod.modules] == ["R2.02"]  # « vcod »: codes compared without case
    assert [(c.competence, c.coefficient, c.printed) for c in vcod.coefficients] == [
        (3, 1.5, "1,5")
    ]
    assert ems.modules == [] and ems.status == "empty"


# --- safe parsing ---------------------------------------------------------------------------


def test_malformed_xml_names_the_file_and_line(tmp_path):
    path = tmp_path / "p.xml"
    path.write_text("<referentiel_formation>\n<semestre numero='1'>\n</referentiel_formation>\n")
    with pytest.raises(SourceError) as info:
        read_document(path)
    assert (info.value.source, info.value.line) == ("p.xml", 3)
    assert "XML mal formé : balise fermante qui ne correspond pas à la balise ouverte" in str(
        info.value
    )


@pytest.mark.parametrize(
    "text",
    [
        # billion laughs
        '<?xml version="1.0"?>\n<!DOCTYPE referentiel_formation [<!ENTITY a "aaaaaaaaaa">'
        '<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>\n<referentiel_formation>&b;'
        "</referentiel_formation>",
        # external entity
        '<?xml version="1.0"?>\n<!DOCTYPE referentiel_formation [<!ENTITY x SYSTEM '
        '"file:///etc/passwd">]>\n<referentiel_formation>&x;</referentiel_formation>',
    ],
)
def test_dtds_and_entities_are_refused(tmp_path, text):
    path = tmp_path / "p.xml"
    path.write_text(text)
    with pytest.raises(SourceError) as info:
        read_document(path)
    assert info.value.line == 2 and "DTD" in info.value.message


def test_huge_files_are_refused_before_parsing(tmp_path, monkeypatch):
    monkeypatch.setattr(orebut_parse, "MAX_BYTES", 1000)
    path = tmp_path / "p.xml"
    path.write_text("<referentiel_formation>" + " " * 2000 + "</referentiel_formation>")
    with pytest.raises(SourceError, match="fichier XML trop volumineux"):
        read_document(path)


def test_other_xml_is_not_an_orebut_export(tmp_path):
    path = tmp_path / "x.xml"
    path.write_text('<?xml version="1.0"?>\n<!-- x -->\n<events><event/></events>\n')
    with pytest.raises(SourceError, match="document XML non reconnu : un export ORéBUT"):
        read_document(path)


def test_html_entities_bare_ampersands_and_a_bom_are_repaired():
    root = orebut_parse.parse_text(
        "t.xml",
        "\ufeff\n<?xml version='1.0'?>\n<a b='R&D'>\n<t>x&nbsp;y &eacute;t&eacute; "
        "&amp;#039;z&#039; &zorg;</t></a>",
    )
    (t,) = root.children
    assert (root.attr("b"), root.line, t.line, t.text) == ("R&D", 3, 4, "x y été 'z' &zorg;")


# --- in the store ---------------------------------------------------------------------------


def test_a_store_of_the_seed_documents_and_the_programme(store_path, tmp_path):
    sources = tmp_path / "sources"
    shutil.copytree(SOURCES, sources)
    shutil.copy(PROGRAMME, sources)
    shutil.copy(REFERENTIAL, sources)
    db = tmp_path / "all.duckdb"
    build_store(sources, db)
    seeds, both = snapshot(store_path), snapshot(db)
    con = open_store(db)
    try:
        ours = {
            r[0]
            for r in con.execute(
                "SELECT table_id FROM tables WHERE source = 'but-pn-SD-programme.xml'"
            ).fetchall()
        }
        assert len(ours) == 4
        for view in ("tables", "ues", "coefficients", "modules"):  # the seeds' rows unchanged
            assert [r for r in both[view] if r[0] not in ours] == seeds[view], view
        assert con.execute(
            "SELECT source, layout, kind, n_tables, title FROM sources WHERE layout = 'orebut' "
            "ORDER BY source"
        ).fetchall() == [
            (
                "but-SD-referentiel.xml",
                "orebut",
                "programme",
                0,
                "Référentiel de compétences B.U.T. SD (ORéBUT)",
            ),
            (
                "but-pn-SD-programme.xml",
                "orebut",
                "programme",
                4,
                "Programme national B.U.T. SD (ORéBUT)",
            ),
        ]
        rows = con.execute(
            "SELECT t.semester, t.parcours, c.ue, c.module_code, c.module_name, c.coefficient "
            "FROM coefficients c JOIN tables t USING (table_id) "
            "WHERE t.source = 'but-pn-SD-programme.xml'"
        ).fetchall()
        assert {r[:5]: r[5] for r in rows} == EXPECTED and len(rows) == len(EXPECTED)
        assert con.execute(
            "SELECT count(*) FROM ues u JOIN tables t USING (table_id) "
            "WHERE t.source = 'but-pn-SD-programme.xml' AND u.ects IS NULL AND u.total IS NULL"
        ).fetchone() == (14,)
        assert con.execute(
            "SELECT formation, count(*) FROM tables WHERE formation = 'SD' GROUP BY ALL"
        ).fetchall() == [("SD", 4)]
    finally:
        con.close()
    # Its export rebuilds the same store (the tidy template keeps an ORéBUT table exactly).
    again = tmp_path / "again"
    again.mkdir()
    con = open_store(db)
    try:
        write_csv(tidy_rows(con, ["SD"]), again / "sd.csv")
    finally:
        con.close()
    build_store(again, tmp_path / "again.duckdb")
    rebuilt = snapshot(tmp_path / "again.duckdb")
    for view in ("tables", "ues", "coefficients", "modules"):
        assert rebuilt[view] == [r for r in both[view] if r[0] in ours], view


def test_parcours_without_any_year_cannot_tell_shared_numbers_apart(tmp_path):
    """When the referential lists no competence for a parcours, two competences under one
    number cannot be told apart: the first is kept and the warning says which was left out."""
    (tmp_path / "r.xml").write_text(
        """<referentiel_competence specialite="SD"><competences>
<competence nom_court="Traiter" numero="1" id="a"/>
<competence nom_court="Développer" numero="4" id="d"/>
<competence nom_court="Modéliser" numero="4" id="m"/>
</competences><parcours>
<parcour code="VCOD"><annee ordre="1"></annee></parcour>
<parcour code="EMS"><annee ordre="1"></annee></parcour>
</parcours></referentiel_competence>
""",
        "utf-8",
    )
    (tmp_path / "p.xml").write_text(
        programme_xml(
            '<semestre numero="1"><saes><sae code="SAÉ 1.01"><competences>'
            '<competence coefficient="2" nom="Développer"/>'
            '<competence coefficient="3" nom="Modéliser"/>'
            "</competences></sae></saes></semestre>\n"
        ),
        "utf-8",
    )
    doc = read_document(tmp_path / "p.xml")
    for t in doc.tables:
        assert [(u.code, u.name) for u in t.ues] == [
            ("UE 1.1", "Traiter"),
            ("UE 1.4", "Développer"),
        ]
        assert [(c.competence, c.coefficient) for c in t.coefficients] == [(4, 2.0)]
        (issue,) = [i for i in t.issues if i.code == "competence_inferred"]
        assert issue.message.endswith(
            "de toutes les compétences du référentiel ; numéro 4 : « Développer » retenu, "
            "« Modéliser » écarté (le référentiel ne dit pas lequel est du parcours)"
        )
    (lost,) = [i for i in doc.issues if i.code == "competence_not_in_parcours"]
    assert lost.line == 3 and "« Modéliser »" in lost.message  # all of S1 is on line 3
