"""The header of a server-rendered page says who is signed in, with My tickets, Sign
out and, for an agent, the desk; an agent lands on the desk after signing in."""

from __future__ import annotations

import pytest

from loket.settings import Settings
from loket.web.app import create_app
from loket.web.rendering import SHELL_MARKER
from tests.accounts.conftest import AGENT, ANN, SITE_CONFIG
from tests.accounts.test_sign_in import login

# The built shell's header as partials/loket-portal.html renders it (signed out).
SHELL = f"""<html><head><title>Support</title></head><body><header>
<nav class="md-header__option loket-portal-links" aria-label="My tickets">
<a class="loket-portal-link" href="/portal/login?lang=en" target="_self">Sign in</a></nav>
</header>{SHELL_MARKER}</body></html>"""


@pytest.fixture
def app(services, tmp_path):
    """The accounts pages in a page shell (the suite's own app has none)."""
    shell = tmp_path / "site" / "support" / "page" / "index.html"
    shell.parent.mkdir(parents=True)
    shell.write_text(SHELL, encoding="utf-8")
    app = create_app(Settings(site_dir=tmp_path / "site", config_dir=SITE_CONFIG),
                     services=services)
    app.testing = True
    return app


def header_of(html: str) -> str:
    start = html.index('class="md-header__option loket-portal-links"')
    return html[start:html.index("</nav>", start)]


def test_an_agent_lands_on_the_desk_and_the_header_leads_there(client, people):
    response = login(client, email=AGENT)
    assert response.status_code == 303 and response.headers["Location"] == "/desk/"
    header = header_of(client.get("/portal/account").get_data(as_text=True))
    assert 'href="/desk/"' in header and "Sign out" in header


def test_a_customer_sees_their_name_and_no_desk(client, people):
    response = login(client, email=ANN)
    assert response.headers["Location"].startswith("/portal/my-tickets")
    header = header_of(client.get("/portal/account?lang=nl").get_data(as_text=True))
    assert "Test Person" in header and "Uitloggen" in header and "Mijn meldingen" in header
    assert "/desk/" not in header and 'action="/portal/logout?lang=nl"' in header


def test_signed_out_the_header_offers_signing_in(client, people):
    header = header_of(client.get("/portal/login?lang=nl").get_data(as_text=True))
    assert "/portal/login?lang=nl" in header and "Uitloggen" not in header
