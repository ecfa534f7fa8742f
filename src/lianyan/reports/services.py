"""Report jobs: asking for a report, following it, downloading it, and running it.

A request is checked at once (``content.resolve``: the caller's role and scope) and becomes a
queued ``ReportJob``; the worker (``worker.py``) claims it with a conditional UPDATE, loads the
data on the event loop, builds the document in a thread, and stores it with
``files.services.save_generated`` (owner type ``report``). A job that fails records its reason in
Chinese and leaves no file behind: no ``stored_file`` row and no object.

Who sees a job: the city sees every job; a county officer sees the jobs they asked for and the
jobs over their county (their colleagues'). Everyone else sees none (404).
"""

from __future__ import annotations

import datetime as dt
import functools
import logging
from typing import Any

import anyio
import anyio.to_thread
import msgspec

from lianyan import clock
from lianyan.audit import services as audit
from lianyan.db import atomic
from lianyan.errors import Conflict, LianyanError, NotFound, Unavailable
from lianyan.files import services as files
from lianyan.files.store import ObjectStore
from lianyan.principal import Grant, Principal, Role
from lianyan.reports import access, content, output, wakeup
from lianyan.reports.docx import ReportFonts
from lianyan.reports.kinds import KINDS, STATUS_NAMES
from lianyan.reports.schemas import ReportAccepted, ReportIn, ReportJobOut, ReportParams
from lianyan.reports.tables import ReportJob
from lianyan.robots import outbox as robots

log = logging.getLogger(__name__)

NOT_FOUND = ("report.not_found", "没有找到该报表，或您无权查看。")
#: The reason a job shows when something other than a rule of the platform stopped it.
INTERNAL_FAILURE = "生成报表时发生内部错误，已记录在服务器日志中。请稍后重新生成；如仍失败，请联系系统管理员。"
STORE_FAILURE = "报表已生成，但保存到文件存储时失败。请稍后重新生成；如仍失败，请联系系统管理员。"
INTERRUPTED = "报表生成被中断（服务重启或超时），请重新生成。"
#: The file kind of generated reports in ``stored_file``.
FILE_KIND = "report"
OWNER_TYPE = "report"

_COLUMNS = (
    ReportJob.id,
    ReportJob.kind,
    ReportJob.params,
    ReportJob.title,
    ReportJob.county_id,
    ReportJob.status,
    ReportJob.reason,
    ReportJob.requested_by,
    ReportJob.requested_by_name,
    ReportJob.file_id,
    ReportJob.created_at,
    ReportJob.started_at,
    ReportJob.finished_at,
)


def _params(value: Any) -> ReportParams:
    if isinstance(value, str | bytes):
        return msgspec.json.decode(value or "{}", type=ReportParams)
    return msgspec.convert(value or {}, ReportParams)


async def _outs(rows: list[dict[str, Any]]) -> list[ReportJobOut]:
    """Job rows as the API shows them, with their files' names in one more query."""
    file_ids = [r["file_id"] for r in rows if r["file_id"]]
    stored = await files.files_by_id(file_ids)
    out = []
    for r in rows:
        done = r["status"] == "done" and r["file_id"] in stored
        file = stored.get(r["file_id"])
        out.append(ReportJobOut(
            id=r["id"], kind=r["kind"], kind_name=KINDS[r["kind"]].name, title=r["title"],
            params=_params(r["params"]), status=r["status"],
            status_name=STATUS_NAMES[r["status"]], reason=r["reason"],
            requested_by=r["requested_by"], requested_by_name=r["requested_by_name"],
            file_id=r["file_id"] if done else None,
            file_name=file.original_name if done and file else None,
            file_size=file.size if done and file else None,
            download_url=f"/api/v1/reports/{r['id']}/download" if done else None,
            created_at=clock.local(r["created_at"]),
            started_at=clock.local(r["started_at"]), finished_at=clock.local(r["finished_at"]),
        ))
    return out


# Asking and following -------------------------------------------------------------------------


async def request_report(actor: Principal, data: ReportIn, *, context: content.Context
                         ) -> ReportAccepted:
    """Queue a report the caller may have (``content.resolve`` refuses the others).

    Side effects: one ``report_job`` row (``queued``) and an audit entry; the worker of this
    process is woken at once, those of other instances find it when they next poll.
    """
    target = await content.resolve(actor, data.kind, data.params, context)
    async with atomic():
        row = (
            await ReportJob.insert(
                ReportJob(
                    kind=data.kind, params=msgspec.json.encode(data.params).decode(),
                    title=target.title, county_id=target.county_id, status="queued",
                    requested_by=actor.person_id, requested_by_name=actor.name,
                    created_at=clock.now(),
                )
            )
        )[0]
        await audit.record(actor, "report.request", "report", row["id"], kind=data.kind,
                           title=target.title)
    wakeup.notify()
    return ReportAccepted(id=row["id"], status="queued")


