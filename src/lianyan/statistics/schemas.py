"""Response bodies of ``GET /api/v1/statistics`` (docs/statistics.md says what each counts)."""

from __future__ import annotations

from lianyan.schemas import Output


class Figures(Output, kw_only=True):
    """The six figures of one county, one month or the whole scope."""

    activities: int
    exchanges: int
    designs: int
    comments: int
    topics: int
    pairings: int


class CountyFigures(Figures, kw_only=True):
    """One county's figures, with its kindergartens that took part in no exchange."""

    county_id: int
    county_name: str
    idle_kindergartens: int
    idle_rural: int


class ZoneFigures(Figures, kw_only=True):
    """One zone's figures (when the scope is one county, or zones of it)."""

    zone_id: int
    zone_name: str
    idle_kindergartens: int
    idle_rural: int


class MonthFigures(Figures, kw_only=True):
    """One month of the year (1–12, city time)."""

    month: int


class IdleKindergarten(Output, kw_only=True):
    """A kindergarten that has taken part in no exchange held this year."""

    id: int
    name: str
    locale: str
    locale_name: str
    county_id: int
    county_name: str
    zone_id: int | None
    zone_name: str | None


class IdleList(Output, kw_only=True):
    """One page of the kindergartens without an exchange (乡村 first)."""

    items: list[IdleKindergarten]
    total: int
    rural: int


class StatisticsOut(Output, kw_only=True):
    """The year's figures of the caller's scope: by county, by month and in total."""

    year: int
    scope_name: str
    county_id: int | None
    zone_id: int | None
    #: The moment the figures were read (exchanges count once held by then).
    as_of: str
    totals: Figures
    #: ``county``: the charts compare ``counties``; ``zone``: the scope is one county and the
    #: charts compare its ``zones`` (``counties`` then holds that county's totals).
    by: str
    counties: list[CountyFigures]
    zones: list[ZoneFigures]
    months: list[MonthFigures]
    not_participating: IdleList
