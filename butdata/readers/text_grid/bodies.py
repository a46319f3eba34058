"""Which table each body makes: the title's own body, or a body printed under the wrong title
(its own table, identity inferred from its UE codes and competence texts)."""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field

from butdata.formations import NAMES
from butdata.readers.text_grid.rows import Row, TextIndex
from butdata.readers.text_grid.titles import Body, Title


@dataclass
class Identity:
    """What a table is: from its title, or inferred from a misplaced body."""

    formation: str | None
    formation_name: str | None
    site: str | None
    semester: int | None
    parcours: str | None
    how: str = ""  # what the formation of a misplaced body was inferred from


@dataclass
class Plan:
    """One table to build: a body and the title it was printed under."""

    title: Title  # the title the body was printed under
    body: Body
    inferred: bool
    index: int  # position of the title in the document
    reason: str = ""
    rows: list[Row] = field(default_factory=list)
    formation: str | None = None
    orphans: list[tuple[int, str, str]] = field(default_factory=list)  # (line, code, message)
    ident: Identity | None = None


def _body_semesters(body: Body) -> Counter[int]:
    return Counter(r.semester for r in body.rows if r.semester is not None)


def assign_bodies(titles: list[Title]) -> list[Plan]:
    """Every title gets a plan (its own first body, possibly empty); misplaced bodies get theirs."""
    plans = []
    for k, title in enumerate(titles):
        own = Plan(title, Body(), False, k)
        plans.append(own)
        for b, body in enumerate(title.bodies):
            sems = _body_semesters(body)
            if b == 0 and (not sems or title.semester in sems):
                own.body, own.rows = body, list(body.rows)
                if len(sems) > 1:
                    own.orphans.append(
                        (
                            body.rows[0].line,
                            "mixed_semesters",
                            "codes UE de plusieurs semestres dans le même corps",
                        )
                    )
            elif b == 0 or body.rows:  # misplaced: a table of its own
                digits = "/".join(str(s) for s in sorted(sems))
                reason = (
                    f"codes UE du semestre {digits} sous le titre du semestre {title.semester}"
                    if b == 0
                    else "lignes UE imprimées après la ligne de totaux du tableau"
                )
                plans.append(Plan(title, body, True, k, rows=list(body.rows), reason=reason))
            elif body.final:
                own.orphans.append(
                    (body.final.line, "orphan_totals", "ligne de totaux sans lignes UE, ignorée")
                )
    for plan in plans:
        plan.formation = None if plan.inferred else plan.title.formation
    return plans


def text_index(plans: list[Plan]) -> TextIndex:
    """Normalised text line -> {(formation, competence)} over the bodies of known formation."""
    index: TextIndex = defaultdict(set)
    for plan in plans:
        if plan.formation:
            for comp, text in plan.body.labelled:
                index[text].add((plan.formation, comp))
    return index


def _infer_formation(plan: Plan, titles: list[Title], index: TextIndex) -> tuple[str | None, str]:
    """Formation of a misplaced body: from its texts when they belong to one formation only."""
    found = set()
    for _, text in plan.body.labelled:
        formations = {f for f, _ in index.get(text, ())}
        if len(formations) == 1:  # lines shared by several formations prove nothing
            found |= formations
    if len(found) == 1:
        return found.pop(), "textes des compétences"
    before = titles[plan.index].formation
    after = titles[plan.index + 1].formation if plan.index + 1 < len(titles) else None
    if not found and before and before == after:
        return before, "titres qui l'entourent"
    return None, ""


def identity(plan: Plan, titles: list[Title], index: TextIndex) -> Identity:
    """The title's identity, or the one a misplaced body shows (``plan.formation`` is set)."""
    title = plan.title
    if not plan.inferred:
        return Identity(
            formation=title.formation,
            formation_name=title.formation_name,
            site=title.site,
            semester=title.semester,
            parcours=title.parcours,
        )
    sems = _body_semesters(plan.body)
    semester = sems.most_common(1)[0][0] if sems else None
    formation, how = _infer_formation(plan, titles, index)
    site = None
    for t in titles[plan.index : plan.index + 2]:
        if formation and t.formation == formation:
            site = t.site
            break
    plan.formation = formation
    return Identity(
        formation=formation,
        formation_name=NAMES.get(formation or ""),
        site=site,
        semester=semester,
        parcours=None,
        how=how,
    )
