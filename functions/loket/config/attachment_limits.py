"""portal.yml `attachments:` validated with pydantic (when the configuration is read
from its files); the request path gets a FrozenAttachmentLimits (domain/attachments.py)."""

from __future__ import annotations

from typing import Annotated

from pydantic import (AfterValidator, BaseModel, ConfigDict, Field, field_validator,
                      model_validator)

from loket.domain.attachments import ACTIVE_TYPES, DEFAULT_TYPES, MiB, _TYPE


def _inert_type(name: str) -> str:
    if not _TYPE.match(name):
        raise ValueError(f"'{name}' is not a content type like image/png")
    if name in ACTIVE_TYPES:
        raise ValueError(f"'{name}' can run scripts in a browser; it is never accepted")
    return name


# Checked one by one, so an error names the item (and its line in portal.yml).
ContentType = Annotated[str, AfterValidator(_inert_type)]


class AttachmentLimits(BaseModel):
    """portal.yml `attachments:`: what a customer or agent may attach."""

    # defer_build: the validator is built on first use, so a cold start that loads the
    # precompiled configuration (loket.config.compiled) never builds it.
    model_config = ConfigDict(extra="forbid", defer_build=True)
    max_file_bytes: int = Field(default=25 * MiB, gt=0)
    max_files_per_message: int = Field(default=10, gt=0, le=100)
    max_bytes_per_ticket: int = Field(default=100 * MiB, gt=0)
    # What one client address may upload ahead of its messages in a day (UTC), so no
    # one parks gigabytes in uploads that are never attached.
    max_upload_bytes_per_address_per_day: int = Field(default=500 * MiB, gt=0)
    allowed_types: list[ContentType] = Field(default_factory=lambda: list(DEFAULT_TYPES),
                                             min_length=1)

    @field_validator("allowed_types")
    @classmethod
    def _listed_once(cls, types: list[str]) -> list[str]:
        if len(types) != len(set(types)):
            raise ValueError("content types must be listed once each")
        return types

    @model_validator(mode="after")
    def _file_fits_ticket(self) -> "AttachmentLimits":
        if self.max_file_bytes > self.max_bytes_per_ticket:
            raise ValueError("max_file_bytes must not be larger than max_bytes_per_ticket")
        if self.max_file_bytes > self.max_upload_bytes_per_address_per_day:
            raise ValueError("max_file_bytes must not be larger than "
                             "max_upload_bytes_per_address_per_day")
        return self
