"""The statistics of a year for the caller's scope, its charts and their downloads.

Reads only: the figures come from ``queries`` (a fixed number of grouped queries), the scope
from ``access.resolve``. Refusals carry stable codes and Chinese details (docs/statistics.md).
"""

from __future__ import annotations

import msgspec

from lianyan import clock, labels
from lianyan.errors import InvalidInput, NotFound
from lianyan.principal import Principal
from lianyan.statistics import access, queries
from lianyan.statistics import schemas as s
from lianyan.statistics.charts import Chart, Series, render
from lianyan.statistics.export import table_workbook

#: How many years back the statistics go (and one ahead, for plans filed early).
YEARS_BACK = 10

METRIC_NAMES = {
    "activities": "备案活动",
    "exchanges": "同研异构活动",
    "designs": "教学设计",
    "comments": "专家点评",
    "topics": "课题申报",
    "pairings": "城乡结对组",
}

#: The counting rules as the page and the xlsx state them.
RULES = (
    "备案活动：市教育局已受理（备案）的年度备案中已报送的活动（草稿、待审核和退回的不计），按活动开始日期计入月份；"
    "同研异构活动：截至统计时已举行的活动，每次计一次，县区按其幼儿园参加的活动计（一次活动可计入多个县区）；"
    "教学设计：已举行活动中至少上传过一版的设计；专家点评：已举行活动中专家的点评（教师回复不计），"
    "二者按活动举行的月份计；课题申报：本年首次提交申报的课题，按提交月份计（退回为草稿或已撤销的不计）；"
    "城乡结对组：已举行活动中城区园与镇区、乡村园同组的组数。月份按北京时间。"
)

#: The idle-kindergarten table's downloadable key (not a chart).
IDLE_KEY = "not-participating"


def year_range() -> tuple[int, int]:
    """The years one may ask for: ten back from this year, and the next."""
    this_year = clock.today().year
    return this_year - YEARS_BACK, this_year + 1


def check_year(year: int | None) -> int:
    """``year``, or this year when absent; ``statistics.year_out_of_range`` outside the range."""
    first, last = year_range()
    if year is None:
        return clock.today().year
    if not first <= year <= last:
        raise InvalidInput("statistics.year_out_of_range",
                           f"年度应为{first}至{last}年之间的整数。", field="year")
    return year


def parse_year(text: str | None) -> int:
    """A year typed in a form: blank means this year; anything else must be a year in range."""
    text = (text or "").strip()
    if not text:
        return check_year(None)
    if not text.isdigit() or len(text) > 6:
        first, last = year_range()
        raise InvalidInput("statistics.year_out_of_range",
                           f"年度应为{first}至{last}年之间的整数。", field="year")
    return check_year(int(text))


def _figures(counts: dict[str, int]) -> s.Figures:
    return s.Figures(**{m: counts.get(m, 0) for m in queries.METRICS})


