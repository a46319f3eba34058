"""Pure parts of the access control: the mode from the environment, the role rule, the sign-in
rate limit, password hashing (scrypt, constant-time compare), the editors table of
secrets.toml and the ``editor`` command. No streamlit here."""

from __future__ import annotations

import base64
import hmac
import io
import os
import re
import stat
import statistics
import time
import tomllib

import pytest

from butdata import access, passwords
from butdata.access import VISITOR, Identity, Method, Role, SignInThrottle
from butdata.cli.main import main
from butdata.errors import ButdataError

CHEAP = {"n": 2**10, "r": 8, "p": 1}  # fast hashes for the tests that are not about cost

# --------------------------------------------------------------------------- mode and role


@pytest.mark.parametrize(
    "value,shared",
    [
        (None, False),
        ("", False),
        ("0", False),
        ("false", False),
        ("Non", False),
        (" off ", False),
        ("1", True),
        ("oui", True),
        ("true", True),
        ("yes", True),
        ("1 ", True),
        ("vrai", True),  # an unknown word: shared (read only), never open by mistake
    ],
)
def test_shared_mode_from_environment(value, shared):
    env = {} if value is None else {"BUTDATA_SHARED": value}
    assert access.shared_mode(env) is shared


def test_only_a_named_editor_may_write():
    assert access.can_write(access.editor("marie", Method.PASSWORD))
    assert access.can_write(access.local_identity())
    assert not access.can_write(VISITOR)
    assert not access.can_write(Identity("marie", Role.VISITOR, Method.OIDC))
    assert not access.can_write(Identity("", Role.EDITOR, Method.PASSWORD))


def test_local_identity_is_the_os_user(monkeypatch):
    monkeypatch.setattr(access.getpass, "getuser", lambda: "commission")
    assert access.local_identity() == Identity("commission", Role.EDITOR, Method.LOCAL)

    def no_user():
        raise KeyError("uid not found")

    monkeypatch.setattr(access.getpass, "getuser", no_user)
    assert access.local_identity().name == "utilisateur local"


# --------------------------------------------------------------------------- rate limit


class Clock:
    def __init__(self) -> None:
        self.t = 1000.0

    def __call__(self) -> float:
        return self.t


def test_throttle_locks_after_five_failures_then_doubles():
    clock = Clock()
    t = SignInThrottle(max_failures=5, window_s=300, lockout_s=30, max_lockout_s=100, clock=clock)
    for _ in range(4):
        assert t.failure("s") == 0 and t.wait("s") == 0
    assert t.failure("s") == 30  # the fifth failure within the window locks for 30 s
    clock.t += 10
    assert t.wait("s") == 20
    assert t.wait("other") == 0  # per key (per session)
    clock.t += 20
    assert t.wait("s") == 0
    for _ in range(4):
        t.failure("s")
    assert t.failure("s") == 60  # second lockout: doubled
    clock.t += 60
    for _ in range(5):
        t.failure("s")
    assert t.wait("s") == 100  # third would be 120: capped
    t.success("s")
    assert t.wait("s") == 0


def test_throttle_forgets_failures_outside_the_window():
    clock = Clock()
    t = SignInThrottle(max_failures=3, window_s=60, lockout_s=30, clock=clock)
    for _ in range(10):
        assert t.failure("s") == 0  # one failure every 31 s: never 3 within 60 s
        clock.t += 31


# --------------------------------------------------------------------------- hashing


def test_hash_round_trip_and_format():
    stored = passwords.hash_password("Coefficients-2026")
    m = re.fullmatch(r"scrypt:(\d+):(\d+):(\d+)\$([A-Za-z0-9+/=]+)\$([A-Za-z0-9+/=]+)", stored)
    assert m, stored
    # OWASP cheat sheet setting N=2^15, r=8, p=3; 16-byte salt, 32-byte key
    assert m.groups()[:3] == ("32768", "8", "3")
    assert len(base64.b64decode(m.group(4))) == 16 and len(base64.b64decode(m.group(5))) == 32
    assert "Coefficients-2026" not in stored
    assert passwords.verify_password("Coefficients-2026", stored)
    assert not passwords.verify_password("coefficients-2026", stored)
    assert not passwords.verify_password("Coefficients-2026 ", stored)
    assert not passwords.verify_password("", stored)


