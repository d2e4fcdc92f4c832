"""Sizes and moments as the page's language writes them, in the business time zone."""

from datetime import datetime, timezone
from zoneinfo import ZoneInfo

from loket.web.formats import format_date, format_datetime, format_size

AMSTERDAM = ZoneInfo("Europe/Amsterdam")


def test_sizes_use_the_languages_decimal_mark():
    assert format_size(25 * 1024 * 1024, "en") == "25.0 MB"
    assert format_size(int(1.5 * 1024 * 1024), "nl") == "1,5 MB"
    assert format_size(230 * 1024, "nl") == "230 kB"
    assert format_size(12, "en") == "12 bytes"


def test_moments_are_shown_in_the_business_calendars_zone():
    late = datetime(2026, 12, 31, 23, 30, tzinfo=timezone.utc)  # 00:30 on 1 January there.
    assert format_datetime(late, "en", AMSTERDAM) == "1 Jan 2027, 00:30 CET"
    assert format_datetime(late, "nl", AMSTERDAM) == "1 jan. 2027 00:30 CET"
    assert format_date(late, "nl", AMSTERDAM) == "1 jan. 2027"


def test_summer_time_and_stored_naive_moments_count_as_utc():
    summer = datetime(2026, 7, 1, 12, 0)
    assert format_datetime(summer, "en", AMSTERDAM) == "1 Jul 2026, 14:00 CEST"
    assert format_datetime(summer, "en", timezone.utc) == "1 Jul 2026, 12:00 UTC"
