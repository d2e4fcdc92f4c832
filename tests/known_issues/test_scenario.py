"""The whole loop of issue #16 on both stores: three customers report the same bug, an
agent links their tickets to known issue PLN-142, a release note that fixes it is
added, the site is built and `loket publish` runs: three e-mails with the release
note's link, three status changes, the page shows the fix; a second run sends nothing."""

from __future__ import annotations

from loket.domain.events import Actor, EventKind
from loket.domain.known_issues import load_catalog
from loket.domain.tickets import AuthorRole
from loket.services.known_issues import link_ticket, linked_issues, publish
from tests.workflow.conftest import text_of

AGENT = Actor("piet@nordwind.example", AuthorRole.AGENT)
CUSTOMERS = ("ann@example.com", "bob@example.org", "cor@example.nl")
RELEASE_URL = "https://support.nordwind.example/release-notes/2026/12/08/planner-2026-3/"


def test_publishing_the_fix_tells_every_linked_customer_once(make_desk, sites):
    desk = make_desk("reminder-and-close", "2026-12-01 10:00")
    numbers = [desk.submit(email=email, subject="Calendar shows the old employee",
                           language="nl" if email.endswith(".nl") else "en")
               for email in CUSTOMERS]
    desk.mails()  # the receipts

    issue = load_catalog(sites.before).get("PLN-142")
    assert not issue.fixed
    for number in numbers:
        link_ticket(desk.services, number, issue, by=AGENT)
    linked = desk.mails()
    assert [to for to, _ in linked] == list(CUSTOMERS)
    assert "Known issue PLN-142" in linked[0][1] and "Bekend probleem PLN-142" in linked[2][1]
    assert all(desk.status(n) == "open" for n in numbers)  # this preset has no waiting status
    assert linked_issues(desk.services, numbers[0]) == ["PLN-142"]

    # Linking again (another agent, the same click twice) tells nobody again.
    link_ticket(desk.services, numbers[0], issue, by=AGENT)
    assert desk.mails() == []

    # Before the fix is out, publishing tells nobody.
    assert publish(desk.services, load_catalog(sites.before)).told == []

    desk.at("2026-12-08 09:00")
    catalog = load_catalog(sites.after)
    done = publish(desk.services, catalog)
    assert done.told == [("PLN-142", n) for n in numbers]
    sent = desk.mails()
    assert [to for to, _ in sent] == list(CUSTOMERS)
    assert all("PLN-142" in subject for _, subject in sent)
    body = text_of(desk.mailbag.sent[-3])
    assert RELEASE_URL in body and "/known-issues/PLN-142/" in body
    assert [desk.status(n) for n in numbers] == ["solved"] * 3
    events = desk.services.store.list_events(numbers[1])
    fixed = [e for e in events if e.kind is EventKind.FIX_RELEASED]
    assert [e.detail for e in fixed] == [{"issue": "PLN-142", "release":
                                          "/release-notes/2026/12/08/planner-2026-3/"}]
    assert [e.detail for e in events if e.kind is EventKind.STATUS][-1]["cause"] == \
        "fix-released"

    # The second run (the pipeline ran again) sends nothing and moves nothing.
    again = publish(desk.services, catalog)
    assert again.told == [] and len(again.already) == 3
    assert desk.mails() == []
    assert len(desk.services.store.list_events(numbers[1])) == len(events)


def test_the_page_shows_the_fix_once_the_release_note_is_built(sites):
    before = (sites.before / "known-issues/PLN-142/index.html").read_text("utf-8")
    after = (sites.after / "known-issues/PLN-142/index.html").read_text("utf-8")
    assert 'data-status="fix-planned"' in before and "Fixed in" not in before
    assert 'data-status="fixed"' in after and "Fixed in" in after
    assert 'href="../../release-notes/2026/12/08/planner-2026-3/"' in after
    dutch = (sites.after / "nl/known-issues/PLN-142/index.html").read_text("utf-8")
    assert "Opgelost in" in dutch and 'href="../../../release-notes/2026/12/08/' in dutch
    listing = (sites.after / "known-issues/index.html").read_text("utf-8")
    assert 'data-status="fixed"' in listing and "PLN-142" in listing


def test_typing_a_subject_suggests_the_known_issue_as_one(sites):
    from loket.search.query import WhooshSearcher

    searcher = WhooshSearcher(sites.after.parent / "index")
    try:
        [first, *_] = searcher.suggest("calendar feed shows the old employee", lang="en")
        assert first.title.startswith("Known issue PLN-142: Shifts swapped")
        assert first.url == "/known-issues/PLN-142/"
        [first, *_] = searcher.suggest("agendafeed toont oude medewerker", lang="nl")
        assert first.title.startswith("Bekend probleem PLN-142: ")
    finally:
        searcher.close()
