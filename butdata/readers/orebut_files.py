"""The two files of an ORéBUT programme export, read into plain records with their lines.

**Competence referential** (``<referentiel_competence specialite="SD" specialite_long="…"
type_structure="type2" version="…">``)::

    <competences>
      <competence nom_court="Traiter" numero="1" libelle_long="…" couleur="c1" id="…">
        <niveaux><niveau ordre="1" libelle="…" annee="BUT1">…</niveau>…</niveaux>
      </competence>…
    </competences>
    <parcours>
      <parcour numero="1" libelle="…" code="VCOD">
        <annee ordre="2"><competence niveau="2" id="…"/>…</annee>…
      </parcour>…
    </parcours>

A competence's ``numero`` is its UE number; two competences may share a number when each
belongs to other parcours (number 4 « Développer » in one, « Modéliser » in another). What ties a
competence to a parcours is the parcours' ``<annee>`` list: its ``competence`` elements name the
competence by ``id`` (ORéBUT's unique key, an md5 of the long name) and give the level reached that
year. Older exports name it by ``nom`` (the short name) instead: both are read.

**Programme** (``<referentiel_formation>``)::

    <semestre numero="3" libelle="S3" ordreAnnee="1">
      <saes><sae code="SAÉ 3.01" ordre="1"><titre>…</titre>
        <competences><competence coefficient="2" nom="Traiter"/>…</competences>
        <liste_parcours><parcours>VCOD</parcours>…</liste_parcours></sae>…</saes>
      <ressources><ressource code="R3.01" heuresCMTD="…" heuresTP="…" ordre="1">…</ressource>…
      </ressources>
    </semestre>…

Coefficients name their competence by its short name. ``ordreAnnee`` is the semester's rank
within its year (1 or 2), not the year: the year is read from ``numero``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from butdata.errors import SourceError
from butdata.model import Issue
from butdata.readers.orebut_parse import Node
from butdata.text import is_number, parse_number, slug

REFERENTIAL_TAG = "referentiel_competence"
PROGRAMME_TAG = "referentiel_formation"


def _int(text: str | None) -> int | None:
    return int(text) if text is not None and re.fullmatch(r"\d{1,3}", text) else None


@dataclass
class Competence:
    number: int  # the UE number (``numero``)
    short_name: str  # ``nom_court``: how the programme names it
    long_name: str | None
    key: str | None  # ``id``
    line: int
    levels: dict[int, str] = field(default_factory=dict)  # level (``ordre``) -> its text
    years: set[int] = field(default_factory=set)  # years of its levels (``annee="BUT2"``)

    def level_text(self, level: int | None) -> str | None:
        return self.levels.get(level) if level is not None else None


@dataclass
class ParcoursYear:
    """The competences a parcours has in one year (``<annee ordre=…>``), with their level."""

    line: int
    competences: list[tuple[Competence, int | None]] = field(default_factory=list)


@dataclass
class Parcours:
    code: str
    label: str | None
    line: int
    years: dict[int, ParcoursYear] = field(default_factory=dict)


@dataclass
class Referential:
    source: str
    n_lines: int
    line: int
    speciality: str | None  # ``specialite`` as printed (an acronym)
    speciality_name: str | None
    structure: str | None  # ``type_structure``
    version: str | None
    competences: list[Competence] = field(default_factory=list)
    parcours: list[Parcours] = field(default_factory=list)
    issues: list[Issue] = field(default_factory=list)

    def named(self, name: str) -> list[Competence]:
        """The competences with this short name (accents, case and spacing aside)."""
        key = slug(name)
        return [c for c in self.competences if slug(c.short_name) == key]

    def parcours_named(self, printed: str) -> Parcours | None:
        """The parcours a programme names (by code; by label if no code matches)."""
        key = printed.strip().casefold()
        found = next((p for p in self.parcours if p.code.casefold() == key), None)
        return found or next(
            (p for p in self.parcours if slug(p.label or "") == slug(printed)), None
        )

    def competences_of(
        self, parcours: Parcours | None, year: int
    ) -> tuple[list[tuple[Competence, int | None]], bool, list[Competence]]:
        """The competences of a parcours in a year, by number; whether that was inferred; the
        competences left out because another one had their number (first one kept).

        The referential's ``<annee>`` list when it has one; else (inferred) the competences the
        parcours has in its other years, or every competence of the referential if it names
        none, keeping those with a level that year when the referential dates their levels.
        Without parcours at all: every competence (not inferred)."""
        if parcours is not None and year in parcours.years and parcours.years[year].competences:
            chosen, inferred = parcours.years[year].competences, False
        else:
            pool: list[Competence] = self.competences
            if parcours is not None and any(y.competences for y in parcours.years.values()):
                pool = [c for y in sorted(parcours.years) for c, _ in parcours.years[y].competences]
            chosen = [(c, None) for c in pool if not c.years or year in c.years]
            inferred = parcours is not None
        by_number: dict[int, tuple[Competence, int | None]] = {}
        dropped: list[Competence] = []
        for comp, level in chosen:
            kept = by_number.setdefault(comp.number, (comp, level))[0]
            if kept is not comp and comp not in dropped:
                dropped.append(comp)
        return [by_number[n] for n in sorted(by_number)], inferred, dropped


def read_referential(source: str, root: Node, n_lines: int) -> Referential:
    if root.tag != REFERENTIAL_TAG:
        raise SourceError(source, root.line, f"élément racine <{REFERENTIAL_TAG}> attendu")
    ref = Referential(
        source=source,
        n_lines=n_lines,
        line=root.line,
        speciality=root.attr("specialite"),
        speciality_name=root.attr("specialite_long"),
        structure=root.attr("type_structure"),
        version=root.attr("version"),
    )
    block = root.first("competences")
    for i, node in enumerate(block.all("competence") if block else [], start=1):
        comp = _competence(ref, node, i)
        if comp is not None:
            ref.competences.append(comp)
    if not ref.competences:
        raise SourceError(source, root.line, "aucune compétence dans le référentiel")
    block = root.first("parcours")
    for node in block.all("parcour") if block else []:
        code = node.attr("code")
        if code is None:
            ref.issues.append(Issue(node.line, "parcours_unknown", "parcours sans code : ignoré"))
            continue
        if any(p.code == code for p in ref.parcours):
            ref.issues.append(
                Issue(node.line, "duplicate_parcours", f"parcours {code} en double : ignoré")
            )
            continue
        parcours = Parcours(code, node.attr("libelle"), node.line)
        for annee in node.all("annee"):
            year = _int(annee.attr("ordre"))
            if year is None:
                ref.issues.append(
                    Issue(annee.line, "bad_year", f"parcours {code} : année sans numéro, ignorée")
                )
                continue
            parcours.years[year] = _parcours_year(ref, parcours, year, annee)
        ref.parcours.append(parcours)
    if not ref.parcours:  # every competence is then in every table: numbers must differ
        numbers: dict[int, Competence] = {}
        for comp in ref.competences:
            if comp.number in numbers:
                ref.issues.append(
                    Issue(
                        comp.line,
                        "duplicate_competence",
                        f"deux compétences numéro {comp.number} sans parcours pour les "
                        f"départager (« {numbers[comp.number].short_name} », "
                        f"« {comp.short_name} ») : la seconde est ignorée",
                    )
                )
            numbers.setdefault(comp.number, comp)
    return ref


def _competence(ref: Referential, node: Node, rank: int) -> Competence | None:
    short = node.attr("nom_court") or node.attr("name")
    if short is None:
        ref.issues.append(
            Issue(node.line, "competence_unknown", "compétence sans nom court : ignorée")
        )
        return None
    number = _int(node.attr("numero"))
    if number is None:
        # Older exports carry no number; their colour (« c3 ») was the number.
        number = _int((node.attr("couleur") or "").lstrip("c"))
        if number is None:
            number = rank
        ref.issues.append(
            Issue(
                node.line,
                "competence_inferred",
                f"compétence « {short} » sans numéro : numéro {number} déduit de sa "
                + ("couleur" if node.attr("couleur") else "place dans le référentiel"),
            )
        )
    comp = Competence(number, short, node.attr("libelle_long"), node.attr("id"), node.line)
    niveaux = node.first("niveaux")
    for niveau in niveaux.all("niveau") if niveaux else []:
        level = _int(niveau.attr("ordre"))
        if level is not None and niveau.attr("libelle"):
            comp.levels[level] = niveau.attr("libelle") or ""
        if m := re.fullmatch(r"BUT\s*(\d)", niveau.attr("annee") or ""):
            comp.years.add(int(m.group(1)))
    return comp


def _parcours_year(ref: Referential, parcours: Parcours, year: int, annee: Node) -> ParcoursYear:
    out = ParcoursYear(annee.line)
    for node in annee.all("competence"):
        key, name = node.attr("id"), node.attr("nom")
        found = [c for c in ref.competences if key is not None and c.key == key]
        if not found and name is not None:
            found = ref.named(name)
        if len(found) != 1:
            what = f"« {name} »" if name else f"d'identifiant {key}"
            ref.issues.append(
                Issue(
                    node.line,
                    "competence_unknown",
                    f"parcours {parcours.code}, année {year} : compétence {what} "
                    + ("ambiguë" if found else "absente du référentiel")
                    + " : ignorée",
                )
            )
            continue
        comp = found[0]
        twin = next((c for c, _ in out.competences if c.number == comp.number), None)
        if twin is not None:
            ref.issues.append(
                Issue(
                    node.line,
                    "duplicate_competence",
                    f"parcours {parcours.code}, année {year} : deux compétences numéro "
                    f"{comp.number} (« {twin.short_name} », « {comp.short_name} ») : "
                    "la seconde est ignorée",
                )
            )
            continue
        out.competences.append((comp, _int(node.attr("niveau"))))
    return out


# --------------------------------------------------------------------------- programme


@dataclass
class Weight:
    """One ``<competence coefficient=… nom=…/>`` of a module: the value as printed."""

    name: str | None
    printed: str | None
    value: float | None  # None when empty or not a number (warned)
    line: int


@dataclass
class ProgrammeModule:
    code: str | None
    title: str | None
    element: str  # "sae" | "ressource"
    line: int
    weights: list[Weight] = field(default_factory=list)
    parcours: list[tuple[str, int]] = field(default_factory=list)  # codes and lines; [] = all


@dataclass
class Semester:
    number: int
    label: str | None
    line: int
    modules: list[ProgrammeModule] = field(default_factory=list)


@dataclass
class Programme:
    source: str
    n_lines: int
    line: int
    semesters: list[Semester] = field(default_factory=list)
    issues: list[Issue] = field(default_factory=list)

    def competence_names(self) -> set[str]:
        return {w.name for s in self.semesters for m in s.modules for w in m.weights if w.name}


def read_programme(source: str, root: Node, n_lines: int) -> Programme:
    if root.tag != PROGRAMME_TAG:
        raise SourceError(source, root.line, f"élément racine <{PROGRAMME_TAG}> attendu")
    prog = Programme(source, n_lines, root.line)
    for node in root.all("semestre"):
        number = _int(node.attr("numero"))
        if number is None and (m := re.fullmatch(r"S(\d)", node.attr("libelle") or "")):
            number = int(m.group(1))
        if number is None or not 1 <= number <= 6:
            raise SourceError(
                source, node.line, f"semestre sans numéro de 1 à 6 (numero={node.attr('numero')})"
            )
        semester = next((s for s in prog.semesters if s.number == number), None)
        if semester is None:
            semester = Semester(number, node.attr("libelle"), node.line)
            prog.semesters.append(semester)
        else:  # one table per semester and parcours: its modules join the first element's
            prog.issues.append(
                Issue(
                    node.line,
                    "duplicate_semester",
                    f"semestre {number} déjà décrit ligne {semester.line} : ses modules sont "
                    "lus avec ceux du premier",
                )
            )
        for block, element in (("saes", "sae"), ("ressources", "ressource")):
            container = node.first(block)
            for mod in container.all(element) if container else []:
                semester.modules.append(_module(prog, mod, element))
    if not prog.semesters:
        raise SourceError(source, root.line, "aucun semestre (<semestre>) dans le programme")
    return prog


def _module(prog: Programme, node: Node, element: str) -> ProgrammeModule:
    module = ProgrammeModule(node.attr("code"), node.child_text("titre"), element, node.line)
    competences = node.first("competences")
    for comp in competences.all("competence") if competences else []:
        printed = comp.attr("coefficient")
        value = parse_number(printed) if printed is not None and is_number(printed) else None
        if value is None:
            prog.issues.append(
                Issue(
                    comp.line,
                    "bad_coefficient",
                    f"{module.code or '?'} : coefficient "
                    + (f"« {printed} » illisible" if printed else "vide")
                    + f" pour « {comp.attr('nom') or '?'} » : non retenu",
                )
            )
        module.weights.append(Weight(comp.attr("nom"), printed, value, comp.line))
    listed = node.first("liste_parcours")
    for p in listed.all("parcours") if listed else []:
        if p.text:
            module.parcours.append((p.text, p.line))
    return module
