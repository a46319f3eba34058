"""Editor accounts: salted scrypt hashes in ``.streamlit/secrets.toml`` (never the password).

Stored format, one line per editor in the ``[editors]`` table::

    [editors]
    "marie.dupont" = "scrypt:32768:8:3$<salt, 16 bytes, base64>$<key, 32 bytes, base64>"

``scrypt:N:r:p`` are the cost parameters (OWASP Password Storage Cheat Sheet: N=2^15, r=8, p=3
is one of its equivalent minimum settings, ≈ 32 MiB and ≈ 0.3 s here), so that stronger settings
can come later without invalidating existing accounts. Verification recomputes the key and
compares with ``hmac.compare_digest`` (constant time); an unknown name is checked against a dummy
hash so that it costs the same time as a wrong password.

The file is edited in place (only the ``[editors]`` lines change; ``[auth]`` and comments stay),
written to a temporary file then ``os.replace``d, readable by its owner only (0600).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import re
import secrets
import tomllib
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from butdata.errors import ButdataError

PROJECT_DIR = Path(__file__).resolve().parents[1]
SECRETS_ENV = "BUTDATA_SECRETS"
SECTION = "editors"
SCHEME = "scrypt"
N, R, P = 2**15, 8, 3
SALT_BYTES, KEY_BYTES = 16, 32
MIN_PASSWORD = 10
# Bounds on parameters read from the file: a damaged or hostile line must not cost minutes.
_MAX_N, _MAX_R, _MAX_P = 2**20, 32, 16
_NAME = re.compile(r"^[\w.@-]{1,64}$")  # no quote, backslash or space: a plain TOML quoted key
_HEADER = re.compile(r"^\s*\[\s*([^\]]+?)\s*\]\s*(#.*)?$")
_KEY = re.compile(r'^\s*(?:"([^"\\]*)"|([A-Za-z0-9_-]+))\s*=')


def secrets_path() -> Path:
    """``$BUTDATA_SECRETS``, else the ``.streamlit/secrets.toml`` Streamlit reads (project dir)."""
    env = os.environ.get(SECRETS_ENV)
    return Path(env) if env else PROJECT_DIR / ".streamlit" / "secrets.toml"


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _scrypt(password: str, salt: bytes, n: int, r: int, p: int, dklen: int) -> bytes:
    return hashlib.scrypt(
        password.encode("utf-8"), salt=salt, n=n, r=r, p=p, dklen=dklen, maxmem=256 * 1024 * 1024
    )


def hash_password(password: str, *, n: int = N, r: int = R, p: int = P) -> str:
    """``scrypt:N:r:p$salt$key`` with a fresh random salt."""
    salt = secrets.token_bytes(SALT_BYTES)
    key = _scrypt(password, salt, n, r, p, KEY_BYTES)
    return f"{SCHEME}:{n}:{r}:{p}${_b64(salt)}${_b64(key)}"


@dataclass(frozen=True)
class _Parsed:
    n: int
    r: int
    p: int
    salt: bytes
    key: bytes


def _parse(stored: str) -> _Parsed:
    try:
        params, salt, key = stored.split("$")
        scheme, n, r, p = params.split(":")
        parsed = _Parsed(
            int(n), int(r), int(p), base64.b64decode(salt, validate=True), base64.b64decode(key)
        )
    except (ValueError, TypeError) as exc:
        raise ButdataError("empreinte de mot de passe illisible") from exc
    if scheme != SCHEME or not (
        1 < parsed.n <= _MAX_N
        and parsed.n & (parsed.n - 1) == 0
        and 0 < parsed.r <= _MAX_R
        and 0 < parsed.p <= _MAX_P
        and parsed.salt
        and parsed.key
    ):
        raise ButdataError("empreinte de mot de passe illisible")
    return parsed


# A well-formed hash of a random password: unknown names are checked against it (same cost).
_DUMMY = f"{SCHEME}:{N}:{R}:{P}${_b64(b'0' * SALT_BYTES)}${_b64(b'1' * KEY_BYTES)}"


def verify_password(password: str, stored: str | None) -> bool:
    """True when ``password`` matches ``stored``; ``None`` (unknown name) or an unreadable hash
    costs one hash computation too and is False."""
    try:
        parsed = _parse(stored) if stored is not None else _parse(_DUMMY)
    except ButdataError:
        parsed, stored = _parse(_DUMMY), None
    key = _scrypt(password, parsed.salt, parsed.n, parsed.r, parsed.p, len(parsed.key))
    same = hmac.compare_digest(key, parsed.key)
    return same and stored is not None


# --------------------------------------------------------------------------- the editors table


def normalize_name(name: str) -> str:
    """Names are compared in NFC and case-folded (« Marie » and « marie » are one account)."""
    return unicodedata.normalize("NFC", name.strip()).casefold()


def check_name(name: str) -> str:
    name = unicodedata.normalize("NFC", name.strip())
    if not _NAME.fullmatch(name):
        raise ButdataError(
            f"nom d'éditeur « {name} » refusé : 1 à 64 lettres, chiffres, « . », « _ », « - » "
            "ou « @ », sans espace"
        )
    return name


def check_password(password: str) -> None:
    if len(password) < MIN_PASSWORD:
        raise ButdataError(f"mot de passe trop court : {MIN_PASSWORD} caractères au moins")


def load_editors(path: Path | None = None) -> dict[str, tuple[str, str]]:
    """normalized name -> (name as written, stored hash); empty without the file or the table."""
    path = path or secrets_path()
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {}
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise ButdataError(f"{path.name} illisible : {exc}") from exc
    table = data.get(SECTION, {})
    if not isinstance(table, dict):
        return {}
    return {
        normalize_name(k): (k, v)
        for k, v in table.items()
        if isinstance(k, str) and isinstance(v, str)
    }


def stored_hash(name: str, path: Path | None = None) -> str | None:
    entry = load_editors(path).get(normalize_name(name))
    return entry[1] if entry else None


def authenticate(name: str, password: str, path: Path | None = None) -> str | None:
    """The editor's name as written in the file when the password matches, else None (always
    one hash computation, whether the name exists or not)."""
    try:
        entry = load_editors(path).get(normalize_name(name))
    except ButdataError:
        entry = None
    ok = verify_password(password, entry[1] if entry else None)
    return entry[0] if ok and entry else None


def _section_bounds(lines: list[str]) -> tuple[int, int] | None:
    """(header index, end index) of the ``[editors]`` table in the file's lines."""
    start = None
    for i, line in enumerate(lines):
        m = _HEADER.match(line)
        if not m:
            continue
        if start is not None:
            return start, i
        if m.group(1).strip().strip('"') == SECTION:
            start = i
    return (start, len(lines)) if start is not None else None


