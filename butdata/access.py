"""Who may change the store: the two modes, the two roles, and the sign-in rate limit.

- **Local mode** (``make app``, bound to 127.0.0.1): the single user is an editor, named after
  the operating-system account.
- **Shared mode** (``make serve``, ``BUTDATA_SHARED=1``): anonymous visitors read only; editors
  sign in (OIDC through Streamlit, or a name and a password from ``butdata.passwords``).

Pure (no streamlit): the pages ask ``ui.auth``, which builds an ``Identity`` from the session and
asks ``can_write`` here, so the rule is written once.
"""

from __future__ import annotations

import getpass
import os
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum

from butdata.errors import ButdataError

SHARED_ENV = "BUTDATA_SHARED"
# Values of BUTDATA_SHARED that mean "local": anything else (a typo included) means shared, so a
# mistake fails closed (read only), never open.
_LOCAL_VALUES = frozenset({"", "0", "false", "no", "non", "off"})


class Role(StrEnum):
    VISITOR = "visiteur"
    EDITOR = "éditeur"


class Method(StrEnum):
    """How an identity was established (kept in the journal)."""

    NONE = "anonyme"
    LOCAL = "local"  # the OS user of a local-mode server
    PASSWORD = "mot de passe"  # an editor account of secrets.toml
    OIDC = "oidc"  # st.login with the identity provider of secrets.toml


@dataclass(frozen=True)
class Identity:
    name: str | None
    role: Role
    method: Method

    @property
    def label(self) -> str:
        """French, for the sidebar and the journal."""
        return self.name or "visiteur anonyme"


VISITOR = Identity(None, Role.VISITOR, Method.NONE)


class AccessDenied(ButdataError):
    """A write asked by a session that may not write (French message)."""


def shared_mode(environ: Mapping[str, str] | None = None) -> bool:
    """True when the server is shared on the network (``BUTDATA_SHARED`` set, not to a "no")."""
    env = os.environ if environ is None else environ
    return env.get(SHARED_ENV, "").strip().lower() not in _LOCAL_VALUES


def os_user() -> str:
    """The operating-system account running the process (the author in local mode)."""
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no passwd entry (some containers)
        return "utilisateur local"


def local_identity() -> Identity:
    return Identity(os_user(), Role.EDITOR, Method.LOCAL)


def editor(name: str, method: Method) -> Identity:
    return Identity(name, Role.EDITOR, method)


def can_write(who: Identity) -> bool:
    """The one rule: only editors change the store (import, delete, save a scenario)."""
    return who.role is Role.EDITOR and bool(who.name)


def denial_message(what: str) -> str:
    return (
        f"Modification refusée ({what}) : la consultation est ouverte à tous, les changements "
        "sont réservés aux éditeurs connectés (barre latérale, « Se connecter »)."
    )


# --------------------------------------------------------------------------- sign-in rate limit


@dataclass
class _Counter:
    failures: list[float] = field(default_factory=list)
    locked_until: float = 0.0
    lockouts: int = 0


class SignInThrottle:
    """Failed sign-ins per key (a session, a client address): after ``max_failures`` failures
    within ``window_s`` seconds the key is locked for ``lockout_s``, doubled at each further
    lockout up to ``max_lockout_s``; a success clears the key. ``clock`` is injectable."""

    def __init__(
        self,
        max_failures: int = 5,
        window_s: float = 300.0,
        lockout_s: float = 30.0,
        max_lockout_s: float = 900.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.max_failures = max_failures
        self.window_s = window_s
        self.lockout_s = lockout_s
        self.max_lockout_s = max_lockout_s
        self.clock = clock
        self._keys: dict[str, _Counter] = {}

    def wait(self, key: str) -> float:
        """Seconds before ``key`` may try again (0: it may try now)."""
        c = self._keys.get(key)
        return max(0.0, c.locked_until - self.clock()) if c else 0.0

    def failure(self, key: str) -> float:
        """Count one failure; returns the new wait (0 while under the limit)."""
        now = self.clock()
        c = self._keys.setdefault(key, _Counter())
        c.failures = [t for t in c.failures if now - t < self.window_s] + [now]
        if len(c.failures) >= self.max_failures:
            c.locked_until = now + min(self.lockout_s * 2**c.lockouts, self.max_lockout_s)
            c.lockouts += 1
            c.failures = []
        return self.wait(key)

    def success(self, key: str) -> None:
        self._keys.pop(key, None)
