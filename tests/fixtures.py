"""A small store built from code (datasette-style fixtures): tests of queries, charts and pages
use it instead of the real documents, whose reading is tested by the reader tests.

Every number below is written by hand; the expected values of the tests derive from them:

- ``MCC fictif 2025-2026`` (layout ``modules``, every value has its module):
  - QLIO S3 QMI: UE31 (8 ECTS, total 8) = R3.01 2 + R3.07 2 + SAE3.01 4 (SAÉ 4/8 = 50 %);
    UE32 (22 ECTS, total 4) = R3.01 1 + SAE3.01 3 (75 %);
  - QLIO S3 MP: UE31 (8, 8) = R3.01 2 + R3.07 3 + SAE3.01 3 (37,5 %);
    UE32 (22, 4) = R3.01 1 + SAE3.02 3 (75 %);
  - QLIO S4 QMI: UE41 (15, 10) = R4.01 5 + SAE4.01 5; UE42 (15, 4) = R4.01 2 + SAE4.01 2.
- ``Grille fictive`` (layout ``grid``, values without modules):
  - GEA S1: UE 1.1 (15 ECTS, total 10, printed SAÉ share 0,4) = 4 + 6;
    UE 1.2 (15, 10, 0,5) = 5 + 5 — complete, « valeurs par UE seulement »;
  - GEA S1 parcours X: a title alone (empty);
  - GEA S2: UE 2.1 = 3 + 3, no printed total nor ECTS (partial).
"""

from __future__ import annotations

from pathlib import Path

from butdata.checks import close_module_table
from butdata.model import UE, Coefficient, Document, Module, Table
from butdata.store import write_store
from butdata.vocab import COMPLETE, EMPTY, PARTIAL, module_kind

MCC, GRID = "fix-mcc.txt", "fix-grid.txt"


def _modules_table(
    table_id: str,
    semester: int,
    parcours: str,
    line: int,
    ues: dict[str, tuple[float, float, dict[str, float]]],
) -> Table:
    """``ues``: code -> (ECTS, printed total, {module code: coefficient})."""
    t = Table(
        source=MCC,
        line=line,
        title=f"Semestre {semester} BUT QLIO {parcours}",
        formation="QLIO",
        formation_name="Qualité, logistique industrielle et organisation",
        site=None,
        semester=semester,
        parcours=parcours,
        alternance=False,
        layout="modules",
        table_id=table_id,
        year="2025-2026",
    )
    codes: list[str] = []
    for mods in (m for _, _, m in ues.values()):
        codes += [c for c in mods if c not in codes]
    positions = {c: i for i, c in enumerate(codes, 1)}
    for i, (code, (ects, total, mods)) in enumerate(ues.items()):
        comp = int(code[-1])
        t.ues.append(
            UE(
                code,
                comp,
                f"Compétence {comp}",
                line + 1 + i,
                ects=ects,
                total=total,
                ects_line=line + 20,
                total_line=line + 19,
            )
        )
        for m, value in mods.items():
            t.coefficients.append(
                Coefficient(
                    comp,
                    positions[m],
                    value,
                    f"{value:.2f}",
                    line + 5 + positions[m],
                    m,
                    f"Module {m}",
                    module_kind(m),
                )
            )
    t.modules = [
        Module(c, f"Module {c}", module_kind(c), p, None, line + 5 + p)
        for c, p in positions.items()
    ]
    close_module_table(t, True, semester_totals=False)
    assert t.status == COMPLETE, t.table_id
    return t


def _grid_table(
    table_id: str,
    semester: int,
    parcours: str | None,
    line: int,
    rows: list[tuple[str, float | None, float | None, float | None, list[float]]],
    status: str,
) -> Table:
    """``rows``: (UE code, ECTS, printed total, printed SAÉ share, values left to right)."""
    t = Table(
        source=GRID,
        line=line,
        title=f"B.U.T. Gestion des entreprises et des administrations "
        f"Semestre {semester}" + (f" Parcours {parcours}" if parcours else ""),
        formation="GEA",
        formation_name="Gestion des entreprises et des administrations",
        site=None,
        semester=semester,
        parcours=parcours,
        alternance=False,
        layout="grid",
        table_id=table_id,
        status=status,
    )
    for i, (code, ects, total, share, values) in enumerate(rows):
        comp = int(code[-1])
        row_line = line + 2 + i
        t.ues.append(
            UE(
                code,
                comp,
                f"Compétence {comp}",
                row_line,
                ects=ects,
                total=total,
                sae_share=share,
                sae_share_printed=share is not None,
                sum_ok=None if total is None else sum(values) == total,
            )
        )
        for k, v in enumerate(values, 1):
            t.coefficients.append(Coefficient(comp, k, v, f"{v:g}".replace(".", ","), row_line))
    return t


def documents() -> list[Document]:
    mcc = Document(MCC, "modules", 100, title="MCC fictif", year="2025-2026")
    mcc.tables = [
        _modules_table(
            "fix-qlio-s3-qmi",
            3,
            "QMI",
            1,
            {
                "UE31": (8, 8, {"R3.01": 2, "R3.07": 2, "SAE3.01": 4}),
                "UE32": (22, 4, {"R3.01": 1, "SAE3.01": 3}),
            },
        ),
        _modules_table(
            "fix-qlio-s3-mp",
            3,
            "MP",
            31,
            {
                "UE31": (8, 8, {"R3.01": 2, "R3.07": 3, "SAE3.01": 3}),
                "UE32": (22, 4, {"R3.01": 1, "SAE3.02": 3}),
            },
        ),
        _modules_table(
            "fix-qlio-s4-qmi",
            4,
            "QMI",
            61,
            {
                "UE41": (15, 10, {"R4.01": 5, "SAE4.01": 5}),
                "UE42": (15, 4, {"R4.01": 2, "SAE4.01": 2}),
            },
        ),
    ]
    grid = Document(GRID, "grid", 50, title="Grille fictive")
    grid.tables = [
        _grid_table(
            "fix-gea-s1",
            1,
            None,
            1,
            [("UE 1.1", 15, 10, 0.4, [4, 6]), ("UE 1.2", 15, 10, 0.5, [5, 5])],
            COMPLETE,
        ),
        _grid_table("fix-gea-s1-x", 1, "X", 10, [], EMPTY),
        _grid_table("fix-gea-s2", 2, None, 20, [("UE 2.1", None, None, None, [3, 3])], PARTIAL),
    ]
    return [mcc, grid]


def tiny_store(path: Path) -> Path:
    """Write the fixture store at ``path`` (which must not exist)."""
    docs = documents()
    write_store(docs, path, {d.source: "0" * 64 for d in docs}, "fixture", str(path.parent))
    return path
