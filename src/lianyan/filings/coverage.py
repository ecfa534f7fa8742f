"""Full coverage (全面覆盖) on a filing: the county's coverage with a reason recorded per
uncovered kindergarten, which a filing needs before it can be submitted.
"""

from __future__ import annotations

from typing import Any

from lianyan import clock
from lianyan.audit import services as audit
from lianyan.errors import InvalidInput, NotFound
from lianyan.filings import editing, queries
from lianyan.filings import schemas as s
from lianyan.filings.access import sees_unpublished
from lianyan.filings.tables import CoverageReason
from lianyan.org import services as org
from lianyan.org.tables import Kindergarten
from lianyan.principal import Principal


async def filing_coverage(actor: Principal, filing_id: int) -> s.FilingCoverage:
    """Coverage of the filing's county with the reasons recorded on this filing."""
    filing = await queries.filing_row(actor, filing_id)
    if not sees_unpublished(actor, filing["county_id"]):
        raise NotFound("filing.not_found", "没有找到该备案，或您无权查看。")
    return await coverage_of(actor, filing)


async def coverage_of(actor: Principal, filing: dict[str, Any]) -> s.FilingCoverage:
    """Coverage of a filing's county (``org.coverage``) with the reasons recorded on it."""
    coverage = await org.coverage(actor, filing["county_id"])
    reasons = {
        r["kindergarten"]: r["reason"]
        for r in await CoverageReason.select(CoverageReason.kindergarten, CoverageReason.reason)
        .where(CoverageReason.filing == filing["id"])
    }
    uncovered = [
        s.UncoveredOut(kindergarten_id=k.id, name=k.name, locale=k.locale,
                       reason=reasons.get(k.id))
        for k in coverage.uncovered
    ]
    total = coverage.total
    return s.FilingCoverage(
        total=total,
        covered=coverage.covered,
        percent=100 if total == 0 else coverage.covered * 100 // total,
        uncovered=uncovered,
        missing_reasons=sum(1 for u in uncovered if not u.reason),
    )


async def set_coverage_reasons(
    actor: Principal, filing_id: int, data: s.CoverageReasonsIn
) -> s.FilingCoverage:
    """Record why kindergartens are outside every zone; an empty reason removes one.

    Only kindergartens of the county that are uncovered right now take a reason.
    """
    ids = [r.kindergarten_id for r in data.reasons]
    now = clock.now()
    async with editing.change(actor, filing_id) as filing:
        uncovered = {
            r["id"]
            for r in await Kindergarten.select(Kindergarten.id).where(
                Kindergarten.id.is_in(ids or [0])
                & (Kindergarten.county == filing["county_id"])
                & Kindergarten.zone.is_null()
            )
        }
        wrong = [i for i in ids if i not in uncovered]
        if wrong:
            raise InvalidInput(
                "coverage.not_uncovered",
                "只能为本县（市、区）尚未划入教研责任区的幼儿园填写未覆盖原因；"
                "请刷新页面查看最新的未覆盖名单。",
                kindergarten_ids=wrong,
            )
        for item in data.reasons:
            reason = item.reason.strip()
            await CoverageReason.delete().where(
                (CoverageReason.filing == filing_id)
                & (CoverageReason.kindergarten == item.kindergarten_id)
            )
            if reason:
                await CoverageReason.insert(
                    CoverageReason(filing=filing_id, kindergarten=item.kindergarten_id,
                                   reason=reason, updated_at=now)
                )
        await audit.record(actor, "filing.coverage_reasons", "filing", filing_id,
                           kindergarten_ids=ids)
    return await coverage_of(actor, filing)