async def list_jobs(actor: Principal, *, limit: int = 50, offset: int = 0
                    ) -> tuple[list[ReportJobOut], int]:
    """The caller's visible jobs, newest first; three queries whatever the page size."""
    query = ReportJob.select(*_COLUMNS)
    count = ReportJob.count()
    scope = access.scope(actor)
    if scope is not None:
        query = query.where(scope)
        count = count.where(scope)
    rows = await query.order_by(ReportJob.id, ascending=False).limit(limit).offset(offset)
    return await _outs(rows), await count


async def _visible_row(actor: Principal, job_id: int) -> dict[str, Any]:
    query = ReportJob.select(*_COLUMNS).where(ReportJob.id == job_id)
    scope = access.scope(actor)
    if scope is not None:
        query = query.where(scope)
    row = await query.first()
    if row is None:
        raise NotFound(*NOT_FOUND)
    return row


async def get_job(actor: Principal, job_id: int) -> ReportJobOut:
    """One job the caller may see: its status, its file or why it failed (404 otherwise)."""
    return (await _outs([await _visible_row(actor, job_id)]))[0]


async def download_url(actor: Principal, store: ObjectStore, job_id: int) -> str:
    """A short-lived URL for the finished report, saved under its Chinese name.

    404 when the caller may not see the job, 409 while it is not done (the message says why).
    """
    row = await _visible_row(actor, job_id)
    if row["status"] == "failed":
        raise Conflict("report.failed", f"该报表生成失败，没有可下载的文件：{row['reason']}",
                       reason=row["reason"])
    if row["status"] != "done" or not row["file_id"]:
        raise Conflict("report.not_ready",
                       f"报表{STATUS_NAMES[row['status']]}，完成后即可下载，请稍候刷新。",
                       report_status=row["status"])
    return await files.download_url(actor, store, row["file_id"])


# Running --------------------------------------------------------------------------------------


async def claim(job_id: int, worker_id: str) -> bool:
    """Take a queued job for ``worker_id``: True only for the one caller whose UPDATE changed
    the row (``status = 'queued'`` in the WHERE clause makes the claim atomic)."""
    claimed = await ReportJob.update(
        {ReportJob.status: "running", ReportJob.started_at: clock.now(),
         ReportJob.worker: worker_id}
    ).where((ReportJob.id == job_id) & (ReportJob.status == "queued")).returning(ReportJob.id)
    return bool(claimed)


async def claim_next(worker_id: str) -> int | None:
    """Claim the oldest queued job; None when there is none (or others took them first)."""
    for _ in range(10):
        candidate = await ReportJob.select(ReportJob.id).where(
            ReportJob.status == "queued"
        ).order_by(ReportJob.id).first()
        if candidate is None:
            return None
        if await claim(candidate["id"], worker_id):
            return int(candidate["id"])
    return None


async def fail_stale(older_than: dt.timedelta) -> int:
    """Fail jobs left ``running`` longer than ``older_than`` (their instance stopped); return
    how many. Safe to run from every instance at once."""
    cutoff = clock.now() - older_than
    rows = await ReportJob.update(
        {ReportJob.status: "failed", ReportJob.reason: INTERRUPTED,
         ReportJob.finished_at: clock.now()}
    ).where((ReportJob.status == "running") & (ReportJob.started_at < cutoff)).returning(
        ReportJob.id
    )
    return len(rows)


async def requester(person_id: int) -> Principal:
    """The ``Principal`` of the person who asked, with the roles they hold now."""
    from lianyan.auth import services as auth_services
    from lianyan.auth.tables import Account
    from lianyan.org.tables import Person

    person = await Person.select(Person.id, Person.name, Person.county).where(
        Person.id == person_id
    ).first()
    if person is None:
        raise NotFound("report.requester", "申请生成该报表的人员已不存在。")
    account = await Account.select(Account.id, Account.username).where(
        Account.person == person_id
    ).first()
    return await auth_services.principal_for_person(
        person_id, account_id=account["id"] if account else 0,
        username=account["username"] if account else "", name=person["name"],
        home_county_id=person["county"],
    )


def system_principal() -> Principal:
    """The caller the command line acts as: the city bureau (it can read every report)."""
    return Principal(account_id=0, person_id=0, username="lianyan-cli", name="命令行",
                     grants=(Grant(role=Role.CITY_ADMIN),))


async def generate(actor: Principal, kind: str, params: ReportParams, *,
                   context: content.Context, fonts: ReportFonts,
                   store: ObjectStore | None = None) -> tuple[str, bytes]:
    """Check, load and build a report now; return its file name and bytes (CLI, tests).

    The build runs in a worker thread: it is CPU work that must not stall the event loop.
    ``store`` reads the year-end slides' highlight photos; without one they are left out.
    """
    rendered = await _render(actor, kind, params, context=context, fonts=fonts, store=store)
    return rendered.file_name, rendered.data


