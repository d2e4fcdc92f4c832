"""Lifting a suppression on the desk: a desk admin (portal.yml accounts.desk_admins)
follows the ticket's "Lift suppression" button, says why, and the same service as
`loket mail unsuppress` lifts it; the ticket then says so and who did it. Other agents
get 403, customers the desk's "not found"; a missing note and an address that is not
suppressed are told, never a 500."""

from __future__ import annotations

import html as html_lib
import re
from datetime import timedelta

import pytest

from loket.domain.outgoing import MailState, Suppression
from loket.services.mail_dispatch import send_queued
from tests.desk.conftest import AGENT, ANN, PAYROLL_AGENT, sign_in_as, text
from tests.desk.test_desk_pages import submit

ZED = "zed@elsewhere.example"
LIFT = "/desk/mail/suppressions/lift"


@pytest.fixture
def suppressed(admin_services):
    """A planner ticket of Zed, whose address bounced hard."""
    number = submit(admin_services, "Bounced")
    admin_services.store.suppress_address(Suppression(
        address=ZED, reason="bounce", detail="smtp; 550 5.1.1 user unknown",
        created_at=admin_services.clock.now()))
    return number


def test_an_admin_lifts_it_from_the_ticket_and_the_ticket_says_who(
        admin_services, client, suppressed):
    csrf = sign_in_as(admin_services, client, AGENT)
    page = client.get(f"/desk/tickets/{suppressed}").get_data(as_text=True)
    button = re.search(r'<a class="md-button loket-lift" href="([^"]+)">Lift suppression</a>', page)
    assert button, page
    form = client.get(html_lib.unescape(button.group(1)))
    assert form.status_code == 200
    assert f'name="address" value="{ZED}"' in form.get_data(as_text=True)
    assert "550 5.1.1 user unknown" in text(form)

    response = client.post(LIFT, data={"csrf_token": csrf, "address": ZED,
                                       "ticket": str(suppressed),
                                       "note": "Customer fixed their mailbox"})
    assert response.status_code == 303
    assert response.headers["Location"] == f"/desk/tickets/{suppressed}?lang=en&lifted=1"
    assert admin_services.store.get_suppression(ZED) is None
    [lift] = admin_services.store.suppression_lifts(ZED)
    assert (lift.lifted_by, lift.note, lift.suppression.reason) == (
        AGENT, "Customer fixed their mailbox", "bounce")

    shown = text(client.get(response.headers["Location"]))
    assert "Suppression lifted: mail goes to this address again." in shown
    assert f"lifted by {AGENT}" in shown and "“Customer fixed their mailbox”" in shown
    assert "No e-mail reaches this address" not in shown
    # Later visits still say who lifted it, without the confirmation.
    later = text(client.get(f"/desk/tickets/{suppressed}"))
    assert f"lifted by {AGENT}" in later and "Suppression lifted:" not in later


def test_mail_goes_to_the_address_again_after_the_lift(admin_services, client, suppressed,
                                                       outbox):
    send_queued(admin_services)
    csrf = sign_in_as(admin_services, client, AGENT)
    client.post(LIFT, data={"csrf_token": csrf, "address": ZED, "note": "Mailbox fixed"})
    client.post(f"/desk/tickets/{suppressed}/reply",
                data={"csrf_token": csrf, "body": "Can you try again?",
                      "version": str(admin_services.store.get_ticket(suppressed).version)})
    send_queued(admin_services)
    # The receipt, suppressed before the lift, stays so (a retry would send it).
    [held] = [m for m in admin_services.store.list_mail(pending=False) if m.to == ZED]
    assert (held.kind, held.state) == ("receipt", MailState.SUPPRESSED)
    assert any("Can you try again?" in str(m.get_body(("plain",)).get_content())
               for m in outbox.messages() if ZED in m["To"])


def test_without_a_ticket_it_goes_back_to_the_list(admin_services, client, suppressed):
    csrf = sign_in_as(admin_services, client, AGENT)
    response = client.post(LIFT, data={"csrf_token": csrf, "address": ZED.upper(),
                                       "note": "Fixed"})
    assert response.status_code == 303
    assert response.headers["Location"] == "/desk/mail/suppressions/?lang=en"
    assert admin_services.store.get_suppression(ZED) is None


def test_a_missing_note_is_a_field_error_and_lifts_nothing(admin_services, client, suppressed):
    csrf = sign_in_as(admin_services, client, AGENT)
    response = client.post(LIFT, data={"csrf_token": csrf, "address": ZED,
                                       "ticket": str(suppressed), "note": "   "})
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert 'class="loket-field loket-field--invalid"' in html and 'aria-invalid="true"' in html
    assert "Say why mail may go to this address again" in text(response)
    assert admin_services.store.get_suppression(ZED) is not None
    assert admin_services.store.suppression_lifts(ZED) == []


