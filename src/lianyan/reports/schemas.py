"""API schemas of the reports domain: a report request, a job and its status."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

import msgspec
from msgspec import Meta

from lianyan.schemas import Id, Input, Output, Year

ReportKind = Literal[
    "leadership_roster",
    "activity_filing",
    "research_directions",
    "topic_list",
    "topic_application",
    "exchange_record",
    "annual_summary",
    "results_compilation",
    "award_list",
    "filing_package",
    "year_end_slides",
]
#: The file a report is written as: Word, or a spreadsheet for 附件1–3.
ReportFormat = Literal["docx", "xlsx"]
DocNumber = Annotated[int, msgspec.Meta(ge=1, le=9999)]
JobStatus = Literal["queued", "running", "done", "failed"]


class ReportParams(Input, kw_only=True):
    """What a report covers; each kind names the fields it needs (see ``kinds.KINDS``)."""

    county_id: Annotated[Id | None, Meta(title="县（市、区）")] = None
    year: Annotated[Year | None, Meta(title="年度")] = None
    topic_id: Annotated[Id | None, Meta(title="课题")] = None
    exchange_id: Annotated[Id | None, Meta(title="交流活动")] = None
    #: The number of a document the bureau issues (灵教体〔2026〕3号); blank when not given.
    doc_number: Annotated[DocNumber | None, Meta(title="发文编号", extra={
        "code": "report.doc_number", "message": "发文编号应为1至9999之间的整数，或留空由文书填写。"})] = None
    format: Annotated[ReportFormat, Meta(title="文件格式")] = "docx"


class ReportIn(Input, kw_only=True):
    """``POST /api/v1/reports``: which report, over what."""

    kind: Annotated[ReportKind, Meta(title="报表")]
    params: ReportParams = msgspec.field(default_factory=ReportParams)


class ReportAccepted(Output, kw_only=True):
    """The answer to a report request: the job to poll."""

    id: int
    status: JobStatus


class ReportJobOut(Output, kw_only=True):
    """A report job: its status, the reason it failed, or the file to download."""

    id: int
    kind: ReportKind
    kind_name: str
    title: str
    params: ReportParams
    status: JobStatus
    status_name: str
    #: Why the job failed, in Chinese (empty unless ``failed``).
    reason: str
    requested_by: int
    requested_by_name: str
    file_id: int | None
    file_name: str | None
    file_size: int | None
    #: ``/api/v1/reports/{id}/download`` once the report is done.
    download_url: str | None
    created_at: dt.datetime
    started_at: dt.datetime | None
    finished_at: dt.datetime | None