async def statistics(actor: Principal, *, year: int | None, county_id: int | None = None,
                     zone_id: int | None = None, city_name: str, limit: int = 100,
                     offset: int = 0) -> s.StatisticsOut:
    """The year's figures of the caller's scope (narrowed to ``county_id``/``zone_id``)."""
    year = check_year(year)
    scope = await access.resolve(actor, city_name=city_name, county_id=county_id,
                                 zone_id=zone_id)
    now = clock.now()
    found = await queries.figures(year, county_ids=scope.county_ids, zone_ids=scope.zone_ids,
                                  now=now)
    idle = await queries.idle_kindergartens(year, county_ids=scope.county_ids,
                                            zone_ids=scope.zone_ids, now=now, limit=limit,
                                            offset=offset)
    metrics = found.metrics
    totals = _figures({m: metrics[m].total for m in queries.METRICS})
    idle_total = sum(found.idle_total.values())
    idle_rural = found.idle_total.get("rural", 0)

    def unit_figures(unit_id: int) -> dict[str, int]:
        by_locale = found.idle_by_unit.get(unit_id, {})
        return {"idle_kindergartens": sum(by_locale.values()),
                "idle_rural": by_locale.get("rural", 0),
                **{m: metrics[m].by_unit.get(unit_id, 0) for m in queries.METRICS}}

    zones: list[s.ZoneFigures] = []
    if found.by == "zone":
        zones = [s.ZoneFigures(zone_id=z["id"], zone_name=z["name"], **unit_figures(z["id"]))
                 for z in found.units]
        counties = [s.CountyFigures(county_id=c["id"], county_name=c["name"],
                                    idle_kindergartens=idle_total, idle_rural=idle_rural,
                                    **msgspec.structs.asdict(totals))
                    for c in found.counties]
    else:
        counties = [s.CountyFigures(county_id=c["id"], county_name=c["name"],
                                    **unit_figures(c["id"]))
                    for c in found.counties]
    months = [s.MonthFigures(month=m + 1, **{k: metrics[k].by_month[m] for k in queries.METRICS})
              for m in range(12)]
    return s.StatisticsOut(
        year=year, scope_name=scope.name, county_id=scope.county_id, zone_id=scope.zone_id,
        as_of=clock.local(now).isoformat(timespec="seconds"), totals=totals, by=found.by,
        counties=counties, zones=zones, months=months,
        not_participating=s.IdleList(items=[_idle(r) for r in idle], total=idle_total,
                                     rural=idle_rural),
    )


def _idle(row: dict[str, object]) -> s.IdleKindergarten:
    return msgspec.convert({**row, "locale_name": labels.LOCALE.get(str(row["locale"]), "")},
                           s.IdleKindergarten)


def charts(stats: s.StatisticsOut) -> list[Chart]:
    """The charts of the statistics page, in page order."""
    units: list[s.CountyFigures] | list[s.ZoneFigures] = stats.zones if stats.by == "zone" \
        else stats.counties
    names = tuple(u.zone_name if isinstance(u, s.ZoneFigures) else u.county_name for u in units)
    unit = "责任区" if stats.by == "zone" else "县（市、区）"
    months = tuple(f"{m.month}月" for m in stats.months)
    where = stats.scope_name

    def by_county(*metrics: str) -> tuple[Series, ...]:
        return tuple(Series(METRIC_NAMES[m], tuple(getattr(u, m) for u in units))
                     for m in metrics)

    def by_month(*metrics: str) -> tuple[Series, ...]:
        return tuple(Series(METRIC_NAMES[m], tuple(getattr(x, m) for x in stats.months))
                     for m in metrics)

    def total(*metrics: str) -> tuple[int, ...]:
        return tuple(getattr(stats.totals, m) for m in metrics)

    def said(series: tuple[Series, ...], totals: tuple[int, ...]) -> str:
        return "；".join(f"{x.name}共{n}" for x, n in zip(series, totals, strict=True))

    work = by_county("activities", "exchanges", "topics")
    designs = by_county("designs", "comments")
    monthly = by_month("activities", "exchanges", "topics", "pairings")
    monthly_designs = by_month("designs", "comments")
    pairing = (*by_county("pairings"),
               Series("未参与交流的乡村园", tuple(u.idle_rural for u in units)))
    return [
        Chart("counties", f"{stats.year}年各{unit}教研活动", f"{where}，按{unit}："
              f"{said(work, total('activities', 'exchanges', 'topics'))}"
              f"（一次同研异构活动可计入多个{'责任区' if stats.by == 'zone' else '县区'}）。",
              "bars", unit, names, work, totals=total("activities", "exchanges", "topics")),
        Chart("counties-designs", f"{stats.year}年各{unit}教学设计与专家点评",
              f"{where}，按{unit}：{said(designs, total('designs', 'comments'))}。", "bars",
              unit, names, designs, totals=total("designs", "comments")),
        Chart("months", f"{stats.year}年各月教研活动", f"{where}，按月份："
              f"{said(monthly, total('activities', 'exchanges', 'topics', 'pairings'))}。",
              "columns", "月份", months, monthly),
        Chart("months-designs", f"{stats.year}年各月教学设计与专家点评",
              f"{where}，按月份：{said(monthly_designs, total('designs', 'comments'))}。", "lines",
              "月份", months, monthly_designs),
        Chart("pairings", f"{stats.year}年城乡结对与未参与交流的乡村园",
              f"{where}，按{unit}：城乡结对共{stats.totals.pairings}组；"
              f"尚未参与任何同研异构活动的乡村园{stats.not_participating.rural}所。", "bars",
              unit, names, pairing,
              totals=(stats.totals.pairings, stats.not_participating.rural)),
    ]