def test_same_password_gets_a_fresh_salt():
    a = passwords.hash_password("meme-mot-de-passe", **CHEAP)
    b = passwords.hash_password("meme-mot-de-passe", **CHEAP)
    assert a != b and a.split("$")[1] != b.split("$")[1]
    assert passwords.verify_password("meme-mot-de-passe", a)
    assert passwords.verify_password("meme-mot-de-passe", b)


def test_hash_matches_an_independent_scrypt_computation():
    stored = passwords.hash_password("abcdefghij", **CHEAP)
    params, salt, key = stored.split("$")
    _, n, r, p = params.split(":")
    expected = __import__("hashlib").scrypt(
        b"abcdefghij", salt=base64.b64decode(salt), n=int(n), r=int(r), p=int(p), dklen=32
    )
    assert base64.b64decode(key) == expected


def test_verification_compares_in_constant_time(monkeypatch):
    calls = []
    real = hmac.compare_digest

    def spy(a, b):
        calls.append((len(a), len(b)))
        return real(a, b)

    monkeypatch.setattr(passwords.hmac, "compare_digest", spy)
    stored = passwords.hash_password("un-mot-de-passe", **CHEAP)
    assert passwords.verify_password("un-mot-de-passe", stored)
    assert not passwords.verify_password("un-autre-mot", stored)
    assert calls == [(32, 32), (32, 32)]  # the keys themselves, never an early-exit ==


def test_unknown_name_and_damaged_hash_cost_one_hash_too(monkeypatch):
    costs = []
    real = passwords._scrypt

    def count(password, salt, n, r, p, dklen):
        costs.append(n)
        return real(password, salt, 2**10, r, 1, dklen)  # same work shape, cheaper for the test

    monkeypatch.setattr(passwords, "_scrypt", count)
    assert not passwords.verify_password("x" * 12, None)
    assert not passwords.verify_password("x" * 12, "scrypt:abc$$")
    # hostile cost parameters are not obeyed (they would take minutes): the dummy is used
    assert not passwords.verify_password("x" * 12, "scrypt:1073741824:8:1$AAAA$AAAA")
    assert not passwords.verify_password("x" * 12, "md5:1:1:1$AAAA$AAAA")
    assert costs == [passwords.N] * 4


def test_unknown_name_takes_as_long_as_a_wrong_password(tmp_path):
    path = tmp_path / "secrets.toml"
    passwords.add_editor("marie", "le-bon-mot-de-passe", path)

    def median(name: str) -> float:
        times = []
        for _ in range(3):
            t = time.perf_counter()
            assert passwords.authenticate(name, "mauvais-mot-de-passe", path) is None
            times.append(time.perf_counter() - t)
        return statistics.median(times)

    known, unknown = median("marie"), median("inconnu")
    assert known > 0.02  # a real scrypt ran
    assert 0.5 < unknown / known < 2.0, (known, unknown)


# --------------------------------------------------------------------------- the editors table

SECRETS = """# butdata secrets
[auth]
redirect_uri = "http://localhost:8501/oauth2callback"
cookie_secret = "xyz"

[editors]
"paul" = "scrypt:1024:8:1$AAAA$BBBB"

[butdata]
editor_emails = ["a@iut.fr"]
"""


def test_add_keeps_the_rest_of_the_file_and_is_private(tmp_path):
    path = tmp_path / "secrets.toml"
    path.write_text(SECRETS)
    passwords.add_editor("Marie.Dupont", "mot-de-passe-long", path)
    data = tomllib.loads(path.read_text())
    assert data["auth"] == {
        "redirect_uri": "http://localhost:8501/oauth2callback",
        "cookie_secret": "xyz",
    }
    assert data["butdata"] == {"editor_emails": ["a@iut.fr"]}
    assert set(data["editors"]) == {"paul", "Marie.Dupont"}
    assert path.read_text().startswith("# butdata secrets\n")
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert "mot-de-passe-long" not in path.read_text()
    assert passwords.authenticate("marie.dupont", "mot-de-passe-long", path) == "Marie.Dupont"
    assert passwords.authenticate("MARIE.DUPONT", "mot-de-passe-long", path) == "Marie.Dupont"
    assert passwords.authenticate("marie.dupont", "mot-de-passe-lon", path) is None


