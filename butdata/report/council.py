"""The « note au conseil » of a scenario: an A4 PDF (:func:`butdata.report.render_pdf`) a
council reads before voting — title, author, date, the note, the change list, the proposed
table(s) in the MCC layout (changed cells highlighted), the conformity of the proposal, the
per-UE totals and SAÉ shares before / after (table and figure) and, when a cohort was
simulated, its effect on the students (table and figure).

Pure: the page passes the scenario, the conformity settings it shows and the impact it
computed; the same inputs give the same note."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

import polars as pl

from butdata import fmt
from butdata.analysis.conformity import Finding, check_frames
from butdata.analysis.conformity_report import (
    by_rule,
    counts,
    findings_table,
    settings_table,
    summary,
)
from butdata.analysis.conformity_rules import DEFAULT_SETTINGS, INFO, ConformitySettings
from butdata.charts_scenario import impact_chart, ue_diff_chart
from butdata.report.document import (
    Block,
    FigureBlock,
    Heading,
    Metrics,
    Paragraph,
    PrintPage,
    TableBlock,
)
from butdata.scenarios.diff import ue_diff
from butdata.scenarios.impact import Impact
from butdata.scenarios.scenario import Scenario
from butdata.scenarios.tables import (
    changes_frame,
    comparison,
    mcc_table,
    proposal_frame,
    ue_changed_cells,
    ue_frame,
)

TITLE = "Note au conseil"


def impact_table(impact: Impact) -> pl.DataFrame:
    rows = [
        [
            r["ue"],
            fmt.percent(r["passed_before"]),
            fmt.percent(r["passed_after"]),
            fmt.number(None if r["passed_delta"] is None else 100 * r["passed_delta"], 2),
            fmt.number(r["mean_before"]),
            fmt.number(r["mean_after"]),
        ]
        for r in impact.ues.iter_rows(named=True)
    ]
    columns = (
        "UE",
        "UE validée, origine",
        "UE validée, proposition",
        "écart (points)",
        "moyenne, origine",
        "moyenne, proposition",
    )
    return pl.DataFrame(rows, schema={c: pl.String for c in columns}, orient="row")


def decisions_table(impact: Impact) -> pl.DataFrame:
    """Year decisions before / after (an empty frame for a semester: nothing to decide)."""
    rows = [
        [
            r["decision"] or "non décidable",
            fmt.integer(r["count_before"]),
            fmt.percent(r["share_before"]),
            fmt.integer(r["count_after"]),
            fmt.percent(r["share_after"]),
        ]
        for r in impact.decisions.iter_rows(named=True)
        if r["decision"] is not None and (r["count_before"] or r["count_after"])
    ]
    columns = ("décision", "origine", "part, origine", "proposition", "part, proposition")
    return pl.DataFrame(rows, schema={c: pl.String for c in columns}, orient="row")


def cohort_text(impact: Impact) -> str:
    if impact.seed is None:
        return (
            f"Cohorte de {fmt.integer(impact.n_students)} étudiants (notes d'un fichier), "
            "mêmes notes avant et après."
        )
    return (
        f"Cohorte simulée de {fmt.integer(impact.n_students)} étudiants (graine "
        f"{impact.seed}), mêmes notes avant et après : seuls les coefficients changent."
    )


def council_page(
    scenario: Scenario,
    *,
    settings: ConformitySettings = DEFAULT_SETTINGS,
    findings: Sequence[Finding] | None = None,
    impact: Impact | None = None,
    origin_labels: Sequence[str] = (),
    sources: Sequence[str] = (),
    when: datetime | None = None,
) -> PrintPage:
    """What the note prints (``origin_labels``: how people name the origin tables;
    ``sources``: the origin's documents and lines)."""
    found = check_frames(scenario.frames(), settings) if findings is None else list(findings)
    changes = changes_frame(scenario)
    n = counts(found)
    blocks: list[Block] = [
        Metrics(
            [
                ("Auteur", scenario.author or fmt.MISSING),
                ("Version", scenario.version),
                ("Modifié le", fmt.timestamp(scenario.updated.astimezone())),
                ("Modifications", changes.height),
                ("Erreurs", n["error"]),
                ("Avertissements", n["warning"]),
            ]
        ),
        Heading("Note"),
        Paragraph(scenario.note or "Aucune note."),
        Heading("Modifications proposées"),
    ]
    if changes.height:
        blocks.append(TableBlock(changes, title="Liste des modifications", key_columns=1))
    else:
        blocks.append(Paragraph("Aucune modification : la proposition est la copie de l'origine."))
    blocks.append(Heading("Proposition"))
    for tid in scenario.proposal.table_ids:
        t = mcc_table(scenario.proposal, tid)
        cmp_ = comparison(scenario, tid)
        changed_rows = {r for r, _ in cmp_.changed}
        # highlight the proposal's cells that changed (same rows as the proposal frame: the
        # comparison lists removed modules after them, which the proposal no longer has)
        highlight = [(r, c) for r, c in cmp_.changed if r < len(t.rows)]
        blocks.append(
            TableBlock(
                proposal_frame(t),
                title=f"{t.title} — proposition (cellules modifiées surlignées)",
                highlight=highlight,
                key_columns=2,
            )
        )
        if changed_rows or cmp_.rows_changed:
            moved = cmp_.frame.filter(pl.col("Modification") != "")
            blocks.append(
                TableBlock(
                    moved,
                    title=f"{t.title} — lignes modifiées, « nouvelle valeur (origine) »",
                    key_columns=2,
                )
            )
    blocks += [
        Heading("Par UE : origine et proposition"),
        TableBlock(
            ue_frame(scenario),
            title="Totaux, ECTS et part des SAÉ par UE",
            highlight=ue_changed_cells(scenario),
        ),
        FigureBlock(ue_diff_chart(ue_diff(scenario.base, scenario.proposal), settings.sae_band)),
        Heading("Conformité"),
        Paragraph(f"Conformité de la proposition aux règles : {summary(found)}."),
    ]
    serious = [f for f in found if f.severity != INFO]
    if serious:
        blocks.append(
            TableBlock(
                findings_table(serious).drop("fichier", "tableau"),
                title="Erreurs et avertissements",
            )
        )
    else:
        blocks.append(Paragraph("Aucune erreur, aucun avertissement."))
    infos = [f for f in found if f.severity == INFO]
    if infos:
        rules = by_rule(infos).filter(pl.col("informations") > 0)
        blocks.append(
            TableBlock(
                rules.select("règle", "informations"),
                title="Informations (détail dans le classeur du conseil)",
            )
        )
    blocks.append(TableBlock(settings_table(settings), title="Réglages des règles"))
    if impact is not None:
        blocks += [
            Heading("Effet sur les étudiants"),
            Paragraph(cohort_text(impact)),
            TableBlock(impact_table(impact), title="UE validées (ADM ou CMP) et moyennes"),
            FigureBlock(impact_chart(impact.ues)),
        ]
        decisions = decisions_table(impact)
        if decisions.height:
            blocks.append(TableBlock(decisions, title="Décisions d'année"))
    selection = [("Scénario", scenario.name), ("Version", str(scenario.version))]
    if origin_labels:
        selection.append(("Origine", ", ".join(origin_labels)))
    return PrintPage(
        title=f"{TITLE} — {scenario.name}",
        selection=selection,
        blocks=blocks,
        sources=[*sources, f"scénario « {scenario.name} », version {scenario.version}"],
        generated_at=when or datetime.now(),
        author=scenario.author,
    )
