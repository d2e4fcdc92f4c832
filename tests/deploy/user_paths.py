"""What users do first, as end-to-end paths through the Lambda handlers.

Each path runs one function's handler as that function's role (or under `policies`
given instead, to see what breaks without an action) and raises AssertionError or
ClientError when the path does not work. tests/deploy/test_iam_paths.py runs them.
Setting up what an operator does with the CLI (organizations, agents) runs with the
operator's own rights, as it does in production.
"""

from __future__ import annotations

import copy
import email
import importlib
import inspect
import io
import re
from dataclasses import replace
from datetime import datetime, timedelta, timezone
from email.message import EmailMessage
from email.policy import default as default_policy
from typing import Callable
from urllib.parse import urlencode

import boto3

from tests.aws.conftest import corpus_event
from tests.deploy.cloudformation import REGION
from tests.deploy.deployment import Deployment
from tests.deploy.lambda_client import LambdaClient

HTTP = "loket.handlers.http.handle"
SWEEP = "loket.handlers.sweep.handle"
MAIL_IN = "loket.handlers.mail_in.handle"
MAIL_DISPATCH = "loket.handlers.mail_dispatch.handle"
SES_FEEDBACK = "loket.handlers.ses_feedback.handle"
PASSWORD = "marble kettle orbit 42 lantern"
CUSTOMER = "ann@acme.example"
AGENT = "desk@nordwind.example"
TICKET = {"email": CUSTOMER, "product": "planner", "type": "incident",
          "subject": "Planner is down for all users", "description": "Since 08:10 a 502."}
SCHEDULE = "cloudwatch-scheduled-event.json"


# -- mail --------------------------------------------------------------------------------

def sent_mail() -> list[EmailMessage]:
    from moto.core import DEFAULT_ACCOUNT_ID
    from moto.ses.models import ses_backends

    backend = ses_backends[DEFAULT_ACCOUNT_ID][REGION]
    raws = [m.raw_data.encode() if isinstance(m.raw_data, str) else m.raw_data
            for m in backend.sent_messages]
    return [email.message_from_bytes(raw, policy=default_policy) for raw in raws]


def dispatcher_handlers(deployed: Deployment) -> list[str]:
    """Handlers in the template that send queued mail (services/mail_dispatch.py)."""
    found = []
    for function in deployed.stack.of_type("AWS::Lambda::Function").values():
        handler = function["Properties"]["Handler"]
        module = importlib.import_module(handler.rpartition(".")[0])
        if "send_queued" in inspect.getsource(module):
            found.append(handler)
    return found


def mail_is_queued() -> bool:
    return importlib.util.find_spec("loket.services.mail_dispatch") is not None


def deliver_mail(deployed: Deployment, policies: dict | None = None) -> None:
    """Send what the store has queued, as the template's dispatcher function does. While
    the template has none, the operator's `loket mail` would (test_iam_paths.py has a
    test that fails for that gap on its own)."""
    if not mail_is_queued():
        return  # Mail is sent in the request itself.
    for handler in dispatcher_handlers(deployed):
        with deployed.running(handler, policies=policies) as handle:
            handle(corpus_event(SCHEDULE), None)
        return
    from loket.services.mail_dispatch import send_queued

    with deployed.as_operator():
        send_queued(deployed.operator_services())


def last_mail_to(deployed: Deployment, address: str) -> EmailMessage:
    deliver_mail(deployed)
    found = [m for m in sent_mail() if m["To"] == address]
    assert found, f"no mail to {address}"
    return found[-1]


def link_in(message: EmailMessage, path: str) -> str:
    text = message.get_body(("plain",)).get_content()
    found = re.search(rf"https://[^/\s]+(/portal/{path}/\S+)", text)
    assert found, text
    return found.group(1)


# -- what the operator sets up -------------------------------------------------------------

def operator_sets_up_acme(deployed: Deployment):
    """Acme with Ann invited as its support contact, and an active agent."""
    from loket.domain.accounts import Role
    from loket.services.accounts import invite
    from loket.services.organizations import create_organization
    from loket.services.passwords import hash_password

    services = deployed.operator_services()
    create_organization(services, "acme", "Acme B.V.", products=["planner"])
    invite(services, CUSTOMER, organization="acme", products=["planner"],
           support_contact=True)
    invite(services, AGENT, organization=None, products=["planner"], role=Role.AGENT)
    account = services.store.get_account(AGENT)
    services.store.save_account(replace(account, first_name="Piet", last_name="Desk",
                                        password_hash=hash_password(services, PASSWORD)))
    return services


