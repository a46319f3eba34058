"""Safe XML parsing for the ORéBUT exports: a small element tree whose nodes keep the line of
their start tag (ElementTree keeps none), so every value read traces to its file and line.

Parsing goes through ``defusedxml``'s SAX reader with DTDs forbidden (an ORéBUT export has none):
no entity expansion, no external resource. Files over ``MAX_BYTES`` or nested deeper than
``MAX_DEPTH`` are refused with a French error naming the file.

What the exports are known to do, and how it is read:

- the programme template writes a line break *before* the XML declaration, which a strict parser
  refuses: the declaration is dropped (its newlines kept, so line numbers stay the file's own);
- text is HTML-escaped by the template engine (``&#039;``) and may carry HTML entities of its own
  (``&amp;#039;`` once parsed, ``&nbsp;`` unescaped): entities are resolved after parsing, and an
  HTML named entity or a bare ``&`` that XML does not know is repaired before.
"""

from __future__ import annotations

import codecs
import html
import html.entities
import re
from dataclasses import dataclass, field
from pathlib import Path
from xml.sax import SAXParseException
from xml.sax.handler import ContentHandler
from xml.sax.xmlreader import AttributesImpl, Locator

import defusedxml
import defusedxml.sax

from butdata.errors import SourceError
from butdata.text import normalize

MAX_BYTES = 32 * 1024 * 1024  # a speciality's programme with every description is a few MB
MAX_DEPTH = 64  # the exports nest 7 levels

_DECLARATION = re.compile(r"^\s*<\?xml[^>]*\?>", re.DOTALL)
_ENCODING = re.compile(rb"""^\s*<\?xml[^>]*encoding\s*=\s*["']([A-Za-z0-9._-]+)["']""")
_XML_ENTITIES = {"amp", "lt", "gt", "quot", "apos"}
_NAMED_ENTITY = re.compile(r"&([A-Za-z][A-Za-z0-9]*);")
_BARE_AMPERSAND = re.compile(r"&(?!#[0-9]+;|#[xX][0-9A-Fa-f]+;|[A-Za-z][A-Za-z0-9._-]*;)")
_ENTITY = re.compile(r"&(?:#[0-9]+|#[xX][0-9A-Fa-f]+|[A-Za-z][A-Za-z0-9]*);")

# Expat's messages, in French.
_EXPAT_FR = {
    "not well-formed (invalid token)": "caractère ou balise invalide",
    "mismatched tag": "balise fermante qui ne correspond pas à la balise ouverte",
    "undefined entity": "entité inconnue",
    "no element found": "document vide ou coupé avant la fin",
    "unclosed token": "balise non refermée",
    "junk after document element": "texte après la fin du document",
    "duplicate attribute": "attribut en double",
    "unclosed CDATA section": "section CDATA non refermée",
    "syntax error": "erreur de syntaxe",
}


@dataclass
class Node:
    """An element: its tag, attributes (as parsed, entities not yet resolved), the line of its
    start tag and its children in document order."""

    tag: str
    attrs: dict[str, str]
    line: int
    children: list[Node] = field(default_factory=list)
    parts: list[str] = field(default_factory=list)  # its own text, in chunks

    def first(self, tag: str) -> Node | None:
        return next((c for c in self.children if c.tag == tag), None)

    def all(self, tag: str) -> list[Node]:
        return [c for c in self.children if c.tag == tag]

    def attr(self, name: str) -> str | None:
        """An attribute as a reader shows it (:func:`clean`); ``None`` when absent or empty."""
        value = self.attrs.get(name)
        return (clean(value) or None) if value is not None else None

    @property
    def text(self) -> str | None:
        return clean("".join(self.parts)) or None

    def child_text(self, tag: str) -> str | None:
        child = self.first(tag)
        return child.text if child is not None else None


def unescape(text: str) -> str:
    """HTML entities left in a parsed text (``&#039;``, ``&amp;#039;``, ``&eacute;``), resolved
    until none is left; an ``&`` that starts no entity stays as it is."""
    for _ in range(3):  # escaped once by the editor, once by the template: at most twice
        resolved = _ENTITY.sub(lambda m: html.unescape(m.group(0)), text)
        if resolved == text:
            break
        text = resolved
    return text


def clean(text: str) -> str:
    """Entities resolved, then one space for any run of white space (titles may be wrapped)."""
    return " ".join(normalize(unescape(text)).split())


