"""The rights matrix: every API route and portal page, for every kind of viewer, against
tickets of each. The expected answer of every cell is written in the tables below and
checked; a ticket one may not see answers exactly as one that does not exist.

Viewers: anonymous; Ann (Acme, planner); Carl (Acme colleague, payroll only: no
rights to planner); Bea (Beta, planner); an agent on the planner board; and anonymous
with each ticket's own secret link ("token", the skeleton's e-mailed link).
Tickets (all solved, so every customer move is possible): A1 Ann's planner ticket,
A2 Carl's payroll ticket (Acme lets colleagues see each other's tickets), B1 Bea's
planner ticket, X an anonymous planner ticket from someone without an account.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass

import pytest
from PIL import Image

from loket.services.attachments import InlineFile
from loket.services.sessions import viewer_of
from loket.services.status import set_status
from loket.services.submission import submit_ticket
from tests.accounts.conftest import AGENT, ANN, BEA, CARL, SESSION_COOKIE, sign_in_as
from tests.api.conftest import VALID

VIEWERS = ("anonymous", "ann", "carl", "bea", "agent", "token")
EMAILS = {"ann": ANN, "carl": CARL, "bea": BEA, "agent": AGENT}
TICKETS = ("A1", "A2", "B1", "X")
MISSING = 99999

# Ticket routes: each cell lists the answer for A1 A2 B1 X.
#   route                               anonymous          ann                carl               bea                agent              token
TICKET_ROUTES = {
    "GET /api/tickets/{n}":               ("404 404 404 404", "200 404 404 404", "404 200 404 404", "404 404 200 404", "200 404 200 200", "200 200 200 200"),
    "POST /api/tickets/{n}/messages":     ("404 404 404 404", "201 404 404 404", "404 201 404 404", "404 404 201 404", "403 404 403 403", "201 201 201 201"),
    "POST /api/tickets/{n}/close":        ("404 404 404 404", "200 404 404 404", "404 200 404 404", "404 404 200 404", "403 404 403 403", "200 200 200 200"),
    "POST /api/tickets/{n}/reopen":       ("404 404 404 404", "200 404 404 404", "404 200 404 404", "404 404 200 404", "403 404 403 403", "200 200 200 200"),
    "POST /api/tickets/{n}/reject":       ("404 404 404 404", "409 404 404 404", "404 409 404 404", "404 404 409 404", "403 404 403 403", "409 409 409 409"),
    "POST /api/tickets/{n}/rating":       ("404 404 404 404", "201 404 404 404", "404 201 404 404", "404 404 201 404", "403 404 403 403", "201 201 201 201"),
    "POST /api/tickets/{n}/warranty":     ("401 401 401 401", "403 404 404 404", "404 403 404 404", "404 404 403 404", "200 404 200 200", "401 401 401 401"),
    "GET /api/tickets/{n}/attachments/{a}":           ("404 404 404 404", "200 404 404 404", "404 200 404 404", "404 404 200 404", "200 404 200 200", "200 200 200 200"),
    "GET /api/tickets/{n}/attachments/{a}/thumbnail": ("404 404 404 404", "200 404 404 404", "404 200 404 404", "404 404 200 404", "200 404 200 200", "200 200 200 200"),
    "GET /portal/tickets/{n}":            ("404 404 404 404", "200 404 404 404", "404 200 404 404", "404 404 200 404", "200 404 200 200", "200 200 200 200"),
    "POST /portal/tickets/{n}/messages":  ("404 404 404 404", "303 404 404 404", "404 303 404 404", "404 404 303 404", "403 404 403 403", "303 303 303 303"),
    "POST /portal/tickets/{n}/close":     ("404 404 404 404", "303 404 404 404", "404 303 404 404", "404 404 303 404", "403 404 403 403", "303 303 303 303"),
    "POST /portal/tickets/{n}/reopen":    ("404 404 404 404", "303 404 404 404", "404 303 404 404", "404 404 303 404", "403 404 403 403", "303 303 303 303"),
    "POST /portal/tickets/{n}/rating":    ("404 404 404 404", "303 404 404 404", "404 303 404 404", "404 404 303 404", "403 404 403 403", "303 303 303 303"),
    # The agent desk: signing in first; then only agents, only for their products.
    # The demo workflow has an SLA (#12), so its agents set impact and urgency; an
    # assignment names one of the product's agents or teams (portal.yml teams:).
    "GET /desk/tickets/{n}":              ("303 303 303 303", "404 404 404 404", "404 404 404 404", "404 404 404 404", "200 404 200 200", "303 303 303 303"),
    "POST /desk/tickets/{n}/reply":       ("303 303 303 303", "404 404 404 404", "404 404 404 404", "404 404 404 404", "303 404 303 303", "303 303 303 303"),
    "POST /desk/tickets/{n}/status":      ("303 303 303 303", "404 404 404 404", "404 404 404 404", "404 404 404 404", "303 404 303 303", "303 303 303 303"),
    "POST /desk/tickets/{n}/priority":    ("303 303 303 303", "404 404 404 404", "404 404 404 404", "404 404 404 404", "303 404 303 303", "303 303 303 303"),
    "POST /desk/tickets/{n}/assign":      ("303 303 303 303", "404 404 404 404", "404 404 404 404", "404 404 404 404", "303 404 303 303", "303 303 303 303"),
    "POST /desk/tickets/{n}/canned-reply": ("303 303 303 303", "404 404 404 404", "404 404 404 404", "404 404 404 404", "200 404 200 200", "303 303 303 303"),
    "POST /desk/tickets/{n}/warranty":    ("303 303 303 303", "404 404 404 404", "404 404 404 404", "404 404 404 404", "303 404 303 303", "303 303 303 303"),
    # The record (#12): merge and link name another ticket (here one that does not
    # exist: 422 for the agent); presence is the desk page's poll (JSON).
    "POST /desk/tickets/{n}/merge":       ("303 303 303 303", "404 404 404 404", "404 404 404 404", "404 404 404 404", "422 404 422 422", "303 303 303 303"),
    "POST /desk/tickets/{n}/link":        ("303 303 303 303", "404 404 404 404", "404 404 404 404", "404 404 404 404", "422 404 422 422", "303 303 303 303"),
    "GET /desk/tickets/{n}/presence":     ("303 303 303 303", "404 404 404 404", "404 404 404 404", "404 404 404 404", "200 404 200 200", "303 303 303 303"),
    # Known issues (#16): the form names an issue of the site's catalog (here none is
    # built: 422 for the agent, naming the field `issue`).
    "POST /desk/tickets/{n}/known-issue": ("303 303 303 303", "404 404 404 404", "404 404 404 404", "404 404 404 404", "422 404 422 422", "303 303 303 303"),
}

# Routes about no ticket in particular: one answer per viewer.
#   route                               anonymous ann  carl bea  agent token
OTHER_ROUTES = {
    "GET /api/health":                    (200, 200, 200, 200, 200, 200),
    "GET /api/openapi.yaml":              (200, 200, 200, 200, 200, 200),
    "GET /api/session":                   (200, 200, 200, 200, 200, 200),
    "GET /api/suggest":                   (503, 503, 503, 503, 503, 503),  # no index built
    "POST /api/tickets":                  (201, 201, 422, 201, 201, 201),  # Carl: no planner
    "POST /api/uploads":                  (201, 201, 201, 201, 201, 201),
    "POST /api/uploads/{upload}":         (404, 404, 404, 404, 404, 404),  # wrong token
    "GET /api/my/tickets":                (401, 200, 200, 200, 200, 401),
    "GET /api/my/preferences":            (401, 200, 200, 200, 200, 401),
    "PUT /api/my/preferences":            (401, 200, 200, 200, 200, 401),
    "POST /api/invitations":              (401, 403, 403, 403, 201, 401),
    "POST /portal/tickets":               (201, 201, 422, 201, 201, 201),
    "GET /portal/tickets/new":            (200, 200, 200, 200, 200, 200),
    "GET /portal/lookup":                 (303, 303, 303, 303, 303, 303),
    "GET /portal/my-tickets":             (303, 200, 200, 200, 200, 303),
    "GET /desk/":                         (303, 404, 404, 404, 200, 303),
    "GET /desk/tickets/new":              (303, 404, 404, 404, 200, 303),  # telephone intake (#12)
    "POST /desk/tickets/new":             (303, 404, 404, 404, 422, 303),  # no fields sent
    "GET /desk/refused/":                 (303, 404, 404, 404, 200, 303),
    "GET /desk/refused/{refused}":        (303, 404, 404, 404, 404, 303),  # unknown id
    "GET /desk/refused/{refused}/original.eml": (303, 404, 404, 404, 404, 303),
    "POST /desk/refused/{refused}/take-in": (303, 404, 404, 404, 404, 303),
    "GET /desk/mail/":                    (303, 404, 404, 404, 200, 303),
    "GET /desk/reports":                  (303, 404, 404, 404, 200, 303),  # own products only
    # The desk's views with counts and its search (#12): agents only, their products only
    # (test_desk_views_and_search_show_only_the_agents_products below).
    "GET /desk/views/{view}":             (303, 404, 404, 404, 200, 303),
    "GET /desk/search":                   (303, 404, 404, 404, 200, 303),
    "POST /desk/mail/{mail}/retry":       (303, 404, 404, 404, 404, 303),  # unknown id
    # A person and the erase action (#15): desk admins only (portal.yml accounts.desk_admins,
    # none here): the agent gets 403; tests/desk/test_desk_erase.py has an admin.
    "GET /desk/people/":                  (303, 404, 404, 404, 403, 303),
    "GET /desk/people/erase":             (303, 404, 404, 404, 403, 303),
    "POST /desk/people/erase":            (303, 404, 404, 404, 403, 303),
    "GET /desk/people/erasures":          (303, 404, 404, 404, 403, 303),
    # Lifting a suppression (#13): desk admins only (portal.yml accounts.desk_admins,
    # none here): the agent gets 403; tests/desk/test_desk_suppressions.py has an admin.
    "GET /desk/mail/suppressions/":       (303, 404, 404, 404, 403, 303),
    "GET /desk/mail/suppressions/lift":   (303, 404, 404, 404, 403, 303),
    "POST /desk/mail/suppressions/lift":  (303, 404, 404, 404, 403, 303),
    "GET /portal/account":                (303, 200, 200, 200, 200, 303),
    "POST /portal/account":               (303, 303, 303, 303, 303, 303),
    "GET /portal/login":                  (200, 200, 200, 200, 200, 200),
    "POST /portal/login":                 (422, 422, 422, 422, 422, 422),  # a wrong password
    "POST /portal/logout":                (303, 303, 303, 303, 303, 303),
    "GET /portal/password-reset":         (200, 200, 200, 200, 200, 200),
    "POST /portal/password-reset":        (200, 200, 200, 200, 200, 200),
    "GET /portal/invitations/{secret}":   (404, 404, 404, 404, 404, 404),  # unknown link
    "POST /portal/invitations/{secret}":  (404, 404, 404, 404, 404, 404),
    "GET /portal/password-reset/{secret}":  (404, 404, 404, 404, 404, 404),
    "POST /portal/password-reset/{secret}": (404, 404, 404, 404, 404, 404),
    # An agent's second sign-in step (#12): nothing without the pending cookie.
    "GET /portal/second-factor":          (404, 404, 404, 404, 404, 404),
    "POST /portal/second-factor":         (404, 404, 404, 404, 404, 404),
    "GET /portal/second-factor/qr.svg":   (404, 404, 404, 404, 404, 404),
    "GET /portal/ratings/{rating}":       (404, 404, 404, 404, 404, 404),  # a forged link
    # "This affects me too" (#16): signed-in customers, issues of their products only
    # (no site catalog here: every issue is unknown; tests/known_issues/test_affects_me.py
    # has one, with each viewer's rights).
    # Signed out, the page asks for an address (test_affects_me_by_mail.py): an unknown
    # issue answers as missing to everyone; the e-mailed link's pages likewise.
    "GET /portal/known-issues/{issue}":   (404, 404, 404, 404, 404, 404),
    "POST /portal/known-issues/{issue}/affects-me": (303, 404, 404, 404, 404, 303),
    "POST /portal/known-issues/{issue}/by-mail": (404, 404, 404, 404, 404, 404),
    "GET /portal/known-issues/{issue}/confirm/{rating}": (404, 404, 404, 404, 404, 404),
    "POST /portal/known-issues/{issue}/confirm/{rating}": (404, 404, 404, 404, 404, 404),
    "POST /portal/ratings/{rating}":      (404, 404, 404, 404, 404, 404),
}
# Which tickets each viewer's "my tickets" lists.
LISTED = {"ann": ["A1"], "carl": ["A2"], "bea": ["B1"], "agent": []}
BODIES = {"messages": {"body": "More information."}, "rating": {"rating": "good", "comment": "Fine"},
          "warranty": {"warranty": True}, "close": {}, "reopen": {}, "reject": {},
          "reply": {"body": "Fixed in 2026.2."}, "status": {"status": "solved"},
          "priority": {"impact": "high", "urgency": "high"}, "assign": {"assignee": "planner-second-line"},
          "merge": {"into": "99999"}, "link": {"other": "99999"},
          "canned-reply": {"canned_reply": "send-logs", "body": "Hello"}}


def png() -> bytes:
    picture = io.BytesIO()
    Image.new("RGB", (8, 8), "blue").save(picture, "PNG")
    return picture.getvalue()


@dataclass
class World:
    services: object
    client: object
    tickets: dict    # name -> Ticket
    attachments: dict  # name -> attachment id
    csrf: str


def make_ticket(services, email, product, viewer_email=None):
    viewer = None
    if viewer_email:
        secret, _ = __import__("loket.services.sessions", fromlist=["start_session"]).start_session(
            services, services.store.get_account(viewer_email))
        viewer = viewer_of(services, secret)
    receipt = submit_ticket(services, {**VALID, "email": email, "product": product},
                            client_address=f"test:{email}", viewer=viewer,
                            files=[InlineFile("screen.png", io.BytesIO(png()))])
    set_status(services, receipt.ticket.number, "solved")
    ticket = services.store.get_ticket(receipt.ticket.number)
    [attachment] = services.store.list_messages(ticket.number)[0].attachments
    return ticket, attachment.id


@pytest.fixture
def world(services, app, people):
    services.config.submissions.per_hour = 10_000
    made = {"A1": make_ticket(services, ANN, "planner", ANN),
            "A2": make_ticket(services, CARL, "payroll", CARL),
            "B1": make_ticket(services, BEA, "planner", BEA),
            "X": make_ticket(services, "zed@elsewhere.example", "planner")}
    return World(services, app.test_client(), {k: v[0] for k, v in made.items()},
                 {k: v[1] for k, v in made.items()}, "")


def as_viewer(world: World, viewer: str) -> World:
    if viewer in EMAILS:
        world.csrf = sign_in_as(world.services, world.client, EMAILS[viewer])
    return world


def call(world: World, viewer: str, route: str, number: int, attachment: str, token: str | None):
    method, path = route.split(" ")
    path = path.format(n=number, a=attachment)
    query = {"token": token} if token else {}
    headers = {"X-CSRF-Token": world.csrf} if world.csrf else {}
    action = path.rstrip("/").rsplit("/", 1)[-1]
    if path.startswith("/api/") and method == "POST":
        return world.client.post(path, query_string=query, json=BODIES[action], headers=headers)
    if method == "POST":
        data = {**BODIES.get(action, {}), **({"csrf_token": world.csrf} if world.csrf else {})}
        data = {k: str(v) for k, v in data.items()}
        return world.client.post(path, query_string=query, data=data)
    with world.client.get(path, query_string=query) as response:
        response.get_data()  # Read and closed: a file download holds the blob open.
    return response


CELLS = [(route, viewer) for route in TICKET_ROUTES for viewer in VIEWERS]


@pytest.mark.parametrize("route, viewer", CELLS, ids=[f"{r}-{v}" for r, v in CELLS])
def test_ticket_route(world, route, viewer):
    world = as_viewer(world, viewer)
    expected = dict(zip(TICKETS, TICKET_ROUTES[route][VIEWERS.index(viewer)].split()))
    for name in TICKETS:
        ticket = world.tickets[name]
        token = ticket.access_key if viewer == "token" else None
        response = call(world, viewer, route, ticket.number, world.attachments[name], token)
        assert str(response.status_code) == expected[name], (name, response.get_data(as_text=True)[:300])
        if expected[name] == "404":
            # Exactly what a number that does not exist answers.
            missing = call(world, viewer, route, MISSING, world.attachments[name], token)
            assert missing.status_code == 404
            assert missing.get_data() == response.get_data(), name


def other_call(world: World, route: str):
    method, path = route.split(" ")
    path = path.format(upload="nope", secret="not-a-real-link", rating="10001.1.forged",
                       refused="0123456789abcdef0123456789abcdef",
                       mail="0123456789abcdef0123456789abcdef", view="all",
                       issue="PLN-142")
    headers = {"X-CSRF-Token": world.csrf} if world.csrf else {}
    form = {"csrf_token": world.csrf} if world.csrf else {}
    client = world.client
    if route == "POST /api/tickets":
        return client.post(path, json={**VALID, "email": ANN}, headers=headers)
    if route == "POST /api/uploads":
        return client.post(path, json={"name": "a.png", "size": 10}, headers=headers)
    if route == "POST /api/uploads/{upload}":
        return client.post(path, data={"token": "x", "file": (io.BytesIO(b"x"), "a.png")})
    if route == "PUT /api/my/preferences":
        return client.put(path, json={"reminders": False}, headers=headers)
    if route == "POST /api/invitations":
        return client.post(path, json={"email": "new@acme.example", "organization": "acme",
                                       "products": ["planner"]}, headers=headers)
    if route == "POST /portal/tickets":
        return client.post(path, data={**VALID, "email": ANN, **form})
    if route == "POST /portal/login":
        page = client.get("/portal/login").get_data(as_text=True)
        token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
        return client.post(path, data={"email": ANN, "password": "wrong password here",
                                       "csrf_token": token})
    if route == "POST /portal/password-reset":
        page = client.get("/portal/password-reset").get_data(as_text=True)
        token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
        return client.post(path, data={"email": ANN, "csrf_token": token})
    if route == "GET /api/suggest":
        return client.get(path, query_string={"q": "export"})
    if route == "GET /portal/lookup":
        return client.get(path, query_string={"number": "10001", "token": "x"})
    if route.startswith("POST /portal/"):
        page = client.get("/portal/login").get_data(as_text=True)
        token = world.csrf or re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
        return client.post(path, data={"csrf_token": token, "rating": "good",
                                       "password": "x", "password_again": "x"})
    return client.open(path, method=method, headers=headers)


OTHER_CELLS = [(route, viewer) for route in OTHER_ROUTES for viewer in VIEWERS]


@pytest.mark.parametrize("route, viewer", OTHER_CELLS, ids=[f"{r}-{v}" for r, v in OTHER_CELLS])
def test_other_route(world, route, viewer):
    world = as_viewer(world, viewer)
    response = other_call(world, route)
    expected = OTHER_ROUTES[route][VIEWERS.index(viewer)]
    assert response.status_code == expected, response.get_data(as_text=True)[:300]


@pytest.mark.parametrize("viewer", list(LISTED))
def test_my_tickets_lists_exactly_what_each_viewer_may_see(world, viewer):
    world = as_viewer(world, viewer)
    listed = world.client.get("/api/my/tickets").get_json()["tickets"]
    numbers = {ticket.number: name for name, ticket in world.tickets.items()}
    assert [numbers[t["number"]] for t in listed] == LISTED[viewer]
    page = world.client.get("/portal/my-tickets").get_data(as_text=True)
    shown = [numbers[int(n)] for n in re.findall(r'data-number="(\d+)"', page)]
    assert shown == LISTED[viewer]


def test_every_route_is_in_the_matrix(app):
    routes = set()
    for rule in app.url_map.iter_rules():
        if rule.endpoint == "static":
            continue
        path = re.sub(r"<(?:\w+:)?number>", "{n}", rule.rule)
        path = path.replace("<attachment_id>", "{a}").replace("<upload_id>", "{upload}")
        path = re.sub(r"<secret>", "{secret}", path).replace("<token>", "{rating}")
        path = path.replace("<refused_id>", "{refused}").replace("<mail_id>", "{mail}")
        path = path.replace("<view>", "{view}").replace("<issue_id>", "{issue}")
        for method in rule.methods - {"HEAD", "OPTIONS"}:
            routes.add(f"{method} {path}")
    assert routes == set(TICKET_ROUTES) | set(OTHER_ROUTES)


def test_a_session_cookie_that_means_nothing_is_anonymous(world):
    world.client.set_cookie(SESSION_COOKIE, "made-up")
    assert world.client.get(f"/api/tickets/{world.tickets['A1'].number}").status_code == 404


def test_desk_views_and_search_show_only_the_agents_products(world):
    """The planner board's agent: every view, its count and every search hold the
    planner tickets (A1, B1, X) and never Carl's payroll ticket A2."""
    world = as_viewer(world, "agent")
    numbers = {ticket.number: name for name, ticket in world.tickets.items()}
    planner = {"A1", "B1", "X"}

    def shown(url):
        page = world.client.get(url)
        assert page.status_code == 200, url
        html = page.get_data(as_text=True)
        return {numbers[int(n)] for n in re.findall(r'<tr data-number="(\d+)"', html)}, html

    for view in ("new", "mine", "unassigned", "waiting", "sla", "all"):
        tickets, html = shown(f"/desk/views/{view}?order=work")
        assert tickets <= planner, view
    tickets, html = shown("/desk/views/all?order=newest")
    assert tickets == planner
    assert re.search(r'/desk/views/all[^"]*"[^>]*>All <span class="loket-count">3<', html)
    for query in ("q=export", "q=excel", f"requester={CARL}", "organization=acme", "q="):
        tickets, _ = shown(f"/desk/search?{query}")
        assert "A2" not in tickets and tickets <= planner, query
    a2 = world.tickets["A2"].number
    assert shown(f"/desk/search?q={a2}")[0] == set()
    assert world.client.get("/desk/search?product=payroll").status_code == 422
    assert world.client.get("/desk/views/all?product=payroll").status_code == 422
