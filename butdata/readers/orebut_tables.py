"""The tables of a national programme: one per semester × parcours, the parcours' competences
as UEs (``UE 3.4``: semester digit, competence number), the programme's coefficients per
competence.

- A module belongs to the parcours of its ``liste_parcours``; an empty list means every parcours.
- A coefficient goes to the UE of its competence in each parcours of the module that has that
  competence in that year; a coefficient no parcours of its module can take is reported (it would
  otherwise vanish silently), one naming no competence of the referential too.
- A zero coefficient is not stored; its module stays listed (``Table.modules``), as does a module
  without any coefficient.
- The programme prints neither UE totals nor ECTS: they stay NULL, nothing is checked, and the
  tables are ``partial`` (``empty`` without any coefficient) with an information saying so —
  never ``complete``, which means "every printed total was found and holds".
"""

from __future__ import annotations

from collections import defaultdict

from butdata.model import UE, Coefficient, Issue, Module, Table
from butdata.readers.orebut_files import (
    Competence,
    Parcours,
    Programme,
    ProgrammeModule,
    Referential,
    Semester,
)
from butdata.text import slug
from butdata.vocab import RESSOURCE, SAE, module_kind, table_status


def year_of(semester: int) -> int:
    return (semester + 1) // 2


def ordinal(year: int) -> str:
    """« 1re », « 2e », « 3e » (année)."""
    return "1re" if year == 1 else f"{year}e"


def _belongs(ref: Referential, module: ProgrammeModule, parcours: Parcours | None) -> bool:
    """An empty ``liste_parcours`` means every parcours."""
    if parcours is None or not module.parcours:
        return True
    return any(ref.parcours_named(code) is parcours for code, _ in module.parcours)


def _kind(module: ProgrammeModule) -> str | None:
    return module_kind(
        module.code, module.title, declared=SAE if module.element == "sae" else RESSOURCE
    )


def programme_issues(prog: Programme, ref: Referential) -> list[Issue]:
    """What the programme says that no table can show: coefficients of competences the
    referential does not have or that no parcours of their module has, unknown parcours."""
    issues: list[Issue] = []
    every: list[Parcours | None] = list(ref.parcours) or [None]
    for sem in prog.semesters:
        year = year_of(sem.number)
        names_by_parcours = {
            id(p): {slug(c.short_name) for c, _ in ref.competences_of(p, year)[0]} for p in every
        }
        for module in sem.modules:
            code = module.code or "?"
            unknown = [(c, line) for c, line in module.parcours if ref.parcours_named(c) is None]
            for parcours_code, line in unknown:
                issues.append(
                    Issue(
                        line,
                        "parcours_unknown",
                        f"{code} : parcours « {parcours_code} » absent du référentiel "
                        f"« {ref.source} » : ignoré"
                        + (
                            " ; le module n'est dans aucun tableau"
                            if len(unknown) == len(module.parcours)
                            else ""
                        ),
                    )
                )
            members = [p for p in every if _belongs(ref, module, p)]
            for w in module.weights:
                if w.name is None:
                    issues.append(
                        Issue(w.line, "competence_unknown", f"{code} : coefficient sans compétence")
                    )
                elif not ref.named(w.name):
                    issues.append(
                        Issue(
                            w.line,
                            "competence_unknown",
                            f"{code} : compétence « {w.name} » absente du référentiel "
                            f"« {ref.source} » : coefficient {w.printed or 'vide'} non retenu",
                        )
                    )
                elif (
                    w.value
                    and members
                    and not any(slug(w.name) in names_by_parcours[id(p)] for p in members)
                ):
                    issues.append(
                        Issue(
                            w.line,
                            "competence_not_in_parcours",
                            f"{code} : la compétence « {w.name} » n'est dans aucun parcours du "
                            f"module en {ordinal(year)} année : coefficient {w.printed} non retenu",
                        )
                    )
    return issues


def _title(formation: str | None, sem: Semester, parcours: Parcours | None) -> str:
    title = f"Semestre {sem.number} BUT {formation or '?'}"
    if parcours is not None:
        title += f" parcours {parcours.code}" + (f" – {parcours.label}" if parcours.label else "")
    return title + " (programme national ORéBUT)"


def _ues(table: Table, sem: Semester, comps: list[tuple[Competence, int | None]]) -> None:
    for comp, level in comps:
        table.ues.append(
            UE(
                code=f"UE {sem.number}.{comp.number}",
                competence=comp.number,
                name=comp.long_name or comp.short_name,
                line=sem.line,  # the UE exists for this semester of the programme
                level=comp.level_text(level),
            )
        )