def operator_makes_an_overdue_ticket(deployed: Deployment) -> int:
    """A ticket that has waited on the customer for 20 days: its close is due."""
    from loket.clock import FixedClock
    from loket.services.status import agent_reply
    from loket.services.submission import submit_ticket

    services = deployed.operator_services()
    services.clock = FixedClock(datetime.now(timezone.utc) - timedelta(days=20))
    number = submit_ticket(services, {**TICKET, "type": "question"},
                           client_address="203.0.113.7").ticket.number
    agent_reply(services, number, "Is the file open elsewhere?", agent="piet",
                status="waiting-on-customer")
    deliver_mail(deployed)
    return number


# -- the http function ------------------------------------------------------------------------

def sign_in(client: LambdaClient, address: str, password: str = PASSWORD):
    page = client.get("/portal/login")
    assert page.status == 200, page.text[:500]
    return client.post("/portal/login", form={"email": address, "password": password,
                                              "csrf_token": page.csrf()})


def submit(client: LambdaClient, **fields) -> dict:
    answer = client.post("/api/tickets", json_body={**TICKET, **fields})
    assert answer.status == 201, answer.text
    return answer.json()


def submit_look_up_and_reply(deployed: Deployment, policies: dict | None = None) -> None:
    with deployed.running(HTTP, policies=policies) as handle:
        client = deployed.client(handle)
        receipt = submit(client)
        token = urlencode({"token": receipt["token"]})
        looked_up = client.get(f"/api/tickets/{receipt['number']}?{token}")
        assert looked_up.status == 200 and looked_up.json()["subject"] == TICKET["subject"]
        page = client.get(f"/portal/tickets/{receipt['number']}?{token}")
        assert page.status == 200 and TICKET["subject"] in page.text, page.status
        reply = client.post(f"/api/tickets/{receipt['number']}/messages?{token}",
                            json_body={"body": "It is back since 09:00."})
        assert reply.status in (200, 201), reply.text
    assert last_mail_to(deployed, CUSTOMER)["Subject"].startswith(f"[#{receipt['number']}]")


def invite_accept_sign_out_and_reset(deployed: Deployment, policies: dict | None = None) -> None:
    operator_sets_up_acme(deployed)
    invitation = link_in(last_mail_to(deployed, CUSTOMER), "invitations")
    with deployed.running(HTTP, policies=policies) as handle:
        ann = deployed.client(handle)
        form = ann.get(invitation)
        assert form.status == 200, form.text[:500]
        accepted = ann.post(invitation, form={
            "first_name": "Ann", "last_name": "de Vries", "password": PASSWORD,
            "password_again": PASSWORD, "csrf_token": form.csrf()})
        assert accepted.status == 303, accepted.text
        assert ann.get(invitation).status == 404  # The one-time token was taken.

        # An agent invites Ann's colleague through the API; he accepts.
        desk = deployed.client(handle)
        assert sign_in(desk, AGENT).status == 303
        csrf = desk.get("/api/session").json()["csrf_token"]
        invited = desk.post("/api/invitations", headers={"x-csrf-token": csrf},
                            json_body={"email": "carl@acme.example", "products": ["planner"],
                                       "organization": "acme"})
        assert invited.status == 201, invited.text
        carl = deployed.client(handle)
        carl_link = link_in(last_mail_to(deployed, "carl@acme.example"), "invitations")
        carl_form = carl.get(carl_link)
        assert carl.post(carl_link, form={
            "first_name": "Carl", "last_name": "Jansen", "password": PASSWORD,
            "password_again": PASSWORD, "csrf_token": carl_form.csrf()}).status == 303

        # Signing out ends the session on the server: the old cookie opens nothing.
        mine = ann.get("/portal/my-tickets")
        assert mine.status == 200, mine.status
        cookies = dict(ann.cookies)
        assert ann.post("/portal/logout", form={"csrf_token": mine.csrf()}).status == 303
        assert deployed.client(handle, cookies=cookies).get("/portal/my-tickets").status == 303
        assert sign_in(deployed.client(handle), CUSTOMER).status == 303

        # A new password through the e-mailed reset link.
        reset = deployed.client(handle)
        page = reset.get("/portal/password-reset")
        asked = reset.post("/portal/password-reset", form={"email": CUSTOMER,
                                                            "csrf_token": page.csrf()})
        assert asked.status == 200, asked.text
        reset_link = link_in(last_mail_to(deployed, CUSTOMER), "password-reset")
        new = "violet harbour cinnamon 77"
        set_form = reset.get(reset_link)
        done = reset.post(reset_link, form={"password": new, "password_again": new,
                                            "csrf_token": set_form.csrf()})
        assert done.status == 303, done.text
        assert sign_in(deployed.client(handle), CUSTOMER, new).status == 303


