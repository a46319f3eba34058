"""Reading the lines of the grid document into titles, bodies and UE rows (with the texts of
their labels: competence digit, competence name, level)."""

from __future__ import annotations

import re

from butdata.model import Issue
from butdata.readers.text_grid.rows import Row
from butdata.readers.text_grid.titles import Body, Title, parse_title
from butdata.readers.text_grid.tokens import (
    NBSP,
    Token,
    families,
    numbers,
    numeric_tail,
    parse_final,
)
from butdata.text import normalize

FOOTERS = ("Document généré depuis ORéBUT", "Découverte des parcours de BUT3")
SEMESTER_DIGIT = re.compile(r"^(\d)\.$")
COMPETENCE = re.compile(r"^(\d)(?: (.*))?$")
LABEL_FRAGMENT = re.compile(
    r"^(U|E|SA|É|Compétences?|Niveau de la|compétence SA|"
    r"Compétences? Niveau de (?:la )?compétences? SA)$"
)
CODE_FRAGMENT = re.compile(r"^[A-Z]{1,3}$")  # vertical parcours codes: "CP" / "O" / "P Piloter"


class LineReader:
    """One pass over the lines; ``read()`` gives the titles with their bodies, ``doc_issues``
    what was dropped before the first title."""

    def __init__(self, source: str, lines: list[str]):
        self.source, self.lines = source, lines
        self.norm = [normalize(raw) for raw in lines]
        self.titles: list[Title] = []
        self.doc_issues: list[Issue] = []

    def read(self) -> list[Title]:
        region: list[int] = []  # text lines since the last row / final line / title
        title: Title | None = None
        body = Body()
        for i, raw in enumerate(self.lines, start=1):
            text = self.norm[i - 1]
            if not text or any(text.startswith(f) for f in FOOTERS):
                continue
            new_title = parse_title(i, text) if "Semestre" in text else None
            if new_title:
                self._close(title, body, region)
                title, body, region = new_title, Body(), []
                self.titles.append(title)
                continue
            tokens: list[Token]
            if raw.rstrip(" ")[-1:].isdigit() or raw.endswith(NBSP):
                prefix, tokens = numeric_tail(raw)
            else:  # cannot end with a number: plain text
                prefix, tokens = raw, []
            nums = numbers(tokens)
            if len(nums) >= 4 and families(nums):
                body.rows.append(self._row(i, prefix, tokens, region, body))
                region = []
                continue
            if not normalize(prefix) and len(nums) >= 2:
                final = parse_final(tokens, i)
                if final:
                    body.final = final
                    body.leftover = self._leftover(region, body)
                    body.labelled += self._label_texts(region)
                    self._close_body(title, body)
                    body, region = Body(), []
                    continue
            if title is None:
                self.doc_issues.append(
                    Issue(
                        i, "text_before_title", f"texte avant le premier titre ignoré : « {text} »"
                    )
                )
                continue
            region.append(i)
        self._close(title, body, region)
        return self.titles

    def _label_texts(self, region: list[int]) -> list[tuple[int | None, str]]:
        """Text lines of a region with the competence label in effect above them."""
        out: list[tuple[int | None, str]] = []
        comp: int | None = None
        for i in region:
            text = self.norm[i - 1]
            m = COMPETENCE.match(text)
            if m:
                comp, text = int(m.group(1)), m.group(2) or ""
            if len(text) >= 12:
                out.append((comp, text))
        return out

    def _fragments(self, region: list[int]) -> list[tuple[int, str]]:
        """Shattered header fragments: short lines (1-5 characters, spaces included)."""
        out = []
        for i in region:
            if len(self.lines[i - 1].strip()) <= 6:
                out.append((i, self.lines[i - 1]))
            elif self.norm[i - 1].endswith(" SA"):  # "Compétence ... SA" + "É" = "SAÉ"
                out.append((i, "SA"))
        return out

    def _leftover(self, region: list[int], body: Body) -> list[int]:
        """Text lines of UE labels whose values did not survive (header fragments excluded)."""
        headers = {i for i, _ in body.header_lines}
        return [
            i
            for i in region
            if i not in headers
            and len(self.norm[i - 1]) > 5
            and not LABEL_FRAGMENT.match(self.norm[i - 1])
        ]

    def _close_body(self, title: Title | None, body: Body) -> None:
        if title is not None and (body.rows or body.final or not title.bodies):
            title.bodies.append(body)

    def _close(self, title: Title | None, body: Body, region: list[int]) -> None:
        if not body.rows and not body.header_lines:
            body.header_lines = self._fragments(region)
        body.leftover = body.leftover or self._leftover(region, body)
        if not body.final:
            body.labelled += self._label_texts(region)
        if title is not None and (body.rows or body.final or body.header_lines or not title.bodies):
            title.bodies.append(body)

    def _row(
        self, line: int, prefix: str, tokens: list[Token], region: list[int], body: Body
    ) -> Row:
        row = Row(line, tokens, normalize(prefix))
        # The last competence label of the region starts this row's texts; what comes before it
        # (in the first row of a body) is header fragments.
        comp_at, label = None, None
        lost: list[int] = []
        if raw_starts_fresh := (self.lines[line - 1].startswith(" ") and normalize(prefix)):
            # The line starts a new fragment (the text before it was lost): a label above it
            # belongs to a row whose values are lost, not to these values.
            region, lost = [], region
        for k, i in enumerate(region):
            m = COMPETENCE.match(self.norm[i - 1])
            if m and m.group(1) != "0":
                comp_at, label = k, m
        start = 0
        if comp_at is not None and label is not None:
            row.competence, row.competence_line = int(label.group(1)), region[comp_at]
            for i in region[:comp_at]:
                sm = SEMESTER_DIGIT.match(self.norm[i - 1])
                if sm:
                    row.semester = int(sm.group(1))
            start = comp_at
            body.labelled += self._label_texts(region[:comp_at])
        else:  # no label: the row's own texts follow the last "U" of a lost label, if any
            marks = [k for k, i in enumerate(region) if self.norm[i - 1] == "U"]
            start = marks[-1] + 1 if marks else 0
        if not body.rows and not body.header_lines:
            header_end = comp_at if comp_at is not None else start
            body.header_lines = self._fragments(region[:header_end])
        texts = [
            i
            for i in region[start:]
            if not LABEL_FRAGMENT.match(self.norm[i - 1])
            and not SEMESTER_DIGIT.match(self.norm[i - 1])
        ]
        self._texts(row, texts, comp_at is not None)
        if raw_starts_fresh:
            body.labelled += self._label_texts(lost)
            body.lost += [i for i in lost if len(self.norm[i - 1]) > 5]
        body.labelled += [(row.competence, t) for t in row.texts if len(t) >= 12]
        return row

    def _texts(self, row: Row, text_lines: list[int], labelled: bool) -> None:
        """Competence name (first cell after the label) and level text (the rest)."""
        items: list[tuple[int, str, bool]] = []  # (line, text, ends_open)
        first = True
        for i in text_lines:
            raw, text = self.lines[i - 1], self.norm[i - 1]
            if labelled and first:
                first = False
                m = COMPETENCE.match(text)
                assert m is not None  # a labelled row's texts start at its competence label
                text = m.group(2) or ""
                if not text:
                    continue
            items.append((i, text, raw.rstrip("\r").endswith((" ", NBSP))))
        # Vertical parcours codes after the competence digit ("CP" / "O" / "P Piloter...").
        if labelled:
            k = 0
            while k < len(items) and CODE_FRAGMENT.match(items[k][1]):
                k += 1
            if k:
                items = items[k:]
                if items and re.match(r"^[A-Z] \S", items[0][1]):
                    items[0] = (items[0][0], items[0][1][2:], items[0][2])
        if row.text:
            items.append((row.line, row.text, False))
        row.texts = [t for _, t, _ in items]
        if not labelled:
            return
        name: list[str] = []
        k = 0
        while k < len(items):
            i, text, open_ = items[k]
            name.append(text)
            k += 1
            nxt = items[k] if k < len(items) else None
            continued = nxt is not None and nxt[0] == i + 1 and nxt[1][:1].islower()
            if not open_ and not continued:
                break
        level = [t for _, t, _ in items[k:]]
        row.name = " ".join(name) or None
        row.level = " ".join(level) or None
