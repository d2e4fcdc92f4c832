"""Field errors on pages are whole sentences in the page's language."""

from __future__ import annotations

import pytest

from loket.domain.errors import ValidationFailed
from loket.web.field_errors import field_sentence, known
from loket.services.accounts import WRONG_SIGN_IN

# The fragments a customer meets on the portal's forms (ticket form, accounts, reply,
# rating, files). A fragment here without a rule fails: add its sentences to RULES.
CUSTOMER_FRAGMENTS = [
    ("email", "is not a valid e-mail address: The domain name x is not valid."),
    ("email", "is required"), ("password", "is required"), ("subject", "is required"),
    ("email", WRONG_SIGN_IN),
    ("subject", "is too long (250 characters; at most 200)"),
    ("subject", "has no visible character: write some text"),
    ("product", "must be one of: planner, payroll"), ("product", "is not one of your products"),
    ("users_affected", "must be a whole number"), ("users_affected", "must be at least 1"),
    ("users_affected", "must be at most 100000"),
    ("occurred_at", "must be a date and time like 2026-11-26T14:30"),
    ("password", "is too short: use at least 12 characters"),
    ("password", "is too long: use at most 1024 characters"),
    ("password", "is too weak. This is a top-10 common password. Add another word or two."),
    ("password_again", "is not the same as the password"),
    ("first_name", "must be at most 100 plain characters"),
    ("rating", "must be good or bad"), ("comment", "must be at most 2000 characters"),
    ("comment", "must be text"), ("body", "is required"),
    ("attachments", "are too many: 12 files; at most 10 per message"),
    ("attachments", "are too large together: 60.0 MB; a ticket holds at most 50.0 MB"),
    ("attachments", "is too large: 30.0 MB; at most 25.0 MB a file"),
    ("attachments", "this form takes no files"), ("website", "must be left empty"),
]


@pytest.mark.parametrize("field, fragment", CUSTOMER_FRAGMENTS)
def test_every_fragment_a_customer_meets_has_sentences(field, fragment):
    assert known(field, fragment), f"no sentence for {field}: {fragment!r}"
    for lang in ("en", "nl"):
        sentence = field_sentence(field, fragment, lang)
        assert sentence[0].isupper() and sentence.endswith("."), sentence


def test_the_dutch_e_mail_sentence_and_numbers():
    assert field_sentence("email", "is not a valid e-mail address: x", "nl") == \
        "Vul een geldig e-mailadres in."
    assert field_sentence("subject", "is too long (250 characters; at most 200)", "nl") == \
        "Gebruik hoogstens 200 tekens; dit zijn er 250."
    assert field_sentence("attachments", "is too large: 30.0 MB; at most 25.0 MB a file",
                          "nl") == "Dit bestand is te groot (30,0 MB): hoogstens 25,0 MB per bestand."


def test_the_sign_in_refusal_is_the_services_own():
    from loket.web import field_errors

    assert field_errors.WRONG_SIGN_IN == WRONG_SIGN_IN


def test_an_unknown_fragment_still_reads_as_a_sentence():
    assert field_sentence("x", "is odd", "nl") == "Is odd."


def test_the_ticket_forms_own_validator_messages_are_all_known(tmp_path):
    """What domain/forms.py says for the demo form's fields, with bad values."""
    from loket.config import load_portal_config
    from tests.paths import ROOT

    config = load_portal_config(ROOT / "site_config")
    bad = {"email": "not an address", "subject": "x" * 5000, "users_affected": "many",
           "product": "nothing", "type": "nothing", "description": "\u200b"}
    with pytest.raises(ValidationFailed) as refused:
        config.form.validate_submission(bad, config.products)
    for error in refused.value.errors:
        assert known(error.field, error.message), (error.field, error.message)


def test_the_api_adds_the_sentence_in_the_bodys_language(tmp_path):
    from flask import Flask

    from loket.domain.errors import FieldError
    from loket.web.problems import validation_problem

    app = Flask(__name__)
    refused = ValidationFailed([FieldError("email", "is not a valid e-mail address: x")])
    with app.test_request_context(json={"language": "nl"}):
        error = validation_problem(refused).get_json()["errors"][0]
    assert error["detail"] == "is not a valid e-mail address: x"
    assert error["message"] == "Vul een geldig e-mailadres in."
    with app.test_request_context(headers={"Accept-Language": "nl-NL,nl;q=0.9"}):
        assert validation_problem(refused).get_json()["errors"][0]["message"].startswith("Vul")
    with app.test_request_context():
        assert validation_problem(refused).get_json()["errors"][0]["message"] == \
            "This is not a valid e-mail address: enter one like name@example.com."