def agent_replies_at_the_desk(deployed: Deployment, policies: dict | None = None) -> None:
    operator_sets_up_acme(deployed)
    with deployed.running(HTTP, policies=policies) as handle:
        number = submit(deployed.client(handle))["number"]
        desk = deployed.client(handle)
        assert sign_in(desk, AGENT).status == 303
        queue = desk.get("/desk/")
        assert queue.status == 200 and f"/desk/tickets/{number}" in queue.text, queue.status
        # The desk's views and search (#12) read their own indexes (desk_*), as the role.
        view = desk.get("/desk/views/new")
        assert view.status == 200 and f"/desk/tickets/{number}" in view.text, view.status
        found = desk.get("/desk/search?q=down")
        assert found.status == 200 and f"/desk/tickets/{number}" in found.text, found.status
        page = desk.get(f"/desk/tickets/{number}")
        assert page.status == 200, page.status
        # The page's poll (#12): the agent is marked present (PutItem in the ticket's
        # partition) and told who else is there (Query).
        here = desk.get(f"/desk/tickets/{number}/presence?version=1")
        assert here.status == 200 and here.json()["others"] == [], here.text
        replied = desk.post(f"/desk/tickets/{number}/reply",
                            form={"body": "Fixed in 4.2.1.", "status": "solved",
                                  "version": "1", "csrf_token": page.csrf()})
        assert replied.status == 303, replied.text
        # The timeline lists the reply, read from the events written with it.
        assert "Replied to the customer: Fixed in 4.2.1." in desk.get(
            f"/desk/tickets/{number}").text
        # The "solved" mail carries a rating link signed with the key read at run time
        # (SSM SecureString); the customer opens it.
        mail = last_mail_to(deployed, CUSTOMER)
        assert "Fixed in 4.2.1." in mail.get_body(("plain",)).get_content()
        rating = deployed.client(handle).get(link_in(mail, "ratings"))
        assert rating.status == 200, rating.status


def png(width: int = 64, height: int = 48) -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (width, height), "orange").save(out, "PNG")
    return out.getvalue()


def upload_attach_and_download(deployed: Deployment, policies: dict | None = None) -> None:
    picture = png()
    bucket = deployed.stack.name("AttachmentsBucket")
    with deployed.running(HTTP, policies=policies) as handle:
        client = deployed.client(handle)
        started = client.post("/api/uploads", json_body={
            "name": "error.png", "size": len(picture), "type": "image/png"})
        assert started.status == 201, started.text
        form = started.json()
        # The browser posts the file to S3 with the form the role signed, and S3
        # authorises it as the role (PutObject under uploads/). moto's in-process mock
        # cannot take a browser's POST, so the role makes the same request with boto3.
        s3 = boto3.session.Session().client("s3", region_name=REGION)
        s3.put_object(Bucket=bucket, Key=form["fields"]["key"], Body=picture,
                      ContentType="image/png")
        receipt = submit(client, attachments=[form["id"]])
        token = urlencode({"token": receipt["token"]})
        ticket = client.get(f"/api/tickets/{receipt['number']}?{token}").json()
        [attachment] = ticket["messages"][0]["attachments"]
        redirect = client.get(attachment["url"])
        assert redirect.status == 302, redirect.text
        # The browser follows the presigned GET: the role's GetObject on the file.
        key = f"attachments/{form['id']}"
        assert f"/{key}" in redirect.location
        assert s3.get_object(Bucket=bucket, Key=key)["Body"].read() == picture
    # Claimed: the waiting copy under uploads/ is gone (the role's DeleteObject).
    listed = boto3.session.Session().client("s3", region_name=REGION).list_objects_v2(
        Bucket=bucket, Prefix="uploads/")
    assert listed.get("KeyCount", 0) == 0, listed.get("Contents")


# -- sweep and mail in ------------------------------------------------------------------------

