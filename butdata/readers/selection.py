"""Which tables of a document reach the store: every table, minus those set aside.

A department that brings its MCC in may keep only some of a document's tables (the import
page lets it untick the others). The tables set aside are named by their ids, the ids the store
shows; they come from the imports register for a file imported through the page, or from the
``exclure`` key of ``NAME.meta.toml`` for a file put in the sources directory by hand. The
document stays the provenance of the values it keeps; what was set aside is said in an
information, and an id that names no table of the document is a warning (the file changed
since its tables were picked).

A file imported through the page also has its table ids qualified by its name
(``ids.namespaced_id``), whatever its kind: no file can take the ids of another.
"""

from __future__ import annotations

from collections.abc import Collection

from butdata.ids import namespaced_id
from butdata.model import Document, Issue


def qualify_ids(doc: Document, file_name: str) -> None:
    """Every table id of ``doc`` qualified by ``file_name`` (the reader made them unique within
    the document; the qualification keeps them so)."""
    for table in doc.tables:
        table.table_id = namespaced_id(file_name, table.table_id or "")


def set_aside(doc: Document, excluded: Collection[str], origin: str) -> None:
    """Drop the tables of ``doc`` whose id is in ``excluded`` (with their warnings); ``origin``
    names where the list comes from, for the information left on the document."""
    wanted = set(excluded)
    if not wanted:
        return
    kept = [t for t in doc.tables if t.table_id not in wanted]
    dropped = [t.table_id or "" for t in doc.tables if t.table_id in wanted]
    doc.tables = kept
    if dropped:
        doc.issues.append(
            Issue(
                None,
                "tables_excluded",
                f"{len(dropped)} tableau(x) écarté(s) ({origin}) : {', '.join(dropped)}",
                "info",
            )
        )
    unknown = sorted(wanted - set(dropped))
    if unknown:
        doc.issues.append(
            Issue(
                None,
                "excluded_unknown",
                f"tableau(x) à écarter absent(s) du document ({origin}) : {', '.join(unknown)}",
            )
        )