def test_an_address_that_is_not_suppressed_is_told_so(admin_services, client):
    csrf = sign_in_as(admin_services, client, AGENT)
    address = "ok@elsewhere.example"
    response = client.post(LIFT, data={"csrf_token": csrf, "address": address, "note": "x"})
    assert response.status_code == 409 and f"{address} is not suppressed" in text(response)
    form = client.get(LIFT, query_string={"address": address})
    assert form.status_code == 200 and "is not suppressed" in text(form)
    assert 'name="note"' not in form.get_data(as_text=True)


@pytest.mark.parametrize("address, told", [
    ("not an address", "'not an address' is not an e-mail address."),
    ("", "No address: open the lift from the list of suppressed addresses."),
    ("@", "'@' is not an e-mail address."),
    (ZED + "\x00", "'zed@elsewhere.example\\x00' is not an e-mail address."),
    ("\u202e" + ZED, "'\\u202ezed@elsewhere.example' is not an e-mail address."),
    ("x" * 3000 + "@elsewhere.example", "'" + "x" * 80 + "\u2026' is not an e-mail address.")])
def test_what_is_not_an_address_is_a_field_error_naming_it(admin_services, client, suppressed,
                                                           address, told):
    csrf = sign_in_as(admin_services, client, AGENT)
    for response in (client.post(LIFT, data={"csrf_token": csrf, "address": address,
                                             "note": "Fixed"}),
                     client.get(LIFT, query_string={"address": address})):
        assert response.status_code == 422
        assert told in text(response)
        assert 'name="note"' not in response.get_data(as_text=True)
    assert admin_services.store.get_suppression(ZED) is not None


@pytest.mark.parametrize("note", ["\x00\u202e\u200b", "\r\n\t", "x" * 501])
def test_a_note_with_nothing_to_read_or_too_long_is_refused(admin_services, client, suppressed,
                                                             note):
    csrf = sign_in_as(admin_services, client, AGENT)
    response = client.post(LIFT, data={"csrf_token": csrf, "address": ZED, "note": note})
    assert response.status_code == 422
    assert re.search(r'name="note"[^>]*aria-invalid="true"', response.get_data(as_text=True))
    told = text(response)
    assert ("Say why mail may go to this address again" in told
            or "Say it in at most 500 characters (501 now)." in told)
    assert admin_services.store.get_suppression(ZED) is not None
    assert admin_services.store.suppression_lifts(ZED) == []


def test_a_note_is_kept_without_control_characters(admin_services, client, suppressed):
    csrf = sign_in_as(admin_services, client, AGENT)
    response = client.post(LIFT, data={"csrf_token": csrf, "address": ZED,
                                       "note": "\x00Mailbox \u202efixed\x1b[2J\r\nby them "})
    assert response.status_code == 303
    [lift] = admin_services.store.suppression_lifts(ZED)
    assert lift.note == "Mailbox fixed[2J\nby them"


@pytest.mark.parametrize("ticket", ["\u00b2", "\u0661", "1" * 5000, "-1"])
def test_an_odd_return_ticket_is_ignored(admin_services, client, suppressed, ticket):
    csrf = sign_in_as(admin_services, client, AGENT)
    form = client.get(LIFT, query_string={"address": ZED, "ticket": ticket})
    assert form.status_code == 200 and 'name="ticket"' not in form.get_data(as_text=True)
    response = client.post(LIFT, data={"csrf_token": csrf, "address": ZED, "note": "Fixed",
                                       "ticket": ticket})
    assert response.status_code == 303
    assert response.headers["Location"].startswith("/desk/mail/suppressions/")


def test_lifting_twice_says_it_is_no_longer_suppressed(admin_services, client, suppressed):
    csrf = sign_in_as(admin_services, client, AGENT)
    data = {"csrf_token": csrf, "address": ZED, "note": "Fixed"}
    assert client.post(LIFT, data=data).status_code == 303
    again = client.post(LIFT, data=data)
    assert again.status_code == 409 and f"{ZED} is not suppressed" in text(again)
    assert len(admin_services.store.suppression_lifts(ZED)) == 1


def test_an_agent_who_is_not_a_desk_admin_gets_403_and_no_button(
        admin_services, client, suppressed):
    payroll = submit(admin_services, "Payroll bounced", product="payroll")
    csrf = sign_in_as(admin_services, client, PAYROLL_AGENT)
    page = text(client.get(f"/desk/tickets/{payroll}"))
    assert "No e-mail reaches this address" in page and "Lift suppression" not in page
    for response in (client.get(LIFT, query_string={"address": ZED}),
                     client.post(LIFT, data={"csrf_token": csrf, "address": ZED,
                                             "note": "Fixed"})):
        assert response.status_code == 403
        assert "only the agents named in <code>accounts.desk_admins</code> of portal.yml" in text(response)
        assert f"Ask {AGENT}." in text(response)
    assert admin_services.store.get_suppression(ZED) is not None


