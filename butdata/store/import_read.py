"""Reading the files of one import (one or several uploads) exactly as the build will read them,
in a scratch directory, without touching the sources.

Every kind the build reads comes in: the tidy template and MCC drafts (CSV, XLSX: row-level
errors), MCC PDFs and ORéBUT XML exports (an error names the file and the page or line). ORéBUT
exports come as two files: the programme is read with the competence referential of its
speciality, which may come in the same upload or be in the sources already; the scratch
directory holds the referentials the sources will hold once the import is done (those of the
sources, replaced by the uploaded ones of the same name), so the programme finds the one the
build will find.
"""

from __future__ import annotations

import re
import shutil
import tempfile
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from butdata.errors import ButdataError, SourceError, reason
from butdata.model import Document
from butdata.readers import TEMPLATE_SUFFIXES, XML_SUFFIXES, read_document, source_files
from butdata.readers import spreadsheet as template_reader
from butdata.readers.orebut_files import PROGRAMME_TAG, REFERENTIAL_TAG
from butdata.readers.orebut_xml import PROGRAMME, REFERENTIAL, xml_kind
from butdata.readers.pdf.snippet import cell_image
from butdata.tidy.columns import RowError, TemplateError
from butdata.tidy.rows import KnownUEs

_PAGE_PREFIX = re.compile(r"^page \d+ : ")

MISSING_REFERENTIAL = (
    "programme ORéBUT sans son référentiel de compétences : ce fichier "
    f"(<{PROGRAMME_TAG}>) se lit avec le référentiel de sa spécialité (fichier XML qui commence "
    f"par <{REFERENTIAL_TAG}>), qui n'est ni dans ce dépôt ni dans les sources. Déposez les "
    "deux fichiers ensemble (ou le référentiel d'abord)"
)
REFERENTIAL_ALONE = (
    "Référentiel de compétences ORéBUT : il nomme les compétences et les parcours mais ne donne "
    f"aucun tableau. Les tableaux viennent du programme de la spécialité (fichier XML <{PROGRAMME_TAG}>) : "
    "déposez-le avec ce fichier, ou ensuite."
)


@dataclass
class PlaceError(RowError):
    """An error of a PDF (``row``: its page) or of an XML export (its line); ``row`` 0 when the
    reader names no place."""

    unit: str = "page"

    def __str__(self) -> str:
        return f"{self.unit} {self.row} : {self.message}" if self.row else self.message


def xml_kinds(directory: Path) -> dict[str, str | None]:
    """File name -> ``"referentiel"`` / ``"programme"`` / None for the XML files of a directory."""
    if not directory.is_dir():
        return {}
    return {
        p.name: xml_kind(p) for p in source_files(directory) if p.suffix.lower() in XML_SUFFIXES
    }


@contextmanager
def staged(files: Sequence[tuple[str, bytes]], sources_dir: Path) -> Iterator[Path]:
    """A scratch directory holding the uploads (``(safe name, bytes)``) and the ORéBUT
    referentials of the sources that the uploads do not replace."""
    with tempfile.TemporaryDirectory(prefix="butdata-import-") as tmp:
        scratch = Path(tmp)
        names = {name for name, _ in files}
        for name, kind in xml_kinds(Path(sources_dir)).items():
            if kind == REFERENTIAL and name not in names:
                shutil.copyfile(Path(sources_dir) / name, scratch / name)
        for name, data in files:
            (scratch / name).write_bytes(data)
        yield scratch


def read_upload(path: Path, known_ues: KnownUEs) -> tuple[Document | None, list[RowError]]:
    """The Document of one staged upload, as the build will read it (ids qualified by the file's
    name, no table left out yet), or its errors: row by row for a spreadsheet (row 1 for the
    whole file), ``PlaceError`` with the page for a PDF, the line for an XML export."""
    if path.suffix.lower() in TEMPLATE_SUFFIXES:
        return _read_spreadsheet(path, known_ues)
    unit = "page" if path.suffix.lower() == ".pdf" else "ligne"
    try:
        if path.suffix.lower() in XML_SUFFIXES and xml_kind(path) == PROGRAMME:
            others = xml_kinds(path.parent)
            if not any(k == REFERENTIAL for n, k in others.items() if n != path.name):
                return None, [PlaceError(0, None, MISSING_REFERENTIAL, unit)]
        return read_document(path, imported=True), []
    except SourceError as exc:
        # The page is the error's place: said once (the PDF reader also writes it in front).
        message = _PAGE_PREFIX.sub("", exc.message) if unit == "page" else exc.message
        return None, [PlaceError(exc.line or 0, None, message, unit)]
    except ButdataError as exc:
        return None, [PlaceError(0, None, str(exc), unit)]
    except Exception as exc:  # an unexpected file must still give a message, not a trace
        return None, [PlaceError(0, None, f"fichier illisible : {reason(exc)}", unit)]


def _read_spreadsheet(path: Path, known_ues: KnownUEs) -> tuple[Document | None, list[RowError]]:
    try:
        return template_reader.load(path, known_ues=known_ues, imported=True), []
    except TemplateError as exc:
        return None, exc.errors
    except SourceError as exc:
        return None, [RowError(exc.line or 1, None, exc.message)]
    except ButdataError as exc:
        return None, [RowError(1, None, str(exc))]
    except Exception as exc:  # an unexpected file must still give a message, not a trace
        return None, [RowError(1, None, f"fichier illisible : {reason(exc)}")]


def upload_cell_image(
    name: str, data: bytes, page: int, bbox: tuple[float, float, float, float]
) -> bytes:
    """« Voir la source » of a value of an uploaded PDF not yet imported: the PNG of its page
    region, the cell framed (``snippet.cell_image``; ``SourceError`` in French naming the
    file and page when it cannot be drawn)."""
    with tempfile.TemporaryDirectory(prefix="butdata-cell-") as tmp:
        path = Path(tmp) / Path(name).name
        path.write_bytes(data)
        try:
            return cell_image(path, page, bbox)
        except SourceError:
            raise
        except Exception as exc:  # a drawing failure is told, never a trace
            raise SourceError(
                path.name, None, f"page {page} : extrait impossible ({reason(exc)})"
            ) from None
