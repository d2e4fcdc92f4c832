"""The form definition: what a valid one looks like, and how it judges submissions."""

from __future__ import annotations

import copy

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from loket.domain import forms
from loket.domain.errors import FieldError, ValidationFailed
from loket.domain.forms import FormDefinition, FrozenChoice, FrozenField, FrozenForm, Labels
from loket.domain.text import has_visible_character, multi_line, single_line
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


# -- Property: the rules worked out once per form against validation as it was ---------
#
# validate_submission, json_type_errors and attachments read a table made once per form
# object (forms._rules_of). The reference oracle below is validation as it stood before
# (4333025^): everything read from the form on each call, a products choice's values
# built from the products given. Forms are drawn anew and interleaved (equal copies,
# changed copies, more forms than the table keeps), so a table kept for another form,
# or for other products, would show.

def _oracle_clean_value(spec, raw, choices) -> object:
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        if spec.required:
            raise ValueError("is required")
        return None
    if spec.type == "integer":
        return forms._clean_integer(spec, raw)
    if not isinstance(raw, str):
        raise ValueError("must be text")
    typed = len(raw.replace("\r\n", "\n"))
    if spec.max_length is not None and typed > spec.max_length:
        raise ValueError(f"is too long ({typed} characters; at most {spec.max_length})")
    value = multi_line(raw) if spec.type == "textarea" else single_line(raw)
    if not has_visible_character(value):
        if spec.required:
            raise ValueError("has no visible character: write some text")
        return None
    if spec.type == "email":
        return forms._clean_email(value)
    if spec.type == "choice":
        allowed = [c.value for c in choices]
        if value not in allowed:
            raise ValueError(f"must be one of: {', '.join(allowed)}")
    if spec.type == "datetime":
        return forms._clean_datetime(value)
    return value


def _oracle_validate(form, data, products) -> dict:
    errors = []
    known = {f.name for f in form.fields} | forms.RESERVED_KEYS | {form.honeypot}
    errors += [FieldError(k, "unknown field") for k in data if k not in known]
    if data.get(form.honeypot) not in (None, ""):
        errors.append(FieldError(form.honeypot, "must be left empty"))
    clean = {}
    for spec in form.fields:
        if spec.type == "attachments":
            continue
        choices = ([FrozenChoice(value=pid, label=name) for pid, name in products.items()]
                   if spec.choices == "products" else list(spec.choices or [])
                   ) if spec.type == "choice" else []
        try:
            value = _oracle_clean_value(spec, data.get(spec.name), choices)
        except ValueError as exc:
            errors.append(FieldError(spec.name, str(exc)))
            continue
        if value is not None:
            clean[spec.name] = value
    clean["language"] = forms._clean_language(data.get("language"), errors)
    if errors:
        raise ValidationFailed(errors)
    return clean


def _oracle_json_type_errors(form, data) -> list:
    return [FieldError(f.name, "must be a whole number (a JSON number, not text)")
            for f in form.fields if f.type == "integer" and isinstance(data.get(f.name), str)]


def _choices(*values):
    return [FrozenChoice(v, v) for v in values]


_FIELD_POOL = [
    FrozenField("email", "email", "E", required=True, max_length=254),
    FrozenField("product", "choice", "P", required=True, choices="products"),
    FrozenField("type", "choice", "T", required=True, choices=_choices("question", "incident")),
    FrozenField("type", "choice", "T", required=True, choices=_choices("incident", "change")),
    FrozenField("subject", "text", "S", required=True, max_length=20),
    FrozenField("subject", "text", "S", required=True, max_length=200),
    FrozenField("description", "textarea", "D", required=True, max_length=30),
    FrozenField("description", "textarea", "D", required=False),
    FrozenField("users", "integer", "U", min=1, max=100),
    FrozenField("users", "text", "U"),
    FrozenField("when", "datetime", "W"),
    FrozenField("env", "choice", "E", choices=_choices("production", "test")),
    FrozenField("env", "choice", "E", choices=[]),
    FrozenField("attachments", "attachments", "A"),
    FrozenField("count", "integer", "C", required=True),
]


