"""Who may do what with reports (docs/reports.md): the route's roles and the jobs one sees.

The city sees every job; a county officer sees the jobs they asked for and the jobs over their
county (their colleagues'). Everyone else sees none (404).
"""

from __future__ import annotations

from typing import Any

from lianyan.principal import Principal, Role
from lianyan.reports.tables import ReportJob

#: Who asks for reports (each within their scope: ``content.resolve``).
REPORTERS = (Role.CITY_ADMIN, Role.COUNTY_OFFICER)


def scope(actor: Principal) -> Any:
    """The jobs the caller may see, as a condition (None: all)."""
    if actor.is_city:
        return None
    counties = sorted(actor.counties(Role.COUNTY_OFFICER))
    if not counties:
        return ReportJob.id == -1
    return (ReportJob.requested_by == actor.person_id) | ReportJob.county_id.is_in(counties)


async def can_read_file(actor: Principal, job_id: int) -> bool:
    """Files owned by a report job are readable by whoever may see the job."""
    condition: Any = ReportJob.id == job_id
    visible = scope(actor)
    if visible is not None:
        condition = condition & visible
    return bool(await ReportJob.exists().where(condition))
