"""The form definition: what a valid one looks like, and how it judges submissions."""

from __future__ import annotations

import copy

import pytest
import yaml
from pydantic import ValidationError

from loket.domain.errors import ValidationFailed
from loket.domain.forms import FormDefinition, Labels
from tests.paths import SITE_CONFIG

PRODUCTS = {"planner": Labels(en="Planner", nl="Planner")}


@pytest.fixture
def raw():
    return yaml.safe_load((SITE_CONFIG / "forms" / "ticket.yml").read_text())


def test_shipped_form_has_the_fields_vendors_ask_for(raw):
    form = FormDefinition.model_validate(raw)
    assert [f.name for f in form.fields] == [
        "email", "product", "type", "subject", "description", "environment",
        "error_message", "occurred_at", "users_affected", "steps", "attachments"]
    assert [c.value for c in form.field("type").choices] == [
        "question", "change-request", "problem-report", "incident"]
    assert all(f.label.nl and f.label.en for f in form.fields)


@pytest.mark.parametrize("mutate, words", [
    (lambda r: r["fields"].pop(0), "needs a 'email' field"),
    (lambda r: r["fields"].append(copy.deepcopy(r["fields"][3])), "must be unique: subject"),
    (lambda r: r["fields"][3].update(required=False), "'subject' field must be a required text"),
    (lambda r: r["fields"][5].pop("choices"), "needs choices"),
    (lambda r: r["fields"][3].update(type="colour"), "Input should be"),
    (lambda r: r["fields"][3]["label"].pop("nl"), "Field required"),
    (lambda r: r["fields"][3].update(colour="red"), "Extra inputs are not permitted"),
    (lambda r: r.update(honeypot="subject"), "clashes"),
])
def test_invalid_definitions_are_refused_with_a_reason(raw, mutate, words):
    mutate(raw)
    with pytest.raises(ValidationError, match=words):
        FormDefinition.model_validate(raw)


def valid(**changes):
    data = {"email": "Ann@Example.com", "product": "planner", "type": "question",
            "subject": "  Hello  ", "description": "\nText\n"}
    data.update(changes)
    return data


def test_submission_is_cleaned(raw):
    form = FormDefinition.model_validate(raw)
    clean = form.validate_submission(valid(users_affected="7", occurred_at="2026-11-25T14:03:59"),
                                     PRODUCTS)
    assert clean == {"email": "Ann@example.com", "product": "planner", "type": "question",
                     "subject": "Hello", "description": "Text", "users_affected": 7,
                     "occurred_at": "2026-11-25T14:03", "language": "en"}


def test_empty_optional_fields_are_left_out(raw):
    form = FormDefinition.model_validate(raw)
    clean = form.validate_submission(valid(steps="", environment="  ", homepage=""), PRODUCTS)
    assert "steps" not in clean and "environment" not in clean


@pytest.mark.parametrize("subject, stored", [
    ("a\x00b", "ab"),
    ("Export\r\nBcc: eve@example.com", "ExportBcc: eve@example.com"),
    ("\x1b[31mred\x1b[0m\x07\x7f", "[31mred[0m"),
    ("invoice\u202egpj.exe", "invoicegpj.exe"),
    ("\u2066isolated\u2069 \x85next", "isolated next"),
    ("Cafe\u0301", "Caf\u00e9"),  # NFC: one é, as typed on another keyboard.
])
def test_single_line_fields_lose_controls_and_bidi_overrides(raw, subject, stored):
    form = FormDefinition.model_validate(raw)
    assert form.validate_submission(valid(subject=subject), PRODUCTS)["subject"] == stored


def test_multi_line_fields_keep_lines_and_tabs_but_lose_other_controls(raw):
    form = FormDefinition.model_validate(raw)
    clean = form.validate_submission(
        valid(description="\r\nline 1\r\n\tline 2\rline 3\x00\x1b\u202e\n"), PRODUCTS)
    assert clean["description"] == "line 1\n\tline 2\nline 3"


@pytest.mark.parametrize("subject", ["\u200b\u200c\u200d", "\ufeff \u2800", "\x1b\u202e\r\n"])
def test_a_subject_with_no_visible_character_is_refused(raw, subject):
    form = FormDefinition.model_validate(raw)
    with pytest.raises(ValidationFailed) as exc:
        form.validate_submission(valid(subject=subject), PRODUCTS)
    [error] = exc.value.errors
    assert error.field == "subject"
    assert "visible" in error.message or "required" in error.message
