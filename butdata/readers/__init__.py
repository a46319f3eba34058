"""One reader per document layout; ``read_document`` picks the reader for a file.

A document may have a metadata file beside it, ``NAME.meta.toml`` (``titre``, ``annee``), giving
the title and year a committee reads when the document does not print them."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

from butdata.errors import SourceError
from butdata.model import Document

TEXT_SUFFIXES = {".txt"}
TEMPLATE_SUFFIXES = {".csv", ".xlsx"}
XML_SUFFIXES = {".xml"}  # ORéBUT exports: competence referential and programme
PDF_SUFFIXES = {".pdf"}
SUFFIXES = TEXT_SUFFIXES | TEMPLATE_SUFFIXES | XML_SUFFIXES | PDF_SUFFIXES


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


def read_meta(path: Path) -> dict[str, str]:
    """Title and year from the metadata file beside ``path`` (empty when there is none)."""
    meta = meta_path(path)
    if not meta.is_file():
        return {}
    try:
        data = tomllib.loads(meta.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise SourceError(meta.name, None, f"fichier de métadonnées illisible ({exc})") from None
    out = {}
    for key, names in (("title", ("titre", "title")), ("year", ("annee", "année", "year"))):
        value = next((data[n] for n in names if n in data), None)
        if value is not None:
            out[key] = str(value).strip()
    return out


def read_document(path: Path, *, imported: bool = False) -> Document:
    """Parse one source file into a Document (raises SourceError on unreadable input); the
    metadata file beside it, when present, names it (its title and year win over the printed
    ones, which are often long or generic). ``imported``: a spreadsheet that came through the
    import page, whose values are attributed to itself (see ``spreadsheet.load``)."""
    path = Path(path)
    doc = _read(path, imported)
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
