"""The days a business calendar is closed: a country's public holidays and extra days.

Its own module, without pydantic, because the precompiled configuration pickles a
ClosedDays: loading it then imports this module, not the workflow file's models.
"""

from __future__ import annotations

from datetime import date


class ClosedDays:
    """Public holidays of a country plus extra closing days.

    The `holidays` package takes a fifth of a second to load a country, so it is loaded
    on the first question, not when the configuration is read: a request that never
    asks about working time (most of them) never pays for it. `check()` loads it at
    once, for `loket check-config` and the sweeper.
    """

    # A pickled ClosedDays (the precompiled configuration the Lambda zip carries,
    # loket.config.compiled) holds the public holidays of the years from last year to
    # this many years ahead, worked out when it is pickled: a cold start that asks
    # about those years never loads the package (about 45 modules). Other years load it.
    YEARS_AHEAD = 5

    def __init__(self, country: str | None, subdivision: str | None, extra: frozenset[date]):
        self.country, self.subdivision, self.extra = country, subdivision, extra
        self._public = None
        self._known: dict[int, tuple[date, ...]] = {}  # year -> its public holidays

    def __contains__(self, day: object) -> bool:
        if day in self.extra:
            return True
        if self.country is None:
            return False
        known = self._known.get(day.year) if isinstance(day, date) else None
        return day in (known if known is not None else self.public())

    def __getstate__(self) -> dict:
        state = {**self.__dict__, "_public": None}  # The package's object stays behind.
        if self.country is not None:
            public, this_year = self.public(), date.today().year
            years = range(this_year - 1, this_year + self.YEARS_AHEAD + 1)
            for year in years:
                public.get(date(year, 1, 1))  # Makes the package work that year out.
            # Sorted tuples, not sets: a set of dates pickles in an order that changes
            # from one process to the next, and the zip must build byte for byte alike.
            state["_known"] = {year: tuple(sorted(d for d in public if d.year == year))
                               for year in years}
        return state

    def public(self):
        if self._public is None:
            import holidays

            self._public = holidays.country_holidays(self.country, subdiv=self.subdivision)
        return self._public

    def check(self) -> None:
        """Load the country's holidays now; raise ValueError if it has none to load."""
        if self.country is not None:
            try:
                self.public()
            except NotImplementedError:  # What `holidays` raises for an unknown code.
                raise ValueError(f"the holidays package knows no country '{self.country}'"
                                 + (f" with subdivision '{self.subdivision}'"
                                    if self.subdivision else "")) from None

    def names(self, year: int) -> dict[date, str]:
        """The closed days of a year with their names, for `loket check-config`."""
        found = {day: "closed" for day in self.extra if day.year == year}
        if self.country is not None:
            public = self.public()
            public.get(date(year, 1, 1))  # Makes the package work that year out.
            found.update((d, n) for d, n in public.items() if d.year == year)
        return dict(sorted(found.items()))