def _entry_name(line: str) -> str | None:
    m = _KEY.match(line)
    return (m.group(1) if m.group(1) is not None else m.group(2)) if m else None


def _edit(path: Path, name: str, stored: str | None) -> bool:
    """Set (``stored``) or remove (None) the line of ``name``; True when something changed."""
    text = path.read_text(encoding="utf-8") if path.exists() else ""
    try:
        before = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ButdataError(f"{path} illisible, rien n'a été modifié : {exc}") from exc
    lines = text.splitlines()
    bounds = _section_bounds(lines)
    if bounds is None and SECTION in before:
        raise ButdataError(
            f"{path} : la table [{SECTION}] n'est pas écrite sous la forme « [{SECTION}] » "
            "suivie d'une ligne par éditeur ; corrigez le fichier à la main"
        )
    key = normalize_name(name)
    new_line = f'"{name}" = "{stored}"' if stored is not None else None
    changed = False
    if bounds is None:
        if new_line is None:
            return False
        if lines and lines[-1].strip():
            lines.append("")
        lines += [f"[{SECTION}]", new_line]
        changed = True
    else:
        start, end = bounds
        body = []
        for line in lines[start + 1 : end]:
            entry = _entry_name(line)
            if entry is not None and normalize_name(entry) == key:
                changed = True
                continue  # the old line of this editor (replaced below, or removed)
            body.append(line)
        if new_line is not None:
            while body and not body[-1].strip():  # insert after the last entry, not a blank
                body.pop()
            body.append(new_line)
            changed = True
            if end < len(lines):
                body.append("")
        lines = lines[: start + 1] + body + lines[end:]
    out = "\n".join(lines) + "\n"
    after = tomllib.loads(out)  # never write a file Streamlit could not read
    table = after.get(SECTION, {})
    if stored is not None and table.get(name) != stored:
        raise ButdataError(f"{path} : l'éditeur « {name} » n'a pas pu être écrit")
    _write_private(path, out)
    return changed


def _write_private(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        os.write(fd, text.encode("utf-8"))
        os.fsync(fd)
    finally:
        os.close(fd)
    os.replace(tmp, path)


def add_editor(name: str, password: str, path: Path | None = None) -> str:
    """Write (or replace) the account of ``name``; returns the name as written."""
    name = check_name(name)
    check_password(password)
    _edit(path or secrets_path(), name, hash_password(password))
    return name


def remove_editor(name: str, path: Path | None = None) -> bool:
    path = path or secrets_path()
    if not path.exists():
        return False
    return _edit(path, check_name(name), None)
