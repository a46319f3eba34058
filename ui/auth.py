"""Who is this session, and may it change the store? The one gate of every write.

The role is decided here, on the server, at every script run — never from a widget value:

- local mode (``butdata.access.shared_mode()`` false): the OS user is an editor; a client that
  reaches a local server from another machine (``st.context.ip_address`` set: the server was
  bound to the network without ``BUTDATA_SHARED=1``) is only a visitor;
- shared mode: an editor is a session that signed in with a password of ``[editors]`` (checked
  again at each run against the file: a removed account or a changed password signs it out), or
  an OIDC account (``st.login``) when ``[auth]`` is configured; everyone else is a visitor.

Every write goes through ``require_editor(action, file)`` (the import of the Données page today,
a deletion or a saved scenario tomorrow): it re-derives the identity, and a refusal is written to
the journal and raised as ``AccessDenied``. Pages offer write widgets only when ``can_write()``;
``refuse_unoffered_writes`` (run by ``ui.layout.page``) catches a visitor's rerun that carries a
value for a write widget it was never offered (a crafted client) and journals the refusal.
"""

from __future__ import annotations

import logging
import math
import threading
from dataclasses import dataclass

import streamlit as st
from streamlit.runtime.scriptrunner import get_script_run_ctx

from butdata import access, passwords
from butdata.access import VISITOR, AccessDenied, Identity, Method
from butdata.errors import ButdataError
from butdata.store import default_db_path
from butdata.store import journal as jn

LOG = logging.getLogger("butdata.ui.auth")
SESSION_KEY = "_butdata_signed_in"  # holds a _Signed instance (a client can only send strings)
THROTTLE_KEY = "_butdata_signin_throttle"
# Keys of the widgets that write (trigger buttons) -> journal action, and the upload whose file
# name is journalled with it. A new write button (e.g. « Enregistrer le scénario ») is added here.
# Buttons only an editor is offered: « Vérifier le fichier » reads an upload (a parse a visitor
# must not be able to make the server do), « Importer » writes it.
WRITE_TRIGGERS = {
    "import_check": "import",
    "import_confirm": "import",
    "scenario_save": "scénario",
    "scenario_duplicate": "scénario",
    "scenario_delete": "scénario",
}
UPLOAD_KEYS = {"import": "import_file"}
# Per client address, across sessions (a crafted client may open a new session per attempt).
ADDRESS_MAX_FAILURES = 20
CONCURRENT_CHECKS = 2


@dataclass(frozen=True)
class _Signed:
    """A password sign-in of this session: the name and the hash it was checked against."""

    name: str
    stored: str


def shared() -> bool:
    return access.shared_mode()


def journal_file():
    return jn.journal_path(default_db_path())


# --------------------------------------------------------------------------- OIDC (st.login)


def _auth_section() -> dict | None:
    try:
        section = st.secrets.get("auth")
    except Exception:  # no secrets.toml, or unreadable: no identity provider
        return None
    return dict(section) if section else None


def oidc_providers() -> list[str | None]:
    """``[None]`` for one provider in ``[auth]``, the names of ``[auth.NAME]`` tables, or []."""
    section = _auth_section()
    if not section:
        return []
    if "client_id" in section:
        return [None]
    return [k for k, v in section.items() if isinstance(v, dict) and "client_id" in v]


def _oidc_allowed() -> set[str] | None:
    """Optional ``[butdata] editor_emails = [...]``: only these OIDC accounts edit."""
    try:
        emails = (st.secrets.get("butdata") or {}).get("editor_emails")
    except Exception:
        return None
    return {passwords.normalize_name(str(e)) for e in emails} if emails else None


def _oidc_user() -> dict:
    return dict(st.user.to_dict()) if hasattr(st.user, "to_dict") else dict(st.user)


def oidc_account() -> str | None:
    """The account signed in through the identity provider (editor or not), or None."""
    if not oidc_providers():
        return None
    try:
        user = _oidc_user()
    except Exception:
        return None
    if not user.get("is_logged_in"):
        return None
    return str(user.get("email") or user.get("preferred_username") or user.get("sub") or "") or None