def chart_svg(chart: Chart) -> str:
    """The chart's standalone SVG document."""
    return render(chart)


def _pick(stats: s.StatisticsOut, key: str) -> Chart:
    chart = next((c for c in charts(stats) if c.key == key), None)
    if chart is None:
        raise NotFound("statistics.chart_not_found", "没有这个统计图。")
    return chart


def _file_stem(stats: s.StatisticsOut, title: str) -> str:
    cleaned = "".join("_" if c in '/\\:*?"<>|' else c for c in f"{stats.scope_name}-{title}")
    return cleaned[:120]


async def download_svg(actor: Principal, key: str, *, year: int | None, county_id: int | None,
                       zone_id: int | None, city_name: str) -> tuple[str, str]:
    """(file name, SVG text) of one chart."""
    stats = await statistics(actor, year=year, county_id=county_id, zone_id=zone_id,
                             city_name=city_name, limit=0)
    chart = _pick(stats, key)
    return f"{_file_stem(stats, chart.title)}.svg", chart_svg(chart)


async def download_xlsx(actor: Principal, key: str, *, year: int | None, county_id: int | None,
                        zone_id: int | None, city_name: str) -> tuple[str, bytes]:
    """(file name, xlsx bytes) of one chart's table, or of the not-participating list."""
    if key == IDLE_KEY:
        stats = await statistics(actor, year=year, county_id=county_id, zone_id=zone_id,
                                 city_name=city_name, limit=0)
        scope = await access.resolve(actor, city_name=city_name, county_id=county_id,
                                     zone_id=zone_id)
        rows = await queries.idle_kindergartens(stats.year, county_ids=scope.county_ids,
                                                zone_ids=scope.zone_ids, now=clock.now(),
                                                limit=None)
        title = f"{stats.year}年尚未参与同研异构活动的幼儿园"
        body = [[i, r["name"], labels.LOCALE.get(r["locale"], r["locale"]), r["county_name"],
                 r["zone_name"] or "未划入责任区"] for i, r in enumerate(rows, start=1)]
        data = table_workbook(
            title=f"{stats.scope_name}{title}", sheet_title="未参与交流的幼儿园",
            header=["序号", "幼儿园", "城乡", "县（市、区）", "责任区"], rows=body,
            note=f"截至{stats.as_of[:10]}，本年尚未参加任何已举行的同研异构活动的幼儿园，乡村园在前。")
        return f"{_file_stem(stats, title)}.xlsx", data
    stats = await statistics(actor, year=year, county_id=county_id, zone_id=zone_id,
                             city_name=city_name, limit=0)
    chart = _pick(stats, key)
    table: list[list[object]] = [[category, *(x.values[i] for x in chart.series)]
                                 for i, category in enumerate(chart.categories)]
    table.append(["合计", *chart.total_row()])
    data = table_workbook(title=f"{stats.scope_name}{chart.title}", sheet_title=chart.title[5:],
                          header=[chart.category_name, *(x.name for x in chart.series)],
                          rows=table, note=RULES)
    return f"{_file_stem(stats, chart.title)}.xlsx", data