def sweep_closes_an_overdue_ticket(deployed: Deployment, policies: dict | None = None) -> None:
    number = operator_makes_an_overdue_ticket(deployed)
    before = len(sent_mail())
    with deployed.running(SWEEP, policies=policies) as handle:
        result = handle(corpus_event(SCHEDULE), None)
    # The timer due first (a reminder or the close, by the business calendar's days).
    assert result["swept"] and result["changed"] == 1 and result["emails"] == 1, result
    deliver_mail(deployed)
    [mail] = sent_mail()[before:]
    assert mail["To"] == CUSTOMER and mail["Subject"].startswith(f"[#{number}] "), mail["Subject"]


def retention_config(months: int) -> str:
    """site_config/ as shipped, with `retention: closed_ticket_months` set."""
    import shutil
    import tempfile
    from pathlib import Path

    from tests.paths import SITE_CONFIG

    target = Path(tempfile.mkdtemp(prefix="loket-retention-")) / "site_config"
    shutil.copytree(SITE_CONFIG, target, ignore=shutil.ignore_patterns(".compiled"))
    portal = target / "portal.yml"
    setting = "retention:\n  refused_mail_days: 30\n"
    assert setting in portal.read_text()
    portal.write_text(portal.read_text().replace(
        setting, setting + f"  closed_ticket_months: {months}\n"))
    return str(target)


def sweep_strips_a_long_closed_ticket(deployed: Deployment, policies: dict | None = None) -> None:
    """Retention (#15): a ticket with a file, closed seven months ago under six months'
    retention; the sweep removes its texts, address and file."""
    from pathlib import Path

    from loket.clock import FixedClock
    from loket.config import load_portal_config
    from loket.domain.attachments import Attachment
    from loket.domain.retention import REMOVED_TEXT
    from loket.services.status import close_ticket
    from tests.contract.test_store_contract import new_ticket

    config_dir = retention_config(months=6)
    services = deployed.operator_services()
    services.config = load_portal_config(Path(config_dir))
    services.clock = FixedClock(datetime.now(timezone.utc) - timedelta(days=7 * 31))
    shot = Attachment("r" * 22, "screen.png", "image/png", 4, f"attachments/{'r' * 22}",
                      f"thumbnails/{'r' * 22}.png")
    for key in (shot.key, shot.thumbnail_key):
        services.blobs.put(key, io.BytesIO(b"\x89PNG"), content_type="image/png")
    ticket, _ = services.store.create_ticket(new_ticket(
        email=CUSTOMER, created_at=services.clock.now(), attachments=(shot,)))
    close_ticket(services, ticket.number)
    with deployed.running(SWEEP, policies=policies,
                          extra_env={"LOKET_CONFIG_DIR": config_dir}) as handle:
        result = handle(corpus_event(SCHEDULE), None)
    assert result["swept"] and result["removed"] == 1, result
    stripped = services.store.get_ticket(ticket.number)
    assert stripped.subject == REMOVED_TEXT and stripped.email != CUSTOMER
    assert services.blobs.size(shot.key) is None and services.blobs.size(shot.thumbnail_key) is None


def sweep_runs_an_erase_job(deployed: Deployment, policies: dict | None = None) -> None:
    """The desk's erase action (#15): a desk admin queued the erasure of a customer with a
    session, a file on their ticket and refused mail; the sweep erases all of it."""
    from loket.domain.accounts import Session
    from loket.domain.attachments import Attachment
    from loket.domain.outgoing import OutgoingMail, Suppression
    from loket.domain.refused import RefusalKind, RefusedMail
    from loket.services.erase_jobs import request_erase
    from tests.contract.test_store_contract import new_ticket

    person = "leaving@elsewhere.example"
    services = deployed.operator_services()
    now = services.clock.now()
    shot = Attachment("e" * 22, "mine.png", "image/png", 4, f"attachments/{'e' * 22}", None)
    services.blobs.put(shot.key, io.BytesIO(b"\x89PNG"), content_type="image/png")
    services.blobs.put("refused/erase-path.eml", io.BytesIO(b"From: " + person.encode()),
                       content_type="message/rfc822")
    ticket, _ = services.store.create_ticket(new_ticket(email=person, created_at=now,
                                                        attachments=(shot,)))
    services.store.create_session(Session("e" * 64, person, "csrf", 0, now,
                                          now + timedelta(days=1)))
    services.store.keep_refused(RefusedMail(
        "erase-path", now, now + timedelta(days=30), RefusalKind.RATE_LIMITED, "too many",
        sender=person, raw_key="refused/erase-path.eml"))
    # The agents' notices of their ticket, waiting to be expanded: the erasure looks
    # up the notices an expansion may have queued from it (the board's agents, by id).
    services.store.enqueue_mail([OutgoingMail(
        kind="agent-notices", lang="", to="agents of planner", created_at=now,
        data={"event": "new-ticket", "number": ticket.number, "product": "planner",
              "customer": person, "subject": "Mine"},
        message_id="", ticket=ticket.number, id="erase-path-intent")])
    # A lift of their suppression: the erasure looks up such records last (a Query of
    # the suppression's partition), for one a lift made while it ran.
    services.store.suppress_address(Suppression(person, "bounce", "550 gone", now))
    assert services.store.lift_suppression(person, lifted_by=AGENT, lifted_at=now)
    job = request_erase(services, person, confirm=person, messages=True, requested_by=AGENT)
    with deployed.running(SWEEP, policies=policies) as handle:
        result = handle(corpus_event(SCHEDULE), None)
    assert result["swept"], result
    done = services.store.get_erase_job(job.id)
    assert done.done and done.address is None, done
    assert services.store.get_ticket(ticket.number).email == job.placeholder
    assert services.store.get_session("e" * 64, now) is None
    assert services.store.get_refused("erase-path") is None
    assert person not in str(services.store.get_mail("erase-path-intent"))
    assert services.store.suppression_lifts(person) == []
    assert services.blobs.size(shot.key) is None
    assert services.blobs.size("refused/erase-path.eml") is None


