"""ORéBUT grid (layout c): UE rows, module columns, header texts rotated by 90°.

Built by ``pdf_fixtures.grid_pdf`` from hand-written numbers (hand sums beside them); with
empty cells kept, every value has its module.
"""

from __future__ import annotations

import pdf_fixtures as fx
import pytest

from butdata.readers import read_document
from butdata.vocab import OTHER, PORTFOLIO, RESSOURCE, SAE


@pytest.fixture(scope="module")
def doc(tmp_path_factory):
    path = tmp_path_factory.mktemp("grid") / "orebut_tc.pdf"
    path.write_bytes(fx.grid_pdf())
    return read_document(path)


def test_two_tables_with_their_identity(doc):
    assert doc.layout == "pdf-grid"
    assert [(t.formation, t.site, t.semester, t.parcours, t.line) for t in doc.tables] == [
        ("TC", "Périgueux", 1, None, 1),
        ("TC", "Périgueux", 2, None, 2),
    ]
    assert [t.status for t in doc.tables] == ["complete", "partial"]


def test_header_modules_read_along_their_direction(doc):
    s1 = doc.tables[0]
    assert [(m.code, m.name, m.kind, m.position) for m in s1.modules] == [
        ("SAÉ 1.01", "Marketing : positionnement d'une offre simple sur un marché", SAE, 1),
        ("SAÉ 1.02", "Vente : démarche de prospection", SAE, 2),
        ("R1.01", "Fondamentaux du marketing et comportement du consommateur", RESSOURCE, 3),
        ("R1.02", "Fondamentaux de la vente", RESSOURCE, 4),
        ("R1.03", "Ressources et culture numériques", RESSOURCE, 5),
        ("AOP MITD", None, OTHER, 6),
        ("Portfolio", None, PORTFOLIO, 7),
    ]


def test_every_value_has_its_module(doc):
    s1 = doc.tables[0]
    ue12 = [(c.module_code, c.printed, c.column) for c in s1.coefficients if c.competence == 2]
    # UE 1.2 prints « | 5 | | 7,5 | 1,5 | 0 | 1 »: empty cells are no value, « 0 » is one.
    assert ue12 == [
        ("SAÉ 1.02", "5", 2),
        ("R1.02", "7,5", 4),
        ("R1.03", "1,5", 5),
        ("AOP MITD", "0", 6),
        ("Portfolio", "1", 7),
    ]
    assert [c.position for c in s1.coefficients if c.competence == 2] == [1, 2, 3, 4, 5]
    c = next(c for c in s1.coefficients if c.printed == "7,5")
    # The header as printed, dashes normalised like every text source (butdata.text).
    assert (c.row_label, c.column_label, c.page) == (
        "UE 1.2",
        "R1.02 - Fondamentaux de la vente",
        1,
    )


def test_rows_and_final_line_checked(doc):
    s1, s2 = doc.tables
    assert [
        (u.code, u.name, u.ects, u.total, u.sae_share, u.aop_total, u.sum_ok, u.ratio_ok)
        for u in s1.ues
    ] == [
        ("UE 1.1", "Marketing", 10, 16, 0.25, 3, True, True),  # 4 + 6 + 2 + 3 + 1; 4 / 16
        ("UE 1.2", "Vente", 10, 15, 0.33, 0, True, True),  # 5 + 7,5 + 1,5 + 0 + 1; 5 / 15
        ("UE 1.3", "Communication commerciale", 10, 12, 0.33, 2, True, True),  # 4 / 12
    ]
    assert s1.ues[0].level == "Niveau 1 : conduire les actions marketing"
    assert [u.row_layout for u in s1.ues] == ["A", "A", "A"]
    assert (s1.declared_total, s1.declared_ects, s1.declared_aop) == (43, 30, 5)
    assert s1.issues == []
    # S2: no « Total AOP » column (ending B); UE 2.2 prints 11 where 3 + 6 + 1 = 10.
    assert [(u.code, u.sum_ok, u.row_layout) for u in s2.ues] == [
        ("UE 2.1", True, "B"),
        ("UE 2.2", False, None),
    ]
    assert [i.message for i in s2.issues] == [
        "page 2 : UE 2.2 : somme des coefficients 10,00 ≠ total imprimé 11"
    ]
    assert (s2.declared_total, s2.declared_ects, s2.declared_aop) == (21, 30, None)