def test_add_again_replaces_case_insensitively_and_remove(tmp_path):
    path = tmp_path / "secrets.toml"
    passwords.add_editor("marie", "premier-mot-de-passe", path)
    passwords.add_editor("Marie", "second-mot-de-passe", path)
    editors = passwords.load_editors(path)
    assert [v[0] for v in editors.values()] == ["Marie"]
    assert passwords.authenticate("marie", "second-mot-de-passe", path) == "Marie"
    assert passwords.authenticate("marie", "premier-mot-de-passe", path) is None
    assert passwords.remove_editor("MARIE", path)
    assert passwords.load_editors(path) == {}
    assert not passwords.remove_editor("marie", path)


@pytest.mark.parametrize("name", ["", "a b", 'a"b', "a\\b", "x" * 65, "é\nx", "[editors]", "a=b"])
def test_unsafe_names_are_refused(tmp_path, name):
    with pytest.raises(ButdataError, match="nom d'éditeur"):
        passwords.add_editor(name, "mot-de-passe-long", tmp_path / "s.toml")
    assert not (tmp_path / "s.toml").exists()


def test_short_password_refused_and_inline_table_left_alone(tmp_path):
    with pytest.raises(ButdataError, match="trop court"):
        passwords.add_editor("marie", "court", tmp_path / "s.toml")
    path = tmp_path / "inline.toml"
    path.write_text('editors = { paul = "x" }\n')
    with pytest.raises(ButdataError, match="à la main"):
        passwords.add_editor("marie", "mot-de-passe-long", path)
    assert path.read_text() == 'editors = { paul = "x" }\n'
    broken = tmp_path / "broken.toml"
    broken.write_text("[editors\n")
    with pytest.raises(ButdataError, match="illisible"):
        passwords.add_editor("marie", "mot-de-passe-long", broken)
    assert broken.read_text() == "[editors\n"


# --------------------------------------------------------------------------- the command


def test_editor_add_command_non_interactive(tmp_path, monkeypatch, capsys):
    path = tmp_path / "secrets.toml"
    monkeypatch.setattr("sys.stdin", io.StringIO("un-mot-de-passe-solide\n"))
    assert main(["editor", "add", "marie", "--secrets", str(path), "--password-stdin"]) == 0
    out = capsys.readouterr()
    assert "marie" in out.out and "un-mot-de-passe-solide" not in out.out + out.err
    assert passwords.authenticate("marie", "un-mot-de-passe-solide", path) == "marie"
    assert main(["editor", "list", "--secrets", str(path)]) == 0
    assert capsys.readouterr().out.strip() == "marie"
    assert main(["editor", "remove", "marie", "--secrets", str(path)]) == 0
    assert main(["editor", "remove", "marie", "--secrets", str(path)]) == 1
    assert "aucun éditeur" in capsys.readouterr().err


def test_editor_add_command_prompts_twice(tmp_path, monkeypatch, capsys):
    path = tmp_path / "secrets.toml"
    answers = iter(["premier-essai-long", "second-essai-long"])
    monkeypatch.setattr("getpass.getpass", lambda prompt="": next(answers))
    assert main(["editor", "add", "marie", "--secrets", str(path)]) == 1
    assert "diffèrent" in capsys.readouterr().err and not path.exists()
    answers = iter(["le-meme-mot-long", "le-meme-mot-long"])
    assert main(["editor", "add", "marie", "--secrets", str(path)]) == 0
    assert passwords.authenticate("marie", "le-meme-mot-long", path) == "marie"