def inbound_bucket(deployed: Deployment) -> str:
    """The bucket the receipt rule stores mail in."""
    [rule] = deployed.stack.of_type("AWS::SES::ReceiptRule").values()
    [action] = rule["Properties"]["Rule"]["Actions"]
    return deployed.stack.resolve(action["S3Action"]["BucketName"])


def inbound_mail() -> bytes:
    """A new ticket by e-mail to the support address, with a screenshot."""
    message = EmailMessage()
    message["From"] = f"Ann de Vries <{CUSTOMER}>"
    message["To"] = "support@nordwind.example"
    message["Subject"] = "Export to Excel fails"
    message["Message-ID"] = "<m1@acme.example>"
    message["Date"] = "Tue, 01 Dec 2026 09:00:00 +0000"
    message.set_content("Every export stops at 99%. Screenshot attached.")
    message.add_attachment(png(), maintype="image", subtype="png", filename="export.png")
    return message.as_bytes()


def mail_in_event(bucket: str, key: str) -> dict:
    event = copy.deepcopy(corpus_event("s3Event.json"))
    record = event["Records"][0]
    record["awsRegion"] = REGION
    record["s3"]["bucket"].update(name=bucket, arn=f"arn:aws:s3:::{bucket}")
    record["s3"]["object"]["key"] = key
    event["Records"] = [record]
    return event


def reply_to(receipt: EmailMessage) -> bytes:
    """The customer's answer to a mail of ours, as a mail client writes it."""
    message = EmailMessage()
    message["From"] = f"Ann de Vries <{CUSTOMER}>"
    message["To"] = receipt["From"]
    message["Subject"] = f"Re: {receipt['Subject']}"
    message["Message-ID"] = "<m2@acme.example>"
    message["In-Reply-To"] = receipt["Message-ID"]
    message["References"] = receipt["Message-ID"]
    message.set_content("It happens with every workbook.\n\n> " + "earlier text")
    return message.as_bytes()


def mail_in(deployed: Deployment, key: str, raw: bytes, policies: dict | None) -> dict:
    bucket = inbound_bucket(deployed)
    # SES stores the mail (its own right, by the bucket policy).
    boto3.session.Session().client("s3", region_name=REGION).put_object(
        Bucket=bucket, Key=key, Body=raw)
    with deployed.running(MAIL_IN, policies=policies) as handle:
        [decision] = handle(mail_in_event(bucket, key), None)["decisions"]
    return decision


def mail_in_makes_a_ticket(deployed: Deployment, policies: dict | None = None) -> None:
    decision = mail_in(deployed, "inbound/m1", inbound_mail(), policies)
    assert decision["action"] == "new-ticket", decision
    mail = last_mail_to(deployed, CUSTOMER)
    assert mail["Subject"].startswith(f"[#{decision['ticket']}]"), mail["Subject"]
    answer = mail_in(deployed, "inbound/m2", reply_to(mail), policies)
    assert (answer["action"], answer["ticket"]) == ("reply", decision["ticket"]), answer
    keys = [o["Key"] for o in boto3.session.Session().client("s3", region_name=REGION)
            .list_objects_v2(Bucket=deployed.stack.name("AttachmentsBucket"))
            .get("Contents", [])]
    assert any(k.startswith("attachments/") for k in keys), keys


