"""The city's compliance board (domain.md §2.3, §3): per county, for a year, the roster, the
filing and its lateness, active topics, coverage and the days left to the deadline.

Counties with no active topic always come first (the one-topic rule is enforced, and the city
chases those first); within each group the rows follow the chosen sort. Six queries in all,
whatever the number of counties.
"""

from __future__ import annotations

from typing import Literal

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill

from lianyan import clock, db, excel
from lianyan.filings import leadership, rules, themes
from lianyan.filings import schemas as s
from lianyan.filings.access import require_city
from lianyan.filings.tables import Filing
from lianyan.labels import FILING_STATUS
from lianyan.org.dashboard import coverage_by_county
from lianyan.org.tables import County
from lianyan.principal import Principal
from lianyan.topics import one_topic

SortKey = Literal["topics", "code", "name", "status", "coverage", "roster", "submitted"]
SORT_KEYS: tuple[str, ...] = ("topics", "code", "name", "status", "coverage", "roster",
                              "submitted")
#: How far along a filing is, for sorting: nothing, draft, returned, submitted, accepted.
_PROGRESS = {None: 0, "draft": 1, "returned": 2, "submitted": 3, "accepted": 4}


async def board(
    actor: Principal, year: int, *, sort: str = "topics", descending: bool = False
) -> s.ComplianceBoard:
    """The compliance board of ``year`` (city only).

    The same for every city caller, and read far more often than filings change: kept under
    ``db.reused`` (rebuilt after any commit, and at least every half minute for its day count).
    """
    require_city(actor)
    return await db.reused(("compliance", year, sort, descending, clock.today()),
                           lambda: _board(year, sort, descending), seconds=BOARD_SECONDS)


#: Seconds a compliance board may be reused while nothing is committed.
BOARD_SECONDS = 30.0


async def _board(year: int, sort: str, descending: bool) -> s.ComplianceBoard:
    counties = await County.select(County.id, County.code, County.name).order_by(County.code)
    coverage = {r.county_id: r for r in await coverage_by_county(None)}
    rosters = await leadership.summary(None, year)
    filings = {
        r["county"]: r
        for r in await Filing.select(
            Filing.id, Filing.county, Filing.status, Filing.first_submitted_at
        ).where(Filing.year == year)
    }
    topics = await one_topic.active_topic_counts(year)
    due_on = (await themes.due_dates([year]))[year]
    today = clock.today()
    days = rules.days_to(due_on, today)
    rows = []
    for c in counties:
        filing = filings.get(c["id"])
        members, problems = rosters.get(c["id"], (0, ["no roster"]))
        cov = coverage.get(c["id"])
        total = cov.kindergartens if cov else 0
        covered = cov.covered if cov else 0
        first = filing["first_submitted_at"] if filing else None
        rows.append(
            s.ComplianceRow(
                county_id=c["id"],
                county_code=c["code"],
                county_name=c["name"],
                roster_complete=not problems,
                roster_members=members,
                filing_id=filing["id"] if filing else None,
                filing_status=filing["status"] if filing else None,
                late=first is not None and rules.is_late(first, due_on),
                overdue=first is None and days < 0,
                first_submitted_at=first.astimezone(clock.CITY_TZ) if first else None,
                active_topics=topics.get(c["id"], 0),
                kindergartens=total,
                covered=covered,
                coverage_percent=100 if total == 0 else covered * 100 // total,
                due_on=due_on,
                days_to_deadline=days,
            )
        )
    rows = sort_rows(rows, sort, descending=descending)
    return s.ComplianceBoard(year=year, due_on=due_on, days_to_deadline=days, items=rows,
                             total=len(rows))


def sort_rows(
    rows: list[s.ComplianceRow], sort: str, *, descending: bool = False
) -> list[s.ComplianceRow]:
    """Zero-topic counties first, then by ``sort`` (ties by county code)."""
    keys = {
        "topics": lambda r: r.active_topics,
        "code": lambda r: r.county_code,
        "name": lambda r: r.county_name,
        "status": lambda r: _PROGRESS[r.filing_status],
        "coverage": lambda r: r.coverage_percent,
        "roster": lambda r: (r.roster_complete, r.roster_members),
        "submitted": lambda r: (r.first_submitted_at is None, r.first_submitted_at),
    }
    key = keys.get(sort, keys["topics"])
    ordered = sorted(rows, key=lambda r: r.county_code)
    ordered = sorted(ordered, key=key, reverse=descending)  # type: ignore[arg-type]
    # Stable sort: zero-topic counties move to the top, keeping the chosen order inside.
    return sorted(ordered, key=lambda r: r.active_topics > 0)


EXPORT_COLUMNS = [
    "县（市、区）", "行政区划代码", "在研课题数", "领导小组名单", "备案状态", "是否逾期",
    "首次报送时间", "幼儿园数", "已覆盖", "覆盖率", "截止日期", "距截止（天）",
]


async def export_xlsx(
    actor: Principal, year: int, *, sort: str = "topics", descending: bool = False
) -> bytes:
    """The board as an Excel workbook (city only), in the order shown on the page."""
    data = await board(actor, year, sort=sort, descending=descending)
    book = Workbook()
    sheet = book.active
    sheet.title = f"{year}年合规情况"
    excel.append_row(sheet, [f"{year} 年各县（市、区）学前教育区域联盟教研合规情况"])
    sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(EXPORT_COLUMNS))
    sheet["A1"].font = Font(bold=True, size=14)
    sheet["A1"].alignment = Alignment(horizontal="center")
    excel.append_row(sheet, EXPORT_COLUMNS)
    for cell in sheet[2]:
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor="DDEBF7")
    zero = PatternFill("solid", fgColor="FDE2E1")
    for r in data.items:
        status = FILING_STATUS.get(r.filing_status or "", "未建立")
        if r.late:
            lateness = "逾期报送"
        elif r.overdue:
            lateness = "逾期未报"
        else:
            lateness = "否"
        excel.append_row(sheet, [
            r.county_name, r.county_code, r.active_topics,
            f"完整（{r.roster_members} 人）" if r.roster_complete
            else ("未填写" if r.roster_members == 0 else "不完整"),
            status, lateness,
            r.first_submitted_at.strftime("%Y-%m-%d %H:%M") if r.first_submitted_at else "",
            r.kindergartens, r.covered, f"{r.coverage_percent}%",
            r.due_on.isoformat(), r.days_to_deadline,
        ])
        if r.active_topics == 0:
            for cell in sheet[sheet.max_row]:
                cell.fill = zero
    for index, width in enumerate([16, 12, 10, 16, 10, 10, 18, 10, 8, 8, 12, 12], start=1):
        sheet.column_dimensions[sheet.cell(row=2, column=index).column_letter].width = width
    sheet.freeze_panes = "A3"
    return excel.workbook_bytes(book)
