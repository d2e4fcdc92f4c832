"""Sizes, dates and times as a page's language writes them, in the business calendar's
time zone (the workflow's calendar: Europe/Amsterdam for the demo), not the server's."""

from __future__ import annotations

from datetime import datetime, timezone, tzinfo

from jinja2 import pass_context

from loket.domain.attachments import MiB
from loket.locale import NP_, N_, decimal_mark, gettext_in, pgettext_in

MONTHS = (NP_("month abbreviation", "Jan"), NP_("month abbreviation", "Feb"),
          NP_("month abbreviation", "Mar"), NP_("month abbreviation", "Apr"),
          NP_("month abbreviation", "May"), NP_("month abbreviation", "Jun"),
          NP_("month abbreviation", "Jul"), NP_("month abbreviation", "Aug"),
          NP_("month abbreviation", "Sep"), NP_("month abbreviation", "Oct"),
          NP_("month abbreviation", "Nov"), NP_("month abbreviation", "Dec"))
DATE = N_("{day} {month} {year}")
DATETIME = N_("{date}, {time} {zone}")


def format_size(size: int, lang: str) -> str:
    """1.5 MB in English, 1,5 MB in Dutch (kB and bytes have no decimals)."""
    if size >= MiB:
        return f"{size / MiB:.1f}".replace(".", decimal_mark(lang)) + " MB"
    if size >= 1024:
        return f"{size / 1024:.0f} kB"
    return gettext_in(lang, "{count} bytes").format(count=size)


def format_date(moment: datetime, lang: str, zone: tzinfo) -> str:
    """1 Dec 2026 / 1 dec. 2026 / 1. Dez. 2026, the day in the business calendar's zone."""
    local = _local(moment, zone)
    month = pgettext_in(lang, *MONTHS[local.month - 1])
    return gettext_in(lang, DATE).format(day=local.day, month=month, year=local.year)


def format_datetime(moment: datetime, lang: str, zone: tzinfo) -> str:
    """1 Dec 2026, 14:05 CET / 1 dec. 2026 14:05 CET: 24-hour clock, zone named."""
    local = _local(moment, zone)
    return gettext_in(lang, DATETIME).format(date=format_date(moment, lang, zone),
                                             time=f"{local:%H:%M}", zone=local.tzname())


def _local(moment: datetime, zone: tzinfo) -> datetime:
    if moment.tzinfo is None:  # Stored moments are UTC.
        moment = moment.replace(tzinfo=timezone.utc)
    return moment.astimezone(zone)


def business_zone() -> tzinfo:
    """The workflow calendar's zone when a request's services are at hand; UTC for the
    site build, which shows no moments."""
    from flask import has_app_context

    if not has_app_context():
        return timezone.utc
    from loket.web.current import services

    return services().config.workflow.calendar.zone


# Jinja filters: the template's `lang` decides the format.
@pass_context
def size_filter(context, size: int) -> str:
    return format_size(size, context.get("lang", "en"))


@pass_context
def date_filter(context, moment: datetime) -> str:
    return format_date(moment, context.get("lang", "en"), business_zone())


@pass_context
def datetime_filter(context, moment: datetime) -> str:
    return format_datetime(moment, context.get("lang", "en"), business_zone())
