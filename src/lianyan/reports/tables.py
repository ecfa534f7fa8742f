"""Tables of the reports domain: the background jobs that generate Word reports."""

from __future__ import annotations

from piccolo.columns import JSON, Integer, Serial, Text, Timestamptz, Varchar
from piccolo.table import Table


class ReportJob(Table):
    """One request to generate a report: queued → running → done (with its file) or failed.

    A worker claims a queued job with ``UPDATE … WHERE status = 'queued'`` and runs it only
    when that update changed its row, so several app instances never run a job twice.
    """

    id: Serial

    #: One of ``lianyan.reports.kinds.KINDS`` (``activity_filing`` …).
    kind = Varchar(length=30)
    #: The parameters as requested: ``county_id``, ``year``, ``topic_id``, ``exchange_id``.
    params = JSON(default="{}")
    #: What the report is, in Chinese ("灵宝市2026年教研活动备案表"); the file is named after it.
    title = Varchar(length=200)
    #: The county the report covers (null for city-wide reports): its officers see the job.
    county_id = Integer(null=True, default=None, index=True)
    status = Varchar(length=10, default="queued", index=True)
    #: Why a job failed, in Chinese, for the person who asked.
    reason = Text(default="")
    requested_by = Integer(index=True)
    requested_by_name = Varchar(length=50, default="")
    #: The generated ``stored_file`` (owner type ``report``), once done.
    file_id = Integer(null=True, default=None)
    #: Which app instance ran it (host:pid), for the operator.
    worker = Varchar(length=100, default="")
    created_at = Timestamptz()
    started_at = Timestamptz(null=True, default=None)
    finished_at = Timestamptz(null=True, default=None)