def oidc_identity() -> Identity | None:
    name = oidc_account()
    allowed = _oidc_allowed()
    if not name or (allowed is not None and passwords.normalize_name(name) not in allowed):
        return None
    return access.editor(name, Method.OIDC)


# --------------------------------------------------------------------------- identity


def client_address() -> str | None:
    """The client's address, None for localhost (Streamlit's rule) and without a real client
    (AppTest gives a mock, not a string). Read once per session: a session is one connection,
    and the lookup is paid on every rerun otherwise (≈ 3 ms under AppTest)."""
    if _ADDRESS in st.session_state:
        known = st.session_state[_ADDRESS]
        return known if isinstance(known, str) else None
    try:
        ip = st.context.ip_address
    except Exception:
        ip = None
    address = ip if isinstance(ip, str) and ip else None
    st.session_state[_ADDRESS] = address
    return address


_ADDRESS = "_butdata_client_address"


def _password_identity() -> Identity | None:
    signed = st.session_state.get(SESSION_KEY)
    if not isinstance(signed, _Signed):
        return None
    try:
        current = passwords.stored_hash(signed.name)
    except ButdataError:
        current = None
    if current != signed.stored:  # account removed or password changed since the sign-in
        del st.session_state[SESSION_KEY]
        return None
    return access.editor(signed.name, Method.PASSWORD)


def current_identity() -> Identity:
    if not shared():
        if client_address() is not None:  # a remote client of a server meant to be local
            return VISITOR
        return access.local_identity()
    return _password_identity() or oidc_identity() or VISITOR


def can_write() -> bool:
    return access.can_write(current_identity())


def record(who: Identity, action: str, outcome: str, **fields) -> None:
    jn.record(
        journal_file(),
        author=who.name,
        role=str(who.role),
        method=str(who.method),
        action=action,
        outcome=outcome,
        **fields,
    )


def require_editor(action: str, file: str | None = None) -> Identity:
    """The gate of every write: the editor's identity, or the refusal journalled and raised
    (``AccessDenied``, a French message). Also refuses when the journal cannot be written."""
    who = current_identity()
    if not access.can_write(who):
        what = jn.ACTION_LABELS.get(action, action)
        message = access.denial_message(what)
        try:
            record(who, action, jn.REFUSED, file=file, detail="session non autorisée")
        except OSError:
            LOG.exception("journal not writable for a refusal")
        LOG.warning("refused %s of %r by a %s session", action, file, who.role)
        raise AccessDenied(message)
    jn.check_writable(journal_file())
    return who


def refuse_unoffered_writes() -> None:
    """A visitor's rerun carrying a value for a write widget it was never offered: refused
    and journalled (Streamlit ignores values of widgets the script does not draw; this makes the
    attempt visible)."""
    if not shared() or can_write():
        return
    ctx = get_script_run_ctx()
    if ctx is None:
        return
    # A visitor is offered no upload: files pushed into its session are crafted; free them.
    if ctx.uploaded_file_mgr is not None:
        ctx.uploaded_file_mgr.remove_session_files(ctx.session_id)
    states = {w.id: w for w in ctx.session_state.get_widget_states()}
    for key, action in WRITE_TRIGGERS.items():
        asked = [
            w
            for wid, w in states.items()
            if wid.endswith(f"-{key}")
            and w.WhichOneof("value") == "trigger_value"
            and w.trigger_value
        ]
        if not asked:
            continue
        file = None
        upload_key = UPLOAD_KEYS.get(action)
        for wid, w in states.items():
            if upload_key and wid.endswith(f"-{upload_key}"):
                infos = w.file_uploader_state_value.uploaded_file_info
                file = infos[0].name[:200] if infos else None
        try:
            require_editor(action, file)
        except AccessDenied as exc:
            st.error(str(exc))


# --------------------------------------------------------------------------- sign-in


class _AddressThrottle:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.throttle = access.SignInThrottle(max_failures=ADDRESS_MAX_FAILURES)
        # Each check costs ≈ 32 MiB and 0.3 s: bound how many run at once (many sessions
        # trying together must not exhaust the server's memory).
        self.checks = threading.BoundedSemaphore(CONCURRENT_CHECKS)


