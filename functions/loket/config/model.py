"""The shape of site_config/portal.yml, validated with pydantic."""

from __future__ import annotations

from dataclasses import dataclass

from pydantic import BaseModel, ConfigDict, Field, model_validator

from loket.domain.forms import FormDefinition, Labels
from loket.domain.tickets import Status, StatusCategory


class ProductConfig(BaseModel):
    model_config = ConfigDict(extra="forbid")
    id: str = Field(pattern=r"^[a-z0-9][a-z0-9-]*$")
    name: Labels


class StatusConfig(BaseModel):
    model_config = ConfigDict(extra="forbid")
    id: str = Field(pattern=r"^[a-z0-9][a-z0-9-]*$")
    category: StatusCategory
    label: Labels


class SubmissionLimits(BaseModel):
    model_config = ConfigDict(extra="forbid")
    per_hour: int = Field(default=20, gt=0)
    per_day: int = Field(default=240, gt=0)
    max_body_bytes: int = Field(default=64 * 1024, gt=1024)


class PortalFile(BaseModel):
    model_config = ConfigDict(extra="forbid")
    vendor: str
    first_ticket_number: int = Field(default=10001, gt=0)
    ticket_form: str = "forms/ticket.yml"
    products: list[ProductConfig] = Field(min_length=1)
    statuses: list[StatusConfig] = Field(min_length=1)
    initial_status: str
    submissions: SubmissionLimits = SubmissionLimits()

    @model_validator(mode="after")
    def _consistent(self) -> "PortalFile":
        for kind, ids in (("product", [p.id for p in self.products]),
                          ("status", [s.id for s in self.statuses])):
            if len(ids) != len(set(ids)):
                raise ValueError(f"{kind} ids must be unique")
        if self.initial_status not in {s.id for s in self.statuses}:
            raise ValueError(f"initial_status '{self.initial_status}' is not a listed status")
        return self


@dataclass(frozen=True)
class PortalConfig:
    """Everything site_config/ says, validated and joined up."""

    vendor: str
    first_ticket_number: int
    products: dict[str, Labels]
    statuses: dict[str, Status]
    initial_status: str
    submissions: SubmissionLimits
    form: FormDefinition

    @classmethod
    def assemble(cls, portal: PortalFile, form: FormDefinition) -> "PortalConfig":
        statuses = {s.id: Status(s.id, s.category, s.label.model_dump())
                    for s in portal.statuses}
        return cls(vendor=portal.vendor, first_ticket_number=portal.first_ticket_number,
                   products={p.id: p.name for p in portal.products}, statuses=statuses,
                   initial_status=portal.initial_status, submissions=portal.submissions,
                   form=form)

    def status(self, status_id: str) -> Status:
        return self.statuses[status_id]