def _repair(text: str) -> str:
    """What XML refuses and an HTML export may hold: named entities XML does not define
    (``&nbsp;`` -> ``&#160;``; an unknown one is kept as text) and bare ``&``. Nothing else is
    changed, line breaks included."""

    def named(m: re.Match[str]) -> str:
        name = m.group(1)
        if name in _XML_ENTITIES:
            return m.group(0)
        value = html.entities.html5.get(name + ";")
        return "".join(f"&#{ord(ch)};" for ch in value) if value else f"&amp;{name};"

    return _BARE_AMPERSAND.sub("&amp;", _NAMED_ENTITY.sub(named, text))


def _decode(source: str, raw: bytes) -> str:
    declared = _ENCODING.match(raw[:512])
    encoding = declared.group(1).decode() if declared else "utf-8"
    try:
        codecs.lookup(encoding)
    except LookupError:
        raise SourceError(source, 1, f"encodage « {encoding} » inconnu") from None
    if encoding.lower().replace("_", "-") in ("utf-8", "utf8"):
        encoding = "utf-8-sig"  # a byte order mark is allowed
    try:
        return raw.decode(encoding)
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise SourceError(source, line, f"encodage invalide ({encoding} attendu)") from None


class _TreeBuilder(ContentHandler):
    def __init__(self, source: str) -> None:
        super().__init__()
        self.source = source
        self.stack: list[Node] = []
        self.root: Node | None = None
        self.locator: Locator | None = None

    def setDocumentLocator(self, locator: Locator) -> None:
        self.locator = locator

    def startElement(self, name: str, attrs: AttributesImpl) -> None:
        line = (self.locator.getLineNumber() if self.locator else None) or 0
        if len(self.stack) >= MAX_DEPTH:
            raise SourceError(
                self.source, line, f"éléments imbriqués sur plus de {MAX_DEPTH} niveaux"
            )
        node = Node(name, dict(attrs.items()), line)
        if self.stack:
            self.stack[-1].children.append(node)
        else:
            self.root = node
        self.stack.append(node)

    def endElement(self, name: str) -> None:
        self.stack.pop()

    def characters(self, content: str) -> None:
        if self.stack:
            self.stack[-1].parts.append(content)


def parse_text(source: str, text: str) -> Node:
    """The element tree of an XML text (``source`` names the file in errors)."""
    text = text.removeprefix("\ufeff")  # a byte order mark
    declaration = _DECLARATION.match(text)
    if declaration:  # dropped, its line breaks kept: the numbering stays the file's
        text = "\n" * declaration.group(0).count("\n") + text[declaration.end() :]
    builder = _TreeBuilder(source)
    try:
        defusedxml.sax.parseString(_repair(text).encode("utf-8"), builder, forbid_dtd=True)
    except SAXParseException as exc:
        message, column = exc.getMessage(), exc.getColumnNumber()
        where = f" (colonne {column + 1})" if column is not None else ""
        raise SourceError(
            source, exc.getLineNumber(), f"XML mal formé : {_EXPAT_FR.get(message, message)}{where}"
        ) from None
    except defusedxml.DefusedXmlException:
        line = text[: max(text.find("<!"), 0)].count("\n") + 1
        raise SourceError(
            source,
            line,
            "déclaration de type de document (DTD) ou d'entités refusée : un export ORéBUT n'en "
            "contient pas",
        ) from None
    if builder.root is None:
        raise SourceError(source, None, "document XML vide")
    return builder.root


def load(path: Path) -> tuple[Node, int]:
    """The element tree of an XML file and its number of lines."""
    path = Path(path)
    size = path.stat().st_size
    if size > MAX_BYTES:
        raise SourceError(
            path.name,
            None,
            f"fichier XML trop volumineux ({size // (1024 * 1024)} Mo ; "
            f"{MAX_BYTES // (1024 * 1024)} Mo au plus)",
        )
    text = _decode(path.name, path.read_bytes())
    return parse_text(path.name, text), text.count("\n") + (0 if text.endswith("\n") else 1)


def root_tag(path: Path, head_bytes: int = 65536) -> str | None:
    """The name of the root element, read from the head of the file (no full parse): tells the
    two ORéBUT exports apart by content, whatever their file names."""
    with open(path, "rb") as fh:
        head = fh.read(head_bytes).decode("utf-8", "ignore")
    head = re.sub(r"<!--.*?-->|<\?.*?\?>", "", head, flags=re.DOTALL)
    m = re.search(r"<([A-Za-z_][\w.:-]*)", head)
    return m.group(1) if m else None
