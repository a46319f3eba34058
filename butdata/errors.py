"""Errors a user is shown (file and line, never a traceback)."""

from __future__ import annotations

import errno
import zipfile


class ButdataError(Exception):
    """An error with a message meant for the user."""


class SourceError(ButdataError):
    """A source document that cannot be read: names the file and, when known, the line."""

    def __init__(self, source: str, line: int | None, message: str):
        self.source, self.line, self.message = source, line, message
        where = f"{source}:{line}" if line else source
        super().__init__(f"{where}: {message}")


class StoreBusy(ButdataError):
    """Another writer holds the store's lock longer than the wait allowed."""


class StoreDamaged(ButdataError):
    """A store file that fails the integrity check (truncated, corrupt, older schema)."""

    def __init__(self, path: object, problem: str):
        self.path, self.problem = path, problem
        super().__init__(f"base abîmée ou illisible : {printable(path)} ({problem})")


def printable(name: object) -> str:
    """A file name or path that can always be printed: bytes that are not UTF-8 (kept by Python
    as surrogates) are shown as « � » instead of failing the print."""
    return str(name).encode("utf-8", "surrogateescape").decode("utf-8", "replace")


_OS_REASONS = {
    errno.ENOENT: "introuvable",
    errno.EACCES: "accès refusé",
    errno.EPERM: "opération non permise",
    errno.EROFS: "système de fichiers en lecture seule",
    errno.ENOSPC: "disque plein",
    errno.EDQUOT: "quota disque dépassé",
    errno.EISDIR: "c'est un dossier, pas un fichier",
    errno.ENOTDIR: "un élément du chemin n'est pas un dossier",
    errno.EEXIST: "existe déjà",
    errno.EIO: "erreur d'entrée-sortie (disque ou fichier abîmé)",
    errno.ENAMETOOLONG: "nom de fichier trop long",
    errno.EMFILE: "trop de fichiers ouverts",
    errno.EBUSY: "fichier occupé",
    errno.ELOOP: "trop de liens symboliques",
}


def os_reason(exc: OSError) -> str:
    """The French reason of an OS error (its English strerror is never shown)."""
    if exc.errno in _OS_REASONS:
        return _OS_REASONS[exc.errno]
    return f"erreur du système (code {exc.errno})" if exc.errno else "erreur du système"


def reason(exc: BaseException) -> str:
    """Why a file could not be read, in French (a Python exception's name is never shown)."""
    if isinstance(exc, zipfile.BadZipFile):
        return "ce n'est pas une archive ZIP valide (fichier abîmé ou renommé ?)"
    if isinstance(exc, EOFError):
        return "fichier tronqué"
    if isinstance(exc, UnicodeError):
        return "encodage de caractères illisible"
    if isinstance(exc, OSError):
        return os_reason(exc)
    if isinstance(exc, MemoryError):
        return "fichier trop volumineux pour la mémoire disponible"
    if isinstance(exc, KeyError):
        return "une partie attendue du fichier manque"
    if isinstance(exc, (ValueError, TypeError, AttributeError, IndexError)):
        return "contenu inattendu pour ce format"
    return "erreur inattendue du lecteur"


def os_error(exc: OSError, path: object = None) -> ButdataError:
    """An OS error as a user error naming the file: ``data/x.duckdb : accès refusé``."""
    where = path if path is not None else exc.filename
    reason = os_reason(exc)
    return ButdataError(f"{printable(where)} : {reason}" if where is not None else reason)