def test_customers_get_the_desks_not_found_page(admin_services, client, suppressed):
    csrf = sign_in_as(admin_services, client, ANN)
    assert client.get(LIFT, query_string={"address": ZED}).status_code == 404
    assert client.post(LIFT, data={"csrf_token": csrf, "address": ZED,
                                   "note": "Fixed"}).status_code == 404
    assert admin_services.store.get_suppression(ZED) is not None


def test_a_lift_without_the_csrf_token_is_refused(admin_services, client, suppressed):
    sign_in_as(admin_services, client, AGENT)
    response = client.post(LIFT, data={"address": ZED, "note": "Fixed"})
    assert response.status_code in (400, 403)
    assert admin_services.store.get_suppression(ZED) is not None


def test_the_return_ticket_must_be_one_the_admin_may_open(admin_services, client, suppressed):
    """A ticket number of another product (or none) is not linked back to."""
    payroll = submit(admin_services, "Payroll", product="payroll")
    csrf = sign_in_as(admin_services, client, AGENT)
    form = client.get(LIFT, query_string={"address": ZED, "ticket": str(payroll)})
    assert f"#{payroll}" not in text(form)
    response = client.post(LIFT, data={"csrf_token": csrf, "address": ZED,
                                       "ticket": str(payroll), "note": "Fixed"})
    assert response.headers["Location"] == "/desk/mail/suppressions/?lang=en"


def test_an_admin_lists_the_suppressed_addresses_and_lifts_one_from_there(
        admin_services, client, suppressed):
    admin_services.store.suppress_address(Suppression(
        address="later@elsewhere.example", reason="complaint", detail="abuse",
        created_at=admin_services.clock.now().replace(microsecond=0) + timedelta(hours=1)))
    csrf = sign_in_as(admin_services, client, AGENT)
    mail_page = client.get("/desk/mail/").get_data(as_text=True)
    assert 'href="/desk/mail/suppressions/?lang=en"' in mail_page
    listed = client.get("/desk/mail/suppressions/")
    assert listed.status_code == 200
    assert re.findall(r'<tr data-address="([^"]+)"', listed.get_data(as_text=True)) == [
        "later@elsewhere.example", ZED]  # newest first
    lift = re.search(r'href="(/desk/mail/suppressions/lift\?address=zed[^"]+)"',
                     listed.get_data(as_text=True)).group(1)
    assert client.get(html_lib.unescape(lift)).status_code == 200
    response = client.post(LIFT, data={"csrf_token": csrf, "address": ZED, "note": "Fixed"})
    assert response.headers["Location"] == "/desk/mail/suppressions/?lang=en"
    after = client.get(response.headers["Location"]).get_data(as_text=True)
    assert re.findall(r'<tr data-address="([^"]+)"', after) == ["later@elsewhere.example"]


def test_the_list_is_for_desk_admins_only(admin_services, client, suppressed):
    sign_in_as(admin_services, client, PAYROLL_AGENT)
    assert "/desk/mail/suppressions/" not in client.get("/desk/mail/").get_data(as_text=True)
    refused = client.get("/desk/mail/suppressions/")
    assert refused.status_code == 403 and ZED not in refused.get_data(as_text=True)
    sign_in_as(admin_services, client, ANN)
    assert client.get("/desk/mail/suppressions/").status_code == 404


def test_desk_admins_must_be_addresses_and_are_matched_in_lower_case():
    from pydantic import ValidationError

    from loket.config.model import AccountsConfig

    with pytest.raises(ValidationError, match="desk_admins: 'desk team' is not an e-mail address"):
        AccountsConfig(desk_admins=["desk team"])
    assert AccountsConfig(desk_admins=["Desk@Nordwind.example"]).desk_admins == [
        "desk@nordwind.example"]


def test_desk_admins_are_matched_as_sign_in_matches_addresses():
    """In the stores' form (domain/accounts.email_key: ASCII letters folded, nothing
    else), so an entry is exactly one account: the Kelvin sign (U+212A) is no "k"."""
    from loket.config.model import AccountsConfig
    from loket.domain.accounts import email_key

    admins = AccountsConfig(desk_admins=["\u212aarl@Nordwind.example", "ÄNN@nordwind.example"])
    assert admins.desk_admins == [email_key("\u212aarl@Nordwind.example"),
                                  email_key("ÄNN@nordwind.example")]
    assert "karl@nordwind.example" not in admins.desk_admins
