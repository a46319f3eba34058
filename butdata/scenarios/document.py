"""A scenario as a :class:`butdata.model.Document`, so that a saved scenario can be stored and
compared beside the parcours like any document.

Its tables carry ``source = "scénario : NAME"``. The document's « lines » are its provenance:
line 1 is the copy of the origin (an info issue names the origin table, its file and line), line
k + 1 is the k-th change of the change list (one info issue each, on the table it touches). A
value traces to the line that last set it: 1 while unchanged, else its change's line. The
totals and ECTS of a proposal are its own (it declares them), checked and given a status by the
same functions as the readers' tables (:mod:`butdata.checks`)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from butdata import fmt
from butdata.checks import close_module_table, set_printed_totals
from butdata.ids import assign_table_ids
from butdata.model import UE, Coefficient, Document, Issue, Module, Table
from butdata.scenarios.proposal import Proposal
from butdata.scenarios.scenario import Scenario
from butdata.text import slug
from butdata.vocab import COMPLETE, PARTIAL, STATUS_LABELS

LAYOUT = KIND = "scenario"
ORIGIN_LINE = 1


def scenario_source(name: str) -> str:
    """``scénario : NAME``, the source of a scenario's document and tables."""
    return f"scénario : {name}"


def scenario_key(name: str) -> str:
    """Key of a scenario in table ids: ``scenario-<slug of the name>``."""
    return f"scenario-{slug(name) or 'sans-nom'}"


@dataclass(frozen=True)
class _Provenance:
    """The line (change number + 1) that last set each cell, each UE's ECTS and each module."""

    cells: dict[tuple[str, str, int], int]
    ects: dict[tuple[str, int], int]
    modules: dict[tuple[str, str], int]


def _provenance(scenario: Scenario) -> _Provenance:
    cells: dict[tuple[str, str, int], int] = {}
    ects: dict[tuple[str, int], int] = {}
    modules: dict[tuple[str, str], int] = {}
    p = scenario.base
    for line, change in enumerate(scenario.change_list(), start=ORIGIN_LINE + 1):
        q = change.edit.apply(p)
        old_cells = {(c.table_id, c.module_key, c.competence): c.value for c in p.cells}
        new_cells = {(c.table_id, c.module_key, c.competence): c.value for c in q.cells}
        for key in old_cells.keys() | new_cells.keys():
            if old_cells.get(key) != new_cells.get(key):
                cells[key] = line
        old_ects = {(u.table_id, u.competence): u.ects for u in p.ues}
        for u in q.ues:
            if old_ects.get((u.table_id, u.competence)) != u.ects:
                ects[(u.table_id, u.competence)] = line
        old_modules = set(p.modules)
        for m in q.modules:
            if m not in old_modules:
                modules[(m.table_id, m.key)] = line
        p = q
    return _Provenance(cells, ects, modules)


def _text(value: Decimal) -> str:
    """How the scenario « prints » a value it set: its exact decimal with a comma."""
    return str(value).replace(".", ",")