@st.cache_resource(show_spinner=False)
def _address_throttle() -> _AddressThrottle:
    return _AddressThrottle()


def _session_throttle() -> access.SignInThrottle:
    throttle = st.session_state.get(THROTTLE_KEY)
    if not isinstance(throttle, access.SignInThrottle):
        throttle = access.SignInThrottle()
        st.session_state[THROTTLE_KEY] = throttle
    return throttle


def sign_in(name: str, password: str) -> bool:
    """Check a name and a password (rate-limited per session and per client address)."""
    session, shared_t = _session_throttle(), _address_throttle()
    address = client_address() or "local"
    with shared_t.lock:
        wait = max(session.wait("session"), shared_t.throttle.wait(address))
    if wait:
        st.error(f"Trop d'essais infructueux : réessayez dans {math.ceil(wait)} s.")
        return False
    with shared_t.checks:
        found = passwords.authenticate(name, password) if name and password else None
    if found is None:
        with shared_t.lock:
            wait = max(session.failure("session"), shared_t.throttle.failure(address))
        LOG.warning("failed sign-in from %s", address)  # never the name or the password typed
        st.error(
            "Nom ou mot de passe incorrect."
            + (f" Trop d'essais : réessayez dans {math.ceil(wait)} s." if wait else "")
        )
        return False
    session.success("session")
    stored = passwords.stored_hash(found)
    if stored is None:  # removed between the check and now
        return False
    st.session_state[SESSION_KEY] = _Signed(found, stored)
    LOG.info("editor %s signed in", found)
    return True


def sign_out() -> None:
    st.session_state.pop(SESSION_KEY, None)


def _plain(name: str) -> str:
    return name.replace("`", "'")


def sidebar_panel() -> None:
    """Sign-in form / signed-in editor in the sidebar (shared mode); a note on a local server
    reached from another machine."""
    if not shared():
        if client_address() is not None:
            st.caption(
                "Consultation seule : ce serveur local est ouvert au réseau sans le mode "
                "partagé (lancez `make serve` pour des comptes éditeurs)."
            )
        return
    who = current_identity()
    st.divider()
    if access.can_write(who):
        st.markdown(f"Connecté : `{_plain(who.label)}` (éditeur)")
        if who.method is Method.OIDC:
            if st.button("Se déconnecter", key="auth_logout", icon=":material/logout:"):
                st.logout()
        elif st.button("Se déconnecter", key="auth_logout", icon=":material/logout:"):
            sign_out()
            st.rerun()
        return
    st.caption(
        "Consultation seule. Les éditeurs se connectent pour importer des fichiers ; chaque "
        "modification est inscrite au journal (page Données)."
    )
    account = oidc_account()
    if account:  # signed in at the provider, but not on the list of editors
        st.markdown(f"Connecté : `{_plain(account)}` — ce compte n'est pas éditeur.")
        if st.button("Se déconnecter", key="auth_logout", icon=":material/logout:"):
            st.logout()
    for provider in [] if account else oidc_providers():
        label = "Se connecter (compte de l'établissement)" if provider is None else provider
        if st.button(label, key=f"auth_oidc_{provider or 'default'}", icon=":material/login:"):
            if provider:
                st.login(provider)
            else:
                st.login()
    try:
        has_accounts = bool(passwords.load_editors())
    except ButdataError as exc:
        st.error(f"Comptes éditeurs illisibles : {exc}")
        return
    if not has_accounts:
        if not oidc_providers():
            st.caption("Aucun compte éditeur n'est configuré (`python -m butdata editor add NOM`).")
        return
    with st.form("auth_form", clear_on_submit=True, border=False):
        name = st.text_input("Nom d'éditeur", key="auth_name", autocomplete="username")
        password = st.text_input(
            "Mot de passe", type="password", key="auth_password", autocomplete="current-password"
        )
        submitted = st.form_submit_button("Se connecter", icon=":material/login:")
    if submitted and sign_in(name.strip(), password):
        st.rerun()
