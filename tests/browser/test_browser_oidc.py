"""Shared mode with an identity provider: Streamlit's own ``st.login`` (Authlib) against a small
OpenID Connect provider run by the test on localhost (discovery document, authorization
endpoint that signs the user in at once, token endpoint issuing an RS256 id_token, JWKS). No real
provider is reachable here; this exercises the real code path: the button of the sidebar, the
redirects, the signed identity cookie, ``st.user`` in the websocket session, the editor role,
the ``editor_emails`` restriction and ``st.logout``."""

from __future__ import annotations

import json
import secrets
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from browser_kit import ARTIFACTS, browser, free_port, serve, settle  # noqa: F401

CLIENT_ID, CLIENT_SECRET = "butdata-test", "secret-du-client"

pytestmark = pytest.mark.browser

from joserfc import jwt  # noqa: E402
from joserfc.jwk import RSAKey  # noqa: E402


class Provider:
    """A minimal OIDC provider: whoever opens /authorize is signed in as ``self.email``."""

    def __init__(self) -> None:
        self.key = RSAKey.generate_key(2048, parameters={"kid": "k1", "use": "sig"})
        self.email = "chef.dept@iut.example.fr"
        self.codes: dict[str, str] = {}  # code -> nonce
        self.issued: list[str] = []  # e-mails of the id_tokens issued
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def _handler(self):
        provider = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):  # quiet
                pass

            def _json(self, data: dict) -> None:
                body = json.dumps(data).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def do_GET(self):
                url = urllib.parse.urlparse(self.path)
                q = dict(urllib.parse.parse_qsl(url.query))
                if url.path == "/.well-known/openid-configuration":
                    self._json(
                        {
                            "issuer": provider.url,
                            "authorization_endpoint": f"{provider.url}/authorize",
                            "token_endpoint": f"{provider.url}/token",
                            "jwks_uri": f"{provider.url}/jwks",
                            "response_types_supported": ["code"],
                            "subject_types_supported": ["public"],
                            "id_token_signing_alg_values_supported": ["RS256"],
                            "token_endpoint_auth_methods_supported": [
                                "client_secret_basic",
                                "client_secret_post",
                            ],
                        }
                    )
                elif url.path == "/jwks":
                    self._json({"keys": [provider.key.as_dict(private=False)]})
                elif url.path == "/authorize":
                    assert q["client_id"] == CLIENT_ID
                    code = secrets.token_urlsafe(16)
                    provider.codes[code] = q.get("nonce", "")
                    back = f"{q['redirect_uri']}?" + urllib.parse.urlencode(
                        {"code": code, "state": q["state"]}
                    )
                    self.send_response(302)
                    self.send_header("Location", back)
                    self.end_headers()
                else:
                    self.send_response(404)
                    self.end_headers()

            def do_POST(self):
                length = int(self.headers.get("Content-Length", 0))
                form = dict(urllib.parse.parse_qsl(self.rfile.read(length).decode()))
                nonce = provider.codes.pop(form.get("code", ""), None)
                if self.path != "/token" or nonce is None:
                    self.send_response(400)
                    self.end_headers()
                    return
                now = int(time.time())
                claims = {
                    "iss": provider.url,
                    "sub": "u-1",
                    "aud": CLIENT_ID,
                    "iat": now,
                    "exp": now + 600,
                    "nonce": nonce,
                    "email": provider.email,
                    "name": "Chef de département",
                }
                id_token = jwt.encode({"alg": "RS256", "kid": "k1"}, claims, provider.key)
                provider.issued.append(provider.email)
                self._json(
                    {
                        "access_token": "jeton",
                        "token_type": "Bearer",
                        "expires_in": 600,
                        "id_token": id_token,
                    }
                )

        return Handler

    def close(self) -> None:
        self.server.shutdown()


@pytest.fixture(scope="module")
def oidc_server(store_path, tmp_path_factory):
    d = tmp_path_factory.mktemp("oidc")
    provider = Provider()
    port = free_port()
    app_url = f"http://127.0.0.1:{port}"
    secrets_file = d / "secrets.toml"
    secrets_file.write_text(
        "[auth]\n"
        f'redirect_uri = "{app_url}/oauth2callback"\n'
        f'cookie_secret = "{secrets.token_hex(16)}"\n'
        f'client_id = "{CLIENT_ID}"\n'
        f'client_secret = "{CLIENT_SECRET}"\n'
        f'server_metadata_url = "{provider.url}/.well-known/openid-configuration"\n'
        "\n[butdata]\n"
        'editor_emails = ["chef.dept@iut.example.fr"]\n',
        encoding="utf-8",
    )
    env = {
        "BUTDATA_SHARED": "1",
        "BUTDATA_SECRETS": str(d / "no-password-accounts.toml"),
        "BUTDATA_JOURNAL": str(d / "journal.jsonl"),
    }
    try:
        with serve(
            store_path,
            d / "server.log",
            env,
            port=port,
            extra_args=["--secrets.files", str(secrets_file)],
        ):
            yield app_url, provider, d / "server.log"
    finally:
        provider.close()


def import_offered(pg) -> bool:
    pg.get_by_role("tab", name="Importer").click()
    pg.wait_for_timeout(300)
    return pg.locator("[data-testid='stFileUploader']").count() == 1


def sign_in_with_provider(pg, app_url: str) -> None:
    pg.goto(app_url + "/Donnees")
    settle(pg)
    assert not import_offered(pg)
    pg.locator("[data-testid='stSidebar']").get_by_role(
        "button", name="Se connecter (compte de l'établissement)"
    ).click()
    pg.wait_for_url(f"{app_url}/**", timeout=30_000)
    settle(pg)
    pg.goto(app_url + "/Donnees")
    settle(pg)


def test_oidc_editor_signs_in_with_st_login(oidc_server, browser):
    app_url, provider, log = oidc_server
    provider.email = "chef.dept@iut.example.fr"
    ctx = browser.new_context(viewport={"width": 1280, "height": 720}, locale="fr-FR")
    pg = ctx.new_page()
    try:
        sign_in_with_provider(pg, app_url)
        assert provider.issued[-1:] == ["chef.dept@iut.example.fr"]  # the provider was used
        sidebar = pg.locator("[data-testid='stSidebar']")
        assert sidebar.get_by_text("chef.dept@iut.example.fr").is_visible()
        assert import_offered(pg)
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        pg.screenshot(path=str(ARTIFACTS / "donnees-oidc.png"))
        sidebar.get_by_role("button", name="Se déconnecter").click()
        pg.wait_for_timeout(1000)
        pg.goto(app_url + "/Donnees")
        settle(pg)
        assert not import_offered(pg)
    finally:
        ctx.close()
    assert "Traceback" not in log.read_text(errors="replace")


def test_oidc_account_not_listed_stays_a_visitor(oidc_server, browser):
    app_url, provider, _ = oidc_server
    provider.email = "etudiant@iut.example.fr"
    ctx = browser.new_context(viewport={"width": 1280, "height": 720}, locale="fr-FR")
    pg = ctx.new_page()
    try:
        sign_in_with_provider(pg, app_url)
        assert provider.issued[-1:] == ["etudiant@iut.example.fr"]  # signed in at the provider
        assert not import_offered(pg)
        sidebar = pg.locator("[data-testid='stSidebar']")
        assert sidebar.get_by_text("ce compte n'est pas éditeur").is_visible()
        assert sidebar.get_by_role("button", name="Se déconnecter").is_visible()
    finally:
        ctx.close()