def _table(scenario: Scenario, p: Proposal, table_id: str, provenance: _Provenance) -> Table:
    cell_lines, ects_lines, module_lines = provenance.cells, provenance.ects, provenance.modules
    info = p.table(table_id)
    source = scenario_source(scenario.name)
    table = Table(
        source=source,
        line=ORIGIN_LINE,
        title=f"{info.title or info.table_id} · {source}",
        formation=info.formation,
        formation_name=info.formation_name,
        site=info.site,
        semester=info.semester,
        parcours=info.parcours,
        alternance=info.alternance,
        layout=LAYOUT,
        year=info.year,
    )
    ues = [u for u in p.ues if u.table_id == table_id]
    table.ues = [UE(u.code, u.competence, u.name, ORIGIN_LINE) for u in ues]
    modules = sorted((m for m in p.modules if m.table_id == table_id), key=lambda m: m.position)
    totals = p.ue_totals()
    for m in modules:
        mine = [c for c in p.cells if (c.table_id, c.module_key) == (table_id, m.key)]
        table.modules.append(
            Module(
                m.code,
                m.name,
                m.kind,
                m.position,
                float(sum((c.value for c in mine), Decimal(0))),
                module_lines.get((table_id, m.key), ORIGIN_LINE),
                m.section,
            )
        )
        for c in sorted(mine, key=lambda c: c.competence):
            line = cell_lines.get((table_id, m.key, c.competence), ORIGIN_LINE)
            table.coefficients.append(
                Coefficient(
                    c.competence,
                    m.position,
                    float(c.value),
                    c.printed if c.printed and line == ORIGIN_LINE else _text(c.value),
                    line,
                    m.code,
                    m.name,
                    m.kind,
                )
            )
    sums = {u.code: totals[(table_id, u.competence)][0] for u in ues}
    set_printed_totals(
        table,
        {k: float(v) for k, v in sums.items()},
        float(sum(sums.values(), Decimal(0))),
        ORIGIN_LINE,
        ects=False,
    )
    credits = {u.code: u.ects for u in ues if u.ects is not None}
    all_ects = len(credits) == len(ues)
    set_printed_totals(
        table,
        {k: float(v) for k, v in credits.items()},
        float(sum(credits.values(), Decimal(0))) if all_ects else None,
        ORIGIN_LINE,
        ects=True,
    )
    for model_ue, u in zip(table.ues, ues):
        model_ue.ects_line = ects_lines.get((table_id, u.competence), ORIGIN_LINE)
    close_module_table(table, bool(table.coefficients))
    where = f"{info.source}, ligne {info.source_line}" if info.source else info.table_id
    table.issues.append(
        Issue(ORIGIN_LINE, "scenario_origin", f"copie de {info.table_id} ({where})", "info")
    )
    if info.status != COMPLETE:
        table.status = PARTIAL
        table.issues.append(
            Issue(
                ORIGIN_LINE,
                "scenario_origin",
                f"le tableau d'origine {info.table_id} est "
                f"{STATUS_LABELS.get(info.status, info.status)} : ce qui n'y a pas été lu "
                "manque aussi au scénario",
                "warning",
            )
        )
    return table


def to_document(scenario: Scenario) -> Document:
    """The scenario's proposal as a document: one table per origin table, ids
    ``scenario-<name>-…`` (:func:`butdata.ids.assign_table_ids`), the origin and every change
    as info issues."""
    p = scenario.proposal
    provenance = _provenance(scenario)
    tables = [_table(scenario, p, tid, provenance) for tid in p.table_ids]
    changes = scenario.change_list()
    for line, change in enumerate(changes, start=ORIGIN_LINE + 1):
        i = p.table_ids.index(change.table_id)
        tables[i].issues.append(Issue(line, "scenario_change", change.text, "info"))
    assign_table_ids(tables, scenario_key(scenario.name))
    about = [
        f"version {scenario.version}",
        f"modifié le {fmt.timestamp(scenario.updated.astimezone())}",
    ]
    if scenario.author:
        about.insert(0, f"auteur : {scenario.author}")
    if scenario.note:
        about.append(f"note : {scenario.note}")
    years = {t.year for t in p.tables if t.year}
    year = years.pop() if len(years) == 1 else None
    # the year in the title, so that lists name it « Scénario : NAME · 2025-2026 » (not « NAME
    # 2025-2026 », which reads as part of the name)
    title = f"Scénario : {scenario.name}" + (f" · {year}" if year else "")
    return Document(
        source=scenario_source(scenario.name),
        layout=LAYOUT,
        n_lines=ORIGIN_LINE + len(changes),
        tables=tables,
        issues=[Issue(None, "scenario_info", " ; ".join(about), "info")],
        title=title,
        year=year,
        kind=KIND,
    )
