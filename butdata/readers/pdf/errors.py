"""What makes a PDF unreadable, said in French with the file and the page, and the bounds that
keep reading one in bounded time and memory whatever it holds.

Checked before any page is interpreted: the size of the file, its ``%PDF-`` header and its
``%%EOF`` end (a truncated download), a password, the page count. Checked per page, before
pdfminer interprets it: the size of its content streams once decompressed (a compression bomb
stops at the bound, never fully inflated). Checked between pages: the time spent so far.
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass
from typing import Any

from butdata.errors import SourceError


@dataclass(frozen=True)
class Limits:
    max_bytes: int = 50_000_000  # an MCC PDF weighs a few hundred kilobytes
    max_pages: int = 150  # a department's MCC: 6 to 40 pages
    max_content_bytes: int = 8_000_000  # decompressed drawing instructions of one page
    max_chars: int = 60_000  # characters on one page (an MCC page: 1 000 to 5 000)
    seconds: float = 60.0  # time budget of a whole document


LIMITS = Limits()


def page_error(source: str, page: int, message: str) -> SourceError:
    """An error located on a page (the line number of a PDF source is its page)."""
    return SourceError(source, page, f"page {page} : {message}")


def check_file(source: str, data_head: bytes, data_tail: bytes, size: int, limits: Limits) -> None:
    """The bytes look like a whole PDF: header at the start, end-of-file marker at the end."""
    if size == 0:
        raise SourceError(source, None, "fichier PDF vide")
    if size > limits.max_bytes:
        raise SourceError(
            source,
            None,
            f"PDF trop volumineux ({size // 1_000_000} Mo ; au plus "
            f"{limits.max_bytes // 1_000_000} Mo pour des MCC)",
        )
    if b"%PDF-" not in data_head[:1024]:
        raise SourceError(source, None, "ce fichier n'est pas un PDF (en-tête « %PDF- » absent)")
    if b"%%EOF" not in data_tail:
        raise SourceError(
            source,
            None,
            "PDF tronqué : la fin du fichier (« %%EOF ») manque (téléchargement ou copie "
            "interrompus ?)",
        )


def opening_error(source: str, exc: Exception) -> SourceError:
    """pdfminer's reasons for not opening a document, in French."""
    causes = [exc, *exc.args, exc.__cause__, exc.__context__]  # pdfplumber wraps pdfminer's
    names = " ".join(type(c).__name__ for c in causes if isinstance(c, BaseException))
    name = (
        type(exc.args[0]).__name__
        if exc.args and isinstance(exc.args[0], Exception)
        else type(exc).__name__
    )
    if "Password" in names or "Encrypt" in names:
        return SourceError(
            source,
            None,
            "PDF protégé par un mot de passe : enregistrez-le sans protection (ou imprimez-le en "
            "PDF) puis déposez-le à nouveau",
        )
    return SourceError(source, None, f"PDF illisible ou abîmé ({name})")


def content_size(page_obj: Any, bound: int) -> int:
    """Decompressed size of a page's content streams and of the forms it draws, counted up to
    ``bound`` (+1): the inflation stops there. Streams whose filter is not Flate are counted
    by their raw size."""
    from pdfminer.pdftypes import resolve1, stream_value

    total = 0
    seen: set[int] = set()
    todo: list[Any] = []
    contents = page_obj.contents if isinstance(page_obj.contents, list) else [page_obj.contents]
    todo.extend(contents)
    resources = resolve1(page_obj.resources) or {}
    xobjects = resolve1(resources.get("XObject")) if isinstance(resources, dict) else None
    if isinstance(xobjects, dict):
        todo.extend(xobjects.values())
    while todo and total <= bound:
        ref = todo.pop()
        key = id(resolve1(ref))
        if key in seen:
            continue
        seen.add(key)
        try:
            stream = stream_value(ref)
        except Exception:
            continue
        subtype = resolve1(stream.attrs.get("Subtype"))
        if subtype is not None and getattr(subtype, "name", None) == "Image":
            continue  # images are not decoded to read the text
        total += _inflated(stream, bound - total + 1)
        res = resolve1(stream.attrs.get("Resources"))
        inner = resolve1(res.get("XObject")) if isinstance(res, dict) else None
        if isinstance(inner, dict):
            todo.extend(inner.values())
    return total


def _inflated(stream: Any, bound: int) -> int:
    from pdfminer.pdftypes import resolve1

    raw = stream.rawdata if stream.rawdata is not None else stream.data or b""
    filters = resolve1(stream.attrs.get("Filter"))
    names = (
        [getattr(resolve1(f), "name", "") for f in filters]
        if isinstance(filters, list)
        else [getattr(filters, "name", "")]
    )
    if names[:1] not in (["FlateDecode"], ["Fl"]):
        return len(raw)
    inflater = zlib.decompressobj()
    try:
        out = inflater.decompress(raw, bound)
    except zlib.error:
        return len(raw)  # pdfminer will say what it makes of it
    return len(out)
