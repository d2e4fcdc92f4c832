"""The desk's erase action (#15): a desk admin (portal.yml accounts.desk_admins) opens the
requester from a ticket, sees on the confirmation page what will go, types the address
and gets "Erase queued" at once; the sweep erases them, and the list of erasures shows
the counts and no address. A wrong address is refused with a clear error and queues
nothing; other agents get 403 and no button; a post without the CSRF token is refused."""

from __future__ import annotations

import html as html_lib
import re

import pytest

from loket.services.sweeper import sweep
from tests.desk.conftest import AGENT, PAYROLL_AGENT, sign_in_as, text
from tests.desk.test_desk_pages import submit

ZED = "zed@elsewhere.example"
ERASE = "/desk/people/erase"


def test_an_admin_erases_the_requester_from_the_ticket(admin_services, client):
    number = submit(admin_services, "Zed's export fails")
    submit(admin_services, "Zed again")
    csrf = sign_in_as(admin_services, client, AGENT)
    page = client.get(f"/desk/tickets/{number}").get_data(as_text=True)
    link = re.search(r'<a class="loket-erase-link" href="([^"]+)">Erase this person\'s data</a>',
                     page)
    assert link, page
    confirm = client.get(html_lib.unescape(link.group(1)))
    assert confirm.status_code == 200
    shown = text(confirm)
    assert f"Erase {ZED}" in shown and "their name and address on 2 tickets" in shown
    assert "Their 2 messages" in shown and "0 files" in shown
    assert 'name="csrf_token"' in confirm.get_data(as_text=True)

    response = client.post(ERASE, data={"csrf_token": csrf, "address": ZED, "confirm": ZED,
                                        "messages": "yes"})
    assert response.status_code == 303
    assert response.headers["Location"].startswith("/desk/people/erasures?lang=en&queued=")
    listed = text(client.get(response.headers["Location"]))
    assert "Erase queued" in listed and "waiting for the sweep" in listed
    # Answered at once: nothing is erased until the sweep.
    assert admin_services.store.get_ticket(number).email == ZED

    sweep(admin_services)
    ticket = admin_services.store.get_ticket(number)
    assert ticket.email.startswith("erased-") and ticket.subject.startswith("[removed")
    done = text(client.get("/desk/people/erasures"))
    # The row's state, not the page's help text (which says "done" too).
    assert 'loket-job-state--done">done <time' in done and "waiting for the sweep" not in done
    assert ticket.email in done and ZED not in done
    assert f">{AGENT}</td>" in re.sub(r"\s+", " ", client.get(
        "/desk/people/erasures").get_data(as_text=True))
    [job] = admin_services.store.list_erase_jobs()
    assert job.address is None and job.rewritten and job.requested_by == AGENT


@pytest.mark.parametrize("typed", ["", "zed@elsewhere.exampl", "someone@else.example"])
def test_a_wrong_address_is_refused_with_a_clear_error(admin_services, client, typed):
    number = submit(admin_services)
    csrf = sign_in_as(admin_services, client, AGENT)
    response = client.post(ERASE, data={"csrf_token": csrf, "address": ZED, "confirm": typed})
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert 'aria-invalid="true"' in html and "Nothing was erased" in text(response)
    assert "Type the person's address exactly as shown to confirm." in text(response)
    assert admin_services.store.list_erase_jobs() == []
    assert admin_services.store.get_ticket(number).email == ZED


@pytest.mark.parametrize("typed", [ZED.upper(), f" {ZED} ", f"{ZED}\x00", "\u212a" + ZED[1:],
                                   "zed@elsewhere.exampl\u212a"])
def test_the_address_must_be_typed_exactly_as_shown(admin_services, client, typed):
    """Not another case of it, nor with blanks around it: typing it is how the admin
    shows they read it (the stored form, shown on the page, is what must be typed)."""
    submit(admin_services)
    csrf = sign_in_as(admin_services, client, AGENT)
    response = client.post(ERASE, data={"csrf_token": csrf, "address": f" {ZED.upper()} ",
                                        "confirm": typed})
    assert response.status_code == 422
    assert re.search(r'name="confirm"[^>]*aria-invalid="true"', response.get_data(as_text=True))
    assert "Type the person's address exactly as shown to confirm." in text(response)
    assert admin_services.store.list_erase_jobs() == []
    shown = client.get(ERASE, query_string={"address": f" {ZED.upper()} "})
    assert f"Type <strong>{ZED}</strong> to confirm" in text(shown)
    assert client.post(ERASE, data={"csrf_token": csrf, "address": f" {ZED.upper()} ",
                                    "confirm": ZED}).status_code == 303