def _modules_and_coefficients(
    table: Table,
    ref: Referential,
    sem: Semester,
    parcours: Parcours | None,
    comps: list[tuple[Competence, int | None]],
) -> None:
    by_name = {slug(c.short_name): c for c, _ in comps}
    lines_by_code: dict[str | None, list[ProgrammeModule]] = defaultdict(list)
    for module in sem.modules:
        if not _belongs(ref, module, parcours):
            continue
        position = len(table.modules) + 1
        kind = _kind(module)
        table.modules.append(Module(module.code, module.title, kind, position, None, module.line))
        lines_by_code[module.code].append(module)
        taken: dict[int, int] = {}  # competence -> line of its coefficient in this module
        for w in module.weights:
            comp = by_name.get(slug(w.name or ""))
            if not w.value or w.printed is None or comp is None:
                continue  # zero or unreadable (warned), or another parcours' competence
            if comp.number in taken:
                table.issues.append(
                    Issue(
                        w.line,
                        "duplicate_competence",
                        f"{module.code or '?'} : deuxième coefficient pour « {comp.short_name} » "
                        f"(le premier ligne {taken[comp.number]}) : non retenu",
                    )
                )
                continue
            taken[comp.number] = w.line
            table.coefficients.append(
                Coefficient(
                    competence=comp.number,
                    position=position,
                    coefficient=w.value,
                    printed=w.printed,
                    line=w.line,
                    module_code=module.code,
                    module_name=module.title,
                    kind=kind,
                )
            )
    for code, modules in lines_by_code.items():
        if code is not None and len(modules) > 1:
            listed = " ; ".join(
                f"ligne {m.line} « {m.title or 'sans titre'} »"
                + ("" if m.weights else " (sans compétence)")
                for m in modules
            )
            table.issues.append(
                Issue(
                    modules[1].line,
                    "duplicate_code",
                    f"code {code} porté par {len(modules)} modules du semestre, gardés tels "
                    f"qu'écrits : {listed}",
                )
            )


def build_tables(
    prog: Programme, ref: Referential, formation: str | None, formation_name: str | None
) -> list[Table]:
    """One table per semester (file order) × parcours (referential order)."""
    tables: list[Table] = []
    for sem in prog.semesters:
        year = year_of(sem.number)
        every: list[Parcours | None] = list(ref.parcours) or [None]
        for parcours in every:
            comps, inferred, dropped = ref.competences_of(parcours, year)
            table = Table(
                source=prog.source,
                line=sem.line,
                title=_title(formation, sem, parcours),
                formation=formation,
                formation_name=formation_name,
                site=None,
                semester=sem.number,
                parcours=parcours.code if parcours else None,
                alternance=False,
                layout="orebut",
            )
            _ues(table, sem, comps)
            _modules_and_coefficients(table, ref, sem, parcours, comps)
            _explain(table, ref, parcours, year, (comps, inferred, dropped))
            # No printed total to check: never "complete" (see the module docstring).
            table.status = table_status(bool(table.coefficients), all_checked=False)
            tables.append(table)
    return tables


def _explain(
    table: Table,
    ref: Referential,
    parcours: Parcours | None,
    year: int,
    chosen: tuple[list[tuple[Competence, int | None]], bool, list[Competence]],
) -> None:
    """Where the UEs come from (``chosen``: what ``competences_of`` answered), and what the
    programme does not print."""
    comps, inferred, dropped = chosen
    if parcours is None:
        origin = f"toutes les compétences du référentiel « {ref.source} » (sans parcours)"
    elif inferred:
        origin = (
            f"le référentiel « {ref.source} » ne donne pas les compétences du parcours "
            f"{parcours.code} en {ordinal(year)} année : UE déduites "
            + (
                "de ses autres années"
                if any(y.competences for y in parcours.years.values())
                else "de toutes les compétences du référentiel"
            )
        )
        if dropped:
            kept = {c.number: c for c, _ in comps}
            origin += " ; " + ", ".join(
                f"numéro {c.number} : « {kept[c.number].short_name} » retenu, « {c.short_name} » "
                "écarté (le référentiel ne dit pas lequel est du parcours)"
                for c in dropped
                if c.number in kept
            )
        table.issues.append(Issue(table.line, "competence_inferred", origin))
        origin = ""
    else:
        origin = (
            f"compétences du parcours {parcours.code} en {ordinal(year)} année lues dans "
            f"« {ref.source} » "
            f"(ligne {parcours.years[year].line})"
        )
    if origin:
        table.issues.append(Issue(table.line, "referential_origin", origin, "info"))
    table.issues.append(
        Issue(
            table.line,
            "totals_missing",
            "le programme national n'imprime ni total par UE ni crédits ECTS : ECTS inconnus, "
            "sommes non vérifiées",
            "info",
        )
    )