# -- mail out ------------------------------------------------------------------------------

def dispatcher_sends_queued_mail(deployed: Deployment, policies: dict | None = None) -> None:
    """The receipt and the "solved" mail (with its signed rating link) that the
    operator's changes queued, and the notice to the board's agent who asked for new
    tickets (one queued record, expanded by the dispatcher: it reads the agents and
    signs each notice's Message-ID), sent by the dispatcher function as its role."""
    from loket.services.status import agent_reply
    from loket.services.submission import submit_ticket

    services = operator_sets_up_acme(deployed)
    account = services.store.get_account(AGENT)
    services.store.save_account(replace(account, agent_notices=replace(
        account.agent_notices, new_tickets=True)))
    number = submit_ticket(services, TICKET, client_address="203.0.113.7").ticket.number
    agent_reply(services, number, "Fixed in 4.2.1.", agent="piet", status="solved")
    with deployed.running(MAIL_DISPATCH, policies=policies) as handle:
        result = handle(corpus_event(SCHEDULE), None)
    # The set-up's two invitations, the receipt, the "solved" mail, the agent's notice.
    assert result["sent"] == 5 and result["failed"] == 0, result
    [notice] = [m for m in sent_mail() if m["To"] == AGENT and "New ticket" in m["Subject"]]
    assert notice["Message-ID"].strip().startswith(f"<agent-{number}."), notice["Message-ID"]
    subjects = [m["Subject"] for m in sent_mail() if m["To"] == CUSTOMER
                and f"[#{number}]" in m["Subject"]]
    assert len(subjects) == 2, subjects
    assert "/portal/ratings/" in [m for m in sent_mail() if m["To"] == CUSTOMER][-1] \
        .get_body(("plain",)).get_content()


def ses_feedback_event(address: str) -> dict:
    """A permanent bounce as SES's configuration set publishes it through SNS."""
    import json

    notification = {
        "eventType": "Bounce",
        "bounce": {"bounceType": "Permanent", "bounceSubType": "General",
                   "bouncedRecipients": [{"emailAddress": address, "action": "failed",
                                          "status": "5.1.1",
                                          "diagnosticCode": "smtp; 550 5.1.1 user unknown"}],
                   "timestamp": "2026-12-01T09:00:00.000Z", "feedbackId": "0100-feedback"},
        "mail": {"timestamp": "2026-12-01T08:59:58.000Z",
                 "source": "Support <support@nordwind.example>", "messageId": "0100-message",
                 "destination": [address]}}
    return {"Records": [{"EventSource": "aws:sns", "EventVersion": "1.0",
                         "EventSubscriptionArn": f"arn:aws:sns:{REGION}:123456789012:feedback:1",
                         "Sns": {"Type": "Notification", "MessageId": "95df01b4",
                                 "TopicArn": f"arn:aws:sns:{REGION}:123456789012:feedback",
                                 "Subject": None, "Message": json.dumps(notification),
                                 "Timestamp": "2026-12-01T09:00:01.000Z"}}]}


def bounce_suppresses_the_address(deployed: Deployment, policies: dict | None = None) -> None:
    with deployed.running(SES_FEEDBACK, policies=policies) as handle:
        result = handle(ses_feedback_event("gone@example.com"), None)
    assert result["suppressed"] == ["gone@example.com"], result
    with deployed.as_operator():
        assert deployed.operator_services().store.get_suppression("Gone@Example.com")


# Every path, with the handler it runs: each function of the template needs one.
PATHS: dict[str, tuple[str, Callable[..., None]]] = {
    "submit, look up, reply": (HTTP, submit_look_up_and_reply),
    "invite, accept, sign out, reset": (HTTP, invite_accept_sign_out_and_reset),
    "desk reply": (HTTP, agent_replies_at_the_desk),
    "upload and download": (HTTP, upload_attach_and_download),
    "sweep": (SWEEP, sweep_closes_an_overdue_ticket),
    "erase job": (SWEEP, sweep_runs_an_erase_job),
    "retention": (SWEEP, sweep_strips_a_long_closed_ticket),
    "mail in": (MAIL_IN, mail_in_makes_a_ticket),
    "mail out": (MAIL_DISPATCH, dispatcher_sends_queued_mail),
    "bounce": (SES_FEEDBACK, bounce_suppresses_the_address),
}
