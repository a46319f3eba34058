"""The TTF font of the PDF: DejaVu Sans when the system has it, else Bitstream Vera from reportlab.

The PDF core fonts (Helvetica…) only know Latin-1: no « œ », « ≥ », « → », « … ». DejaVu Sans
covers everything French text uses. A machine that only ran ``pip install`` may have no system
font, so the fallback is Vera, shipped inside the reportlab wheel: it covers French (accents,
œ Œ « » ≤ ≥ … — ’ and the no-break space) but not « → » nor the narrow no-break space (U+202F);
`FontSet.printable` swaps those for « -> » and a no-break space, and any other glyph the font
lacks for « ? », instead of printing an empty box.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import reportlab
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.pdfmetrics import registerFontFamily
from reportlab.pdfbase.ttfonts import TTFont

from butdata.report.document import ReportError

# Where Linux distributions put DejaVu (Debian/Ubuntu, Fedora, Arch, a local install).
SYSTEM_FONT_DIRS: tuple[Path, ...] = (
    Path("/usr/share/fonts/truetype/dejavu"),
    Path("/usr/share/fonts/dejavu-sans-fonts"),
    Path("/usr/share/fonts/dejavu"),
    Path("/usr/share/fonts/TTF"),
    Path("/usr/local/share/fonts"),
    Path.home() / ".local/share/fonts",
)
REPORTLAB_FONT_DIR = Path(reportlab.__file__).parent / "fonts"

# A glyph the font lacks → a replacement it has (checked against the font before use).
_SUBSTITUTES = {
    "\u202f": "\u00a0",
    "\u2009": " ",
    "\u2192": "->",
    "\u2190": "<-",
    "\u21d2": "=>",
    "\u2260": "!=",
    "\u2248": "~",
    "\u2713": "oui",
    "\u2212": "-",
}


@dataclass(frozen=True)
class FontSet:
    """A regular and a bold TTF registered with reportlab, and the characters they can draw."""

    regular: str
    bold: str
    files: tuple[Path, Path]
    codepoints: frozenset[int]

    def printable(self, text: str) -> str:
        """``text`` with every character the font cannot draw replaced (see module doc)."""
        if text.isascii() or all(ord(c) in self.codepoints for c in text):
            return text
        out = []
        for c in text:
            if ord(c) in self.codepoints or c < " ":  # control characters (\n) pass through
                out.append(c)
            else:
                sub = _SUBSTITUTES.get(c, "?")
                out.append(sub if all(ord(s) in self.codepoints for s in sub) else "?")
        return "".join(out)


# (registered name, folder, regular file, bold file), in order of preference.
def _candidates(search_dirs: Sequence[Path]) -> list[tuple[str, Path, str, str]]:
    found = [("DejaVuSans", d, "DejaVuSans.ttf", "DejaVuSans-Bold.ttf") for d in search_dirs]
    return [*found, ("Vera", REPORTLAB_FONT_DIR, "Vera.ttf", "VeraBd.ttf")]


@lru_cache(maxsize=8)
def load_fonts(search_dirs: tuple[Path, ...] = SYSTEM_FONT_DIRS) -> FontSet:
    """Find, register (once) and describe the PDF font. ``search_dirs=()`` forces the Vera
    fallback (what a machine without system fonts gets). ``BUTDATA_PDF_FONT_DIR`` names a
    folder holding ``DejaVuSans.ttf`` and ``DejaVuSans-Bold.ttf`` to look at first."""
    extra = os.environ.get("BUTDATA_PDF_FONT_DIR")
    dirs = ((Path(extra),) if extra else ()) + search_dirs
    for name, folder, regular_file, bold_file in _candidates(dirs):
        files = (folder / regular_file, folder / bold_file)
        if all(f.is_file() for f in files):
            return _register(name, files)
    raise ReportError(
        "aucune police TrueType pour le PDF : ni DejaVu Sans, ni la police Vera "
        f"de reportlab ({REPORTLAB_FONT_DIR}) ; réinstaller reportlab"
    )


def _register(name: str, files: tuple[Path, Path]) -> FontSet:
    regular, bold = name, f"{name}-Bold"
    try:
        # Each face on its own: another user of reportlab in the process (the tests' PDF
        # builders) may have registered the regular face alone.
        known = set(pdfmetrics.getRegisteredFontNames())
        for face, file in ((regular, files[0]), (bold, files[1])):
            if face not in known:
                pdfmetrics.registerFont(TTFont(face, str(file)))
        registerFontFamily(regular, normal=regular, bold=bold, italic=regular, boldItalic=bold)
        faces = [pdfmetrics.getFont(name) for name in (regular, bold)]
        codepoints = set.intersection(
            *(set(f.face.charToGlyph) for f in faces if isinstance(f, TTFont))
        )
    except Exception as exc:  # a damaged or unreadable font file
        raise ReportError(f"police illisible pour le PDF ({files[0]}) : {exc}") from exc
    return FontSet(regular, bold, files, frozenset(codepoints))
