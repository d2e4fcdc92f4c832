"""Schemathesis's engine over the app, in-process: the cases the served OpenAPI document
yields (examples, boundary values, random and schema-breaking ones, then sequences that
follow its links), every check on. Shared by tests/api/test_fuzz.py and bench/api_fuzz.py."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime

import schemathesis
import yaml
from hypothesis import strategies as st
from schemathesis.config import HealthCheck
from schemathesis.engine import events, from_schema

from loket.web.openapi import LOCAL_DATETIME

# Fixed, so every run sends the same cases and CI is stable.
SEED = 14

# The ticket form's datetime field: local time as a datetime-local input sends it.
schemathesis.openapi.format(LOCAL_DATETIME, st.datetimes(
    min_value=datetime(1970, 1, 1), max_value=datetime(2099, 12, 31)).map(
    lambda moment: moment.strftime("%Y-%m-%dT%H:%M")))
# Addresses mail can reach: JSON Schema's "email" format also allows domains that are
# reserved and never deliver (.example, .invalid, .local), which Loket rightly refuses.
schemathesis.openapi.format("email", st.from_regex(
    r"\A[a-z0-9]{1,20}(\.[a-z0-9]{1,10})?@[a-z][a-z0-9]{0,15}\.(com|org|nl|eu)\Z"))


@dataclass
class FuzzRun:
    cases: int = 0
    statuses: Counter = field(default_factory=Counter)
    failures: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    @property
    def server_errors(self) -> int:
        return sum(n for status, n in self.statuses.items() if status >= 500)


def fuzz(app, *, max_examples: int) -> FuzzRun:
    """Run every phase over every operation of the app's served document."""
    document = yaml.safe_load(app.test_client().get("/api/openapi.yaml").data)
    schema = schemathesis.openapi.from_dict(without_uploads(document))
    schema.app = app
    # The upload form's own endpoint takes the signed token and exactly the bytes the
    # previous answer announced: tests/api/test_attachments.py posts real files there.
    schema = schema.exclude(operation_id="receiveUpload")
    schema.config.seed = SEED
    schema.config.generation.update(max_examples=max_examples, deterministic=True)
    schema.config.checks.update(included_check_names=["all"])
    # Generation speed depends on the machine's load, not on the API: never a failure.
    schema.config.update(suppress_health_check=[HealthCheck.all])
    run = FuzzRun()
    for event in from_schema(schema).execute():
        if isinstance(event, events.ScenarioFinished):
            _count(run, event)
        elif isinstance(event, (events.NonFatalError, events.FatalError)):
            run.errors.append(str(getattr(event, "info", event)))
    return run


def _count(run: FuzzRun, event) -> None:
    for interaction in event.recorder.interactions.values():
        run.cases += 1
        if interaction.response is not None:
            run.statuses[interaction.response.status_code] += 1
    for checks in event.recorder.checks.values():
        for check in checks:
            if check.failure_info is not None:
                failure = check.failure_info.failure
                run.failures.append(f"{event.label}: {check.name}: {failure.title}\n"
                                    f"{failure.message}\n{check.failure_info.code_sample}")


def without_uploads(document: dict) -> dict:
    """The document as the fuzzer may use it. Upload ids name files uploaded before: the
    fuzzer cannot know any, and a made-up one is rightly refused (422), so it is told
    that none exist (JSON: an empty list; a form post: no attachments entry at all).
    tests/api/test_attachments.py covers real uploads."""
    schemas = document["components"]["schemas"]
    schemas["TicketSubmission"]["properties"]["attachments"]["maxItems"] = 0
    del schemas["TicketForm"]["properties"]["attachments"]
    message = document["paths"]["/api/tickets/{number}/messages"]["post"]["requestBody"]
    message["content"]["application/json"]["schema"]["properties"]["attachments"]["maxItems"] = 0
    return document