@pytest.mark.parametrize("address", [f"{ZED}\x00", f"zed\x00@elsewhere.example",
                                     f"\u202e{ZED}", f"zed\u200b@elsewhere.example",
                                     f"zed @elsewhere.example", "@", "zed@",
                                     "x" * 3000 + "@elsewhere.example"])
def test_an_address_no_one_has_is_a_field_error_and_queues_nothing(admin_services, client,
                                                                   address):
    csrf = sign_in_as(admin_services, client, AGENT)
    for response in (client.get("/desk/people/", query_string={"address": address}),
                     client.get(ERASE, query_string={"address": address}),
                     client.post(ERASE, data={"csrf_token": csrf, "address": address,
                                              "confirm": address})):
        assert response.status_code == 422
        assert re.search(r'name="address"[^>]*aria-invalid="true"',
                         response.get_data(as_text=True))
        assert "Give the person's e-mail address." in text(response)
    assert admin_services.store.list_erase_jobs() == []


@pytest.mark.parametrize("choice", ["maybe", "", "YES", "\x00"])
def test_an_odd_choice_for_their_messages_is_a_field_error(admin_services, client, choice):
    submit(admin_services)
    csrf = sign_in_as(admin_services, client, AGENT)
    response = client.post(ERASE, data={"csrf_token": csrf, "address": ZED, "confirm": ZED,
                                        "messages": choice})
    assert response.status_code == 422
    assert re.search(r'name="messages"[^>]*aria-invalid="true"', response.get_data(as_text=True))
    assert "Choose whether their messages' text stays or goes." in text(response)
    assert admin_services.store.list_erase_jobs() == []


def test_an_odd_return_ticket_is_ignored(admin_services, client):
    sign_in_as(admin_services, client, AGENT)
    for ticket in ("\u00b2", "\u0661", "1" * 5000):
        page = client.get("/desk/people/", query_string={"address": ZED, "ticket": ticket})
        assert page.status_code == 200 and "Back to the queue" in text(page)


def test_not_an_address_is_told_and_queues_nothing(admin_services, client):
    csrf = sign_in_as(admin_services, client, AGENT)
    for response in (client.get(ERASE, query_string={"address": "not an address"}),
                     client.post(ERASE, data={"csrf_token": csrf, "address": "nobody",
                                              "confirm": "nobody"}),
                     client.get("/desk/people/", query_string={"address": "x"})):
        assert response.status_code == 422
        assert "Give the person's e-mail address." in text(response)
    assert admin_services.store.list_erase_jobs() == []


def test_the_person_page_says_what_the_portal_holds(admin_services, client):
    submit(admin_services)
    sign_in_as(admin_services, client, AGENT)
    shown = text(client.get("/desk/people/", query_string={"address": ZED.upper()}))
    assert "<dt>Tickets they asked for</dt><dd>1</dd>" in shown
    assert "<dt>Account</dt><dd>none</dd>" in shown and "Erase this person's data" in shown


def test_an_agent_who_is_not_a_desk_admin_gets_403_and_no_button(admin_services, client):
    payroll = submit(admin_services, "Payroll", product="payroll")
    csrf = sign_in_as(admin_services, client, PAYROLL_AGENT)
    assert "Erase this person" not in text(client.get(f"/desk/tickets/{payroll}"))
    for response in (client.get("/desk/people/"), client.get(ERASE, query_string={"address": ZED}),
                     client.post(ERASE, data={"csrf_token": csrf, "address": ZED,
                                              "confirm": ZED}),
                     client.get("/desk/people/erasures")):
        assert response.status_code == 403
        assert "Only desk admins erase people's data" in text(response)
        assert AGENT in text(response)
    assert admin_services.store.list_erase_jobs() == []


def test_a_post_without_the_csrf_token_is_refused(admin_services, client):
    submit(admin_services)
    sign_in_as(admin_services, client, AGENT)
    response = client.post(ERASE, data={"address": ZED, "confirm": ZED})
    assert response.status_code in (400, 403)
    assert admin_services.store.list_erase_jobs() == []


