"""The hint cookie that lets the knowledge base's static header say who is signed in
(issue #11): set beside the session at sign-in, readable by the page's script (not
HttpOnly), holding nothing but "1", and gone at sign-out."""

from __future__ import annotations

from loket.web.auth import SIGNED_IN_HINT
from tests.accounts.conftest import csrf_of
from tests.accounts.test_sign_in import login


def cookie_header(response, name: str) -> str:
    return next(h for h in response.headers.getlist("Set-Cookie") if h.startswith(name + "="))


def test_signing_in_leaves_a_readable_hint_and_signing_out_takes_it(client, people):
    signed_in = login(client)
    hint = cookie_header(signed_in, SIGNED_IN_HINT)
    assert hint.startswith(f"{SIGNED_IN_HINT}=1;") and "HttpOnly" not in hint
    assert "SameSite=Lax" in hint and "Path=/" in hint
    assert client.get("/api/session").get_json()["signed_in"] is True

    token = csrf_of(client.get("/portal/my-tickets").get_data(as_text=True))
    out = client.post("/portal/logout", data={"csrf_token": token})
    assert "Max-Age=0" in cookie_header(out, SIGNED_IN_HINT) or \
        "expires=Thu, 01 Jan 1970" in cookie_header(out, SIGNED_IN_HINT)
    assert client.get_cookie(SIGNED_IN_HINT) is None
