"""One reader per document layout; ``read_document`` picks the reader for a file.

A document may have a metadata file beside it, ``NAME.meta.toml`` (``titre``, ``annee``), giving
the title and year a committee reads when the document does not print them, and the ids of the
tables to leave out of the store (``exclure``, see ``selection``)."""

from __future__ import annotations

import re
import tomllib
from collections.abc import Collection
from pathlib import Path
from typing import Any

from butdata.errors import SourceError
from butdata.model import Document

TEXT_SUFFIXES = {".txt"}
TEMPLATE_SUFFIXES = {".csv", ".xlsx"}
XML_SUFFIXES = {".xml"}  # ORéBUT exports: competence referential and programme
PDF_SUFFIXES = {".pdf"}
SUFFIXES = TEXT_SUFFIXES | TEMPLATE_SUFFIXES | XML_SUFFIXES | PDF_SUFFIXES
# What the import page takes (text extractions come only from the sources directory).
IMPORTABLE_SUFFIXES = TEMPLATE_SUFFIXES | PDF_SUFFIXES | XML_SUFFIXES


def source_files(directory: Path) -> list[Path]:
    """The documents of a sources directory, in a stable order."""
    return sorted(
        p
        for p in Path(directory).iterdir()
        if p.is_file() and p.suffix.lower() in SUFFIXES and not p.name.startswith(".")
    )


def read_text_lines(path: Path) -> list[str]:
    raw = path.read_bytes()
    if b"\x00" in raw:
        raise SourceError(path.name, None, "fichier binaire, pas un texte extrait d'un PDF")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise SourceError(path.name, line, "encodage invalide (UTF-8 attendu)") from None
    # Split on "\n" only: str.splitlines() also breaks on form feeds and other separators,
    # which would shift every following line number away from the file's own numbering.
    return [line.rstrip("\r") for line in text.split("\n")]


META_SUFFIX = ".meta.toml"


def meta_path(path: Path) -> Path:
    """``000_x.txt`` -> ``000_x.meta.toml`` (the document's metadata file, if any)."""
    return path.with_name(path.name.rsplit(".", 1)[0] + META_SUFFIX)


def _meta_data(path: Path) -> dict[str, Any]:
    meta = meta_path(path)
    if not meta.is_file():
        return {}
    try:
        return tomllib.loads(meta.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise SourceError(meta.name, None, f"fichier de métadonnées illisible ({exc})") from None


def read_exclusions(path: Path) -> list[str]:
    """The ids of the tables to leave out (``exclure = ["id", …]`` in the metadata file)."""
    data = _meta_data(path)
    value: object = next((data[n] for n in ("exclure", "exclude") if n in data), [])
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise SourceError(
            meta_path(path).name, None, "« exclure » : liste d'identifiants de tableaux attendue"
        )
    return [v.strip() for v in value if v.strip()]


def read_meta(path: Path) -> dict[str, str]:
    """Title and year from the metadata file beside ``path`` (empty when there is none)."""
    data = _meta_data(path)
    out = {}
    for key, names in (("title", ("titre", "title")), ("year", ("annee", "année", "year"))):
        value = next((data[n] for n in names if n in data), None)
        if value is not None:
            out[key] = str(value).strip()
    return out


def read_document(
    path: Path, *, imported: bool = False, excluded: Collection[str] = ()
) -> Document:
    """Parse one source file into a Document (raises SourceError on unreadable input); the
    metadata file beside it, when present, names it (its title and year win over the printed
    ones, which are often long or generic). ``imported``: a file that came through the import
    page: its table ids are qualified by its name, and a spreadsheet's values are attributed to
    itself (see ``spreadsheet.load``). ``excluded``: ids of tables left out (the imports
    register's), with those of the metadata file's ``exclure``."""
    from butdata.readers.selection import qualify_ids, set_aside

    path = Path(path)
    doc = _read(path, imported)
    if imported and path.suffix.lower() not in TEMPLATE_SUFFIXES:
        qualify_ids(doc, path.name)  # a spreadsheet's reader qualifies its own (and checks them)
    set_aside(doc, excluded, "choix fait à l'import")
    set_aside(doc, read_exclusions(path), meta_path(path).name)
    meta = read_meta(path)
    doc.title = meta.get("title") or doc.title
    doc.year = meta.get("year") or doc.year
    return doc


def _read(path: Path, imported: bool = False) -> Document:
    suffix = path.suffix.lower()
    if suffix in PDF_SUFFIXES:
        from butdata.readers import pdf

        return pdf.read(path)
    if suffix in TEMPLATE_SUFFIXES:
        from butdata.readers import spreadsheet

        return spreadsheet.read(path, imported=imported)
    if suffix in XML_SUFFIXES:
        from butdata.readers import orebut_xml

        return orebut_xml.read(path)
    lines = read_text_lines(path)
    if any(re.match(r"^\s*Code PN\b", line) for line in lines):
        from butdata.readers import text_modules

        return text_modules.parse(path.name, lines)
    from butdata.readers import text_grid

    doc = text_grid.parse(path.name, lines)
    if not doc.tables:
        raise SourceError(path.name, None, "aucun tableau de coefficients reconnu dans ce document")
    return doc
