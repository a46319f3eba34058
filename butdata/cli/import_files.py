"""`python -m butdata import FICHIER … [--exclure ID …] [--confirmer]`: the Données page's import
flow from the command line. Without ``--confirmer`` it only shows what the files hold (each
table: identity, status, checks, what importing it does) and writes nothing; with it, the files
join the sources (imports register, tables of ``--exclure`` left out) and the store is rebuilt,
all or nothing, under the store's lock (``store.imports.apply_imports``)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from butdata import fmt
from butdata.access import Role, os_user
from butdata.cli.common import add_db_argument
from butdata.errors import ButdataError
from butdata.settings import limits, size_text
from butdata.store import DEFAULT_SOURCES, default_db_path, store_meta
from butdata.store import imports as imp
from butdata.store import journal as jn
from butdata.vocab import DOCUMENT_LAYOUT_LABELS

HELP = (
    "Importe des fichiers (PDF des MCC, XLSX, CSV, XML d'ORéBUT) dans les sources : aperçu de "
    "chaque tableau trouvé, puis --confirmer pour les ajouter et reconstruire la base (les "
    "tableaux de --exclure restent dehors)."
)
ACTIONS = {
    imp.ADDED: "ajouté",
    imp.REPLACED: "remplacé",
    imp.CONFLICT: "en conflit",
    imp.REMOVED: "retiré",
    imp.SKIPPED: "écarté",
}


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("files", nargs="+", type=Path, metavar="FICHIER")
    parser.add_argument(
        "--exclure",
        action="append",
        default=[],
        metavar="ID",
        help="identifiant d'un tableau à ne pas importer (répétable ; voir l'aperçu)",
    )
    parser.add_argument(
        "--confirmer", action="store_true", help="importer (sans : aperçu seulement)"
    )
    parser.add_argument(
        "--sources",
        type=Path,
        default=None,
        help="dossier des sources (défaut : celui de la base, sinon data/sources/)",
    )
    add_db_argument(
        parser, "fichier de la base à reconstruire (défaut : data/butdata.duckdb ou $BUTDATA_DB)"
    )


CLI_METHOD = "ligne de commande"


def _names(uploads: list[tuple[str, bytes]]) -> str:
    return ", ".join(name for name, _ in uploads)


def _uploads(files: list[Path]) -> list[tuple[str, bytes]]:
    cap = limits().max_file_bytes
    out = []
    for path in files:
        size = path.stat().st_size  # OSError: named in French by the command line
        if size > cap:
            raise ButdataError(
                f"« {path.name} » : fichier trop gros ({size_text(size)} ; plafond "
                f"{size_text(cap)})"
            )
        out.append((path.name, path.read_bytes()))
    return out


def describe(preview: imp.ImportPreview, excluded: list[str]) -> list[str]:
    """The preview of one file, in French lines."""
    if preview.errors:
        return [
            f"{preview.name} : ne peut pas être importé",
            *(f"  {t}" for t in preview.error_texts()),
        ]
    kind = DOCUMENT_LAYOUT_LABELS.get(preview.layout or "", preview.layout or "?")
    lines = [f"{preview.name} — lu comme {kind} : {preview.summary(excluded)}"]
    lines += [f"  {note}" for note in preview.notes]
    for c in preview.changes_with(excluded):
        lines.append(f"  [{ACTIONS[c.action]}] {c.label} ({c.table_id})")
        t = c.table
        if t is not None:
            lines.append("    " + " · ".join(f"{what} : {value}" for what, value in t.identity))
            what = [f"statut {t.status_label}"]
            if t.reliability_label != t.status_label:
                what.append(t.reliability_label)
            lines.append(
                f"    {', '.join([*what, t.checks_summary()])} ; "
                f"{fmt.integer(c.n_ue)} UE, {fmt.integer(c.n_values)} coefficient(s)"
            )
            lines += [f"    total faux : {k.text}" for k in t.checks if k.holds is False]
            lines += [f"    {w}" for w in t.warnings]
        if c.detail:
            lines.append(f"    {c.detail}")
    return lines


def run(args: argparse.Namespace) -> int:
    db = args.db or default_db_path()
    sources = args.sources or Path(store_meta(db).get("sources_dir") or DEFAULT_SOURCES)
    uploads = _uploads(args.files)
    previews = imp.preview_imports(uploads, db, sources)
    for preview in previews:
        print("\n".join(describe(preview, args.exclure)))
    if any(p.errors for p in previews):
        print("rien n'a été importé (aucun des fichiers donnés)", file=sys.stderr)
        return 1
    if not args.confirmer:
        print("Aperçu seulement : rien n'a été écrit (relancez avec --confirmer pour importer).")
        return 0

    def progress(fraction: float, message: str) -> None:
        print(f"[{fraction:4.0%}] {message}", file=sys.stderr, flush=True)

    journal = jn.journal_path(db)
    jn.check_writable(journal)  # before the write: every change of the store is journalled
    who = {"author": os_user(), "role": str(Role.EDITOR), "method": CLI_METHOD, "action": "import"}
    try:
        done, report = imp.apply_imports(
            uploads, db, sources, progress, author=os_user(), excluded=args.exclure
        )
    except ButdataError as exc:
        jn.record(journal, **who, outcome=jn.FAILED, file=_names(uploads), detail=str(exc))
        raise
    for preview in done:
        jn.record(
            journal,
            **who,
            outcome=jn.OK,
            file=preview.name,
            added=preview.ids(imp.ADDED, args.exclure),
            replaced=preview.ids(imp.REPLACED, args.exclure),
            removed=preview.ids(imp.REMOVED, args.exclure),
            detail=preview.summary(args.exclure),
        )
        print(f"{preview.name} ajouté aux sources ({preview.summary(args.exclure)})")
    print(f"Base reconstruite : {report.db_path} ({fmt.seconds(report.seconds)})")
    return 0