@st.composite
def _forms(draw):
    specs = draw(st.lists(st.sampled_from(_FIELD_POOL), max_size=8,
                          unique_by=lambda spec: spec.name))
    honeypot = draw(st.sampled_from(["homepage", "website", "users"]))
    return FrozenForm(honeypot=honeypot, fields=specs)


_PRODUCT_SETS = [{"planner": "Planner"}, {"planner": "P", "ledger": "L"}, {}, {"ledger": "L"}]
_values = st.one_of(
    st.none(), st.booleans(), st.integers(-5, 200), st.sampled_from([7.0, 7.5, float("inf")]),
    st.sampled_from(["", "  ", "\r\n", "7", " 42 ", "x" * 20, "x" * 21, "a\r\n" * 10 + "a",
                     "a\r\n" * 15, "question", "incident", "change", "production", "test",
                     "planner", "ledger", "Ann@Example.com", "not an address",
                     "2026-11-25T14:03:59", "2026-02-30T10:00", "\u200b", "Cafe\u0301",
                     "\x1b[31m\u202eexe", "\ud800", "\u2028x\u2029", "nl", "en", "xx"]),
    st.text(max_size=25), st.lists(st.integers(), max_size=2))
_data = st.dictionaries(
    st.sampled_from([f.name for f in _FIELD_POOL] + ["language", "homepage", "website",
                                                     "colour"]), _values, max_size=9)


def _judged(call):
    try:
        return "clean", list(call().items())
    except ValidationFailed as exc:
        return "refused", exc.errors


@settings(derandomize=True, max_examples=200, deadline=None)
@given(st.lists(st.tuples(_forms(), st.integers(0, 3), _data, st.sampled_from(_PRODUCT_SETS)),
                min_size=1, max_size=6))
def test_validation_gives_what_the_former_validation_gave(rounds):
    made = []
    for form, again, data, products in rounds:
        # Now and then the form of an earlier round again, or an equal copy of it.
        if made and again:
            form = made[again % len(made)] if again != 3 else FrozenForm(
                made[-1].honeypot, list(made[-1].fields))
        made.append(form)
        assert _judged(lambda: form.validate_submission(data, products)) == \
            _judged(lambda: _oracle_validate(form, data, products))
        assert form.json_type_errors(data) == _oracle_json_type_errors(form, data)
        assert form.attachments == next((f for f in form.fields if f.type == "attachments"),
                                        None)


def test_more_forms_than_the_table_keeps_are_each_judged_by_their_own_fields():
    # Past forms._MAX_RULES the table starts again; every form is still its own.
    made = [FrozenForm("homepage", [FrozenField("subject", "text", "S", required=True,
                                                max_length=n + 1)])
            for n in range(forms._MAX_RULES * 2 + 3)]
    for _ in range(2):
        for n, form in enumerate(made):
            assert form.validate_submission({"subject": "x" * (n + 1)}, {}) == {
                "subject": "x" * (n + 1), "language": "en"}
            with pytest.raises(ValidationFailed, match="too long"):
                form.validate_submission({"subject": "x" * (n + 2)}, {})


_SHIPPED = yaml.safe_load((SITE_CONFIG / "forms" / "ticket.yml").read_text())
_shipped_data = st.dictionaries(
    st.sampled_from([f["name"] for f in _SHIPPED["fields"]] + ["language", "homepage",
                                                               "colour"]),
    st.one_of(_values, st.sampled_from(["change-request", "problem-report", "acceptance",
                                        "2026-11-25T14:03", "1e3", "-1"])), max_size=12)


@settings(derandomize=True, max_examples=80, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(["pydantic", "frozen", "same"]), _shipped_data,
                          st.sampled_from(_PRODUCT_SETS)), min_size=1, max_size=4))
def test_the_shipped_form_judges_as_the_former_validation_did(rounds):
    # The shipped form as the app uses it: the pydantic model (configuration read from
    # its files) and its frozen twin (precompiled), made anew or the same object again.
    from loket.config.frozen import freeze

    form = None
    for kind, data, products in rounds:
        if kind != "same" or form is None:
            form = FormDefinition.model_validate(_SHIPPED)
            form = freeze(form) if kind == "frozen" else form
        assert _judged(lambda: form.validate_submission(data, products)) == \
            _judged(lambda: _oracle_validate(form, data, products))
        assert form.json_type_errors(data) == _oracle_json_type_errors(form, data)