async def _render(actor: Principal, kind: str, params: ReportParams, *,
                  context: content.Context, fonts: ReportFonts,
                  store: ObjectStore | None = None) -> output.Rendered:
    report = await content.load(actor, kind, params, context)
    if isinstance(report, content.YearEndSlides) and store is not None:
        report = msgspec.structs.replace(report, photos=await _photos(store, report))
    return await anyio.to_thread.run_sync(
        functools.partial(output.render, report, fmt=params.format, fonts=fonts, context=context))


async def _photos(store: ObjectStore, report: content.YearEndSlides) -> dict[str, bytes]:
    """The highlight photos the slides show, read from the store; one that cannot be read is
    left out (a slide without its photo is better than no slides)."""
    photos = {}
    for key in {k for keys in report.photo_keys for k in keys}:
        try:
            photos[key] = await store.get(key)
        except Exception:
            log.warning("year-end slides: photo %s could not be read", key, exc_info=True)
    return photos


async def _tell_robots(job: dict[str, Any]) -> None:
    """A county's report is ready: its group robots say so (docs/robots.md)."""
    if job["county_id"] is None:
        return
    await robots.post([robots.Event(
        kind="report_ready", title=f"报表已生成：{job['title']}",
        body=f"{job['requested_by_name']}申请的报表已生成，可在“报表”页面下载。",
        link="/reports", county_ids=(job["county_id"],),
    )])


async def _finish(job_id: int, values: dict[Any, Any]) -> int:
    rows = await ReportJob.update({**values, ReportJob.finished_at: clock.now()}).where(
        (ReportJob.id == job_id) & (ReportJob.status == "running")
    ).returning(ReportJob.id)
    return len(rows)


#: Waits before trying to store a finished report again while the store is unavailable (the
#: embedded rclone is restarted within a few seconds of exiting; issue 12).
STORE_RETRY_SECONDS = (0.5, 1.0, 2.0, 4.0, 4.0)


async def _store_riding_out_outages(save: Any) -> Any:
    """``await save()``, tried again after a pause while the store answers ``store.unavailable``."""
    for pause in (*STORE_RETRY_SECONDS, None):
        try:
            return await save()
        except Unavailable:
            if pause is None:
                raise
            log.warning("report storage: the object store is unavailable, retrying in %s s", pause)
            await anyio.sleep(pause)
    raise AssertionError("unreachable")


async def run_job(job_id: int, *, store: ObjectStore, context: content.Context,
                  fonts: ReportFonts) -> str:
    """Run a claimed job to its end and return its final status (``done`` or ``failed``).

    Side effects: on success one object and one ``stored_file`` row (owner ``report``), the job
    ``done`` with its file; on failure the job ``failed`` with the reason and no file at all.
    Cancelled (the app is shutting down), the job goes back to the queue.
    """
    job = await ReportJob.select(
        ReportJob.kind, ReportJob.params, ReportJob.title, ReportJob.requested_by,
        ReportJob.requested_by_name, ReportJob.county_id,
    ).where(ReportJob.id == job_id).first()
    if job is None:
        return "failed"
    stored_id: int | None = None
    try:
        try:
            actor = await requester(job["requested_by"])
            rendered = await _render(actor, job["kind"], _params(job["params"]),
                                     context=context, fonts=fonts, store=store)
        except LianyanError as exc:
            await _finish(job_id, {ReportJob.status: "failed", ReportJob.reason: exc.detail})
            return "failed"
        try:
            stored = await _store_riding_out_outages(
                lambda: files.save_generated(
                    store, data=rendered.data, filename=rendered.file_name,
                    content_type=rendered.content_type, kind=FILE_KIND, owner_type=OWNER_TYPE,
                    owner_id=job_id, creator_id=job["requested_by"],
                )
            )
        except Exception:
            log.exception("report job %s: storing the document failed", job_id)
            await _finish(job_id, {ReportJob.status: "failed", ReportJob.reason: STORE_FAILURE})
            return "failed"
        stored_id = stored.id
        if not await _finish(job_id, {ReportJob.status: "done", ReportJob.file_id: stored.id}):
            # The job was failed as stale (or removed) meanwhile: nothing may point at the file.
            await files.discard(store, stored.id)
            return "failed"
        try:
            await _tell_robots(job)
        except Exception:  # the report is done whatever the robots' queue did
            log.exception("report job %s: queuing the robot message failed", job_id)
        return "done"
    except BaseException as exc:
        if stored_id is not None:
            await files.discard(store, stored_id)
        if isinstance(exc, Exception):
            log.exception("report job %s failed", job_id)
            await _finish(job_id, {ReportJob.status: "failed",
                                   ReportJob.reason: INTERNAL_FAILURE})
            return "failed"
        # Cancelled or interrupted: give the job back so this or another instance runs it.
        await ReportJob.update(
            {ReportJob.status: "queued", ReportJob.started_at: None, ReportJob.worker: ""}
        ).where((ReportJob.id == job_id) & (ReportJob.status == "running"))
        raise