def test_the_list_of_erasures_says_when_only_the_newest_are_shown(admin_services, client,
                                                                   monkeypatch):
    from loket.web import desk_people

    monkeypatch.setattr(desk_people, "JOBS_SHOWN", 2)
    submit(admin_services)
    csrf = sign_in_as(admin_services, client, AGENT)
    # Three people (a second erasure of a waiting address is refused).
    for number, person in enumerate((ZED, "one@elsewhere.example", "two@elsewhere.example")):
        asked = {"csrf_token": csrf, "address": person, "confirm": person}
        assert client.post(ERASE, data=asked).status_code == 303
        if number == 0:
            assert "are shown" not in text(client.get("/desk/people/erasures"))
    listed = client.get("/desk/people/erasures").get_data(as_text=True)
    assert len(re.findall(r"<tr data-job=", listed)) == 2
    assert "The newest 2 are shown." in text(client.get("/desk/people/erasures"))


def test_a_second_erasure_of_a_waiting_address_is_told_and_queues_nothing(admin_services,
                                                                         client):
    submit(admin_services)
    csrf = sign_in_as(admin_services, client, AGENT)
    asked = {"csrf_token": csrf, "address": ZED, "confirm": ZED, "messages": "yes"}
    assert client.post(ERASE, data=asked).status_code == 303
    again = client.post(ERASE, data=asked)
    assert again.status_code == 422
    assert "An erasure of this address is already queued" in text(again)
    assert len(admin_services.store.list_erase_jobs()) == 1


def test_queued_mail_beyond_what_the_page_reads_is_said_not_counted(admin_services, client,
                                                                     monkeypatch):
    """The pages read the first PREVIEW_MAILS mails waiting to go (to anyone); when more
    wait, they say the count is of those only, instead of a count that looks whole."""
    from loket.services import erase_jobs

    submit(admin_services, "Zed's export fails")
    submit(admin_services, "Zed again")
    sign_in_as(admin_services, client, AGENT)
    waiting = admin_services.store.list_mail(pending=True)
    assert len(waiting) >= 2

    monkeypatch.setattr(erase_jobs, "PREVIEW_MAILS", len(waiting))
    whole = text(client.get(ERASE, query_string={"address": ZED}))
    zeds = sum(m.to == ZED for m in waiting)
    assert f"{zeds} e-mail{'s' if zeds != 1 else ''} to them not sent yet" in whole
    assert "not counted" not in whole

    read = len(waiting) - 1
    monkeypatch.setattr(erase_jobs, "PREVIEW_MAILS", read)
    zeds = sum(m.to == ZED for m in admin_services.store.list_mail(pending=True, limit=read))
    cut = text(client.get(ERASE, query_string={"address": ZED}))
    assert (f"every e-mail to them not sent yet ({zeds} among the first {read} waiting to "
            "go; more are waiting, not counted here)") in cut
    person = text(client.get("/desk/people/", query_string={"address": ZED}))
    assert (f"<dt>Mail to them not sent yet</dt><dd>{zeds} among the first {read} waiting "
            "to go (more are waiting, not counted here)</dd>") in person


def hrefs(response, label: str) -> list[str]:
    """The targets of the page's links that read `label`."""
    return [html_lib.unescape(href) for href in re.findall(
        rf'<a[^>]* href="([^"]+)"[^>]*>{re.escape(label)}</a>', response.get_data(as_text=True))]


def test_the_erase_flow_from_a_ticket_leads_back_to_it(admin_services, client):
    """Opened from a ticket, the confirmation page's Back and Cancel lead to that ticket,
    a refused confirmation keeps the way back, and once queued the list of erasures
    leads back to it too."""
    number = submit(admin_services, "Zed's export fails")
    csrf = sign_in_as(admin_services, client, AGENT)
    ticket_page = client.get(f"/desk/tickets/{number}")
    [link] = hrefs(ticket_page, "Erase this person's data")
    confirm = client.get(link)
    back = f"/desk/tickets/{number}?lang=en"
    assert hrefs(confirm, f"Back to #{number}") == [back] and hrefs(confirm, "Cancel") == [back]
    assert f'name="ticket" value="{number}"' in confirm.get_data(as_text=True)

    asked = {"csrf_token": csrf, "address": ZED, "ticket": str(number)}
    refused = client.post(ERASE, data={**asked, "confirm": "someone@else.example"})
    assert refused.status_code == 422 and hrefs(refused, "Cancel") == [back]

    queued = client.post(ERASE, data={**asked, "confirm": ZED})
    assert queued.status_code == 303
    listed = client.get(queued.headers["Location"])
    assert "Erase queued" in text(listed) and hrefs(listed, f"Back to #{number}") == [back]

    # From the look-up page with no ticket: back to the person, as before.
    alone = client.get(ERASE, query_string={"address": "one@elsewhere.example"})
    assert hrefs(alone, "Cancel") == ["/desk/people/?address=one%40elsewhere.example&lang=en"]
    assert 'name="ticket"' not in alone.get_data(as_text=True)
