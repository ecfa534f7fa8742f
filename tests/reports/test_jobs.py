"""Report jobs end to end: the API, the worker, the object store, the refusals and failures.

Against the real database and the real object store (``client``, ``store``): a request is
queued, a worker claims it, the document lands in the store and downloads under its Chinese
name; a refused request never becomes a job; a failed job says why and leaves no file.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import io
import os
import subprocess
import sys
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

import docx
import httpx
import msgspec
import pytest

from lianyan import clock, db
from lianyan.files.store import ObjectStore
from lianyan.files.tables import StoredFile
from lianyan.reports import services, worker
from lianyan.reports.schemas import ReportParams
from lianyan.reports.tables import ReportJob
from tests.builders import files
from tests.builders import org as f
from tests.reports.world import YEAR, World, build_world


@pytest.fixture
async def world(client: httpx.AsyncClient) -> World:
    """The sample city, on empty tables, behind the in-process client."""
    return await build_world()


@pytest.fixture
def headers() -> Any:
    """Bearer headers per username, issued directly (no slow password check)."""
    cache: dict[str, dict[str, str]] = {}

    async def get(username: str) -> dict[str, str]:
        if username not in cache:
            from lianyan.auth import services as auth_services
            from lianyan.auth.tables import Account

            row = await Account.select(Account.id).where(Account.username == username).first()
            token = await auth_services.issue_token(row["id"], kind="bearer")
            cache[username] = {"Authorization": f"Bearer {token}"}
        return cache[username]

    return get


def make_worker(store: ObjectStore, settings: Any, name: str = "test-worker"
                ) -> worker.ReportWorker:
    return worker.ReportWorker(store, settings, name=name)


async def request(client: httpx.AsyncClient, headers: dict[str, str], kind: str,
                  **params: Any) -> httpx.Response:
    return await client.post("/api/v1/reports", json={"kind": kind, "params": params},
                             headers=headers)


async def report_files() -> list[dict[str, Any]]:
    return await StoredFile.select(StoredFile.id, StoredFile.key, StoredFile.owner_id).where(
        StoredFile.owner_type == "report")


# The happy path ---------------------------------------------------------------------------------


async def test_report_request_is_queued_run_by_the_worker_and_downloads_in_chinese(
    client: httpx.AsyncClient, world: World, store: ObjectStore, settings: Any, headers: Any,
) -> None:
    officer = await headers("lingbao")
    county = {"county_id": world.counties["lingbao"], "year": YEAR}

    accepted = await request(client, officer, "activity_filing", **county)
    job_id = accepted.json()["id"]
    queued = (await client.get(f"/api/v1/reports/{job_id}", headers=officer)).json()
    ran = await make_worker(store, settings).run_until_idle()
    done = (await client.get(f"/api/v1/reports/{job_id}", headers=officer)).json()
    download = await client.get(f"/api/v1/reports/{job_id}/download", headers=officer)

    assert accepted.status_code == 202
    assert accepted.json() == {"id": job_id, "status": "queued"}
    assert accepted.headers["location"] == f"/api/v1/reports/{job_id}"
    assert (queued["status"], queued["status_name"], queued["download_url"]) == \
        ("queued", "排队中", None)
    assert ran == [job_id]
    assert done["status"] == "done" and done["reason"] == ""
    assert done["title"] == "灵宝市2026年教研活动备案表"
    assert done["file_name"] == "灵宝市2026年教研活动备案表.docx"
    assert done["requested_by_name"] == "赵敏"
    assert done["params"] == {"county_id": world.counties["lingbao"], "year": YEAR,
                              "topic_id": None, "exchange_id": None, "doc_number": None,
                              "format": "docx"}
    assert done["started_at"] and done["finished_at"]
    assert download.status_code == 302
    location = download.headers["location"]
    disposition = parse_qs(urlsplit(location).query)["response-content-disposition"][0]
    assert "灵宝市2026年教研活动备案表.docx" in unquote(disposition)
    async with httpx.AsyncClient() as outside:
        fetched = await outside.get(location)
    assert fetched.status_code == 200
    document = docx.Document(io.BytesIO(fetched.content))
    assert document.paragraphs[1].text == "灵宝市2026年教研活动备案表"
    (stored,) = await report_files()
    assert stored["owner_id"] == job_id
    assert await store.stat(stored["key"]) is not None


async def test_filing_form_asked_as_xlsx_is_stored_as_a_spreadsheet_and_slides_as_pptx(
    client: httpx.AsyncClient, world: World, store: ObjectStore, settings: Any, headers: Any,
) -> None:
    import openpyxl
    from PIL import Image
    from pptx import Presentation

    from lianyan.exchanges.tables import DesignVersion

    # A photo of the highlighted exchange, uploaded with its first design.
    png = io.BytesIO()
    Image.new("RGB", (400, 300), (200, 60, 60)).save(png, format="PNG")
    await store.put_bytes("design/world/photo.png", png.getvalue(), content_type="image/png")
    photo = await files.stored_file(
        "design", world.designs[0], key="design/world/photo.png", original_name="课堂照片.png",
        size=len(png.getvalue()), content_type="image/png", kind="design_image",
    )
    await DesignVersion.update({DesignVersion.image_file_ids: [photo]}).where(
        DesignVersion.design == world.designs[0])
    officer = await headers("lingbao")
    sheet = await request(client, officer, "activity_filing", county_id=world.counties["lingbao"],
                          year=YEAR, format="xlsx")
    slides = await request(client, await headers("city"), "year_end_slides", year=YEAR)
    refused = await request(client, officer, "leadership_roster",
                            county_id=world.counties["lingbao"], year=YEAR, format="pdf")
    await make_worker(store, settings).run_until_idle()

    done = {}
    for accepted in (sheet, slides):
        job = (await client.get(f"/api/v1/reports/{accepted.json()['id']}",
                                headers=await headers("city"))).json()
        location = (await client.get(f"/api/v1/reports/{job['id']}/download",
                                     headers=await headers("city"))).headers["location"]
        async with httpx.AsyncClient() as outside:
            done[job["file_name"]] = (await outside.get(location)).content
    assert refused.status_code == 400
    assert sorted(done) == ["三门峡市2026年学前教育区域联盟教研工作开展情况总结汇报.pptx",
                            "灵宝市2026年教研活动备案表.xlsx"]
    workbook = openpyxl.load_workbook(io.BytesIO(done["灵宝市2026年教研活动备案表.xlsx"]))
    assert workbook.active.title == "附件2"
    deck = Presentation(io.BytesIO(
        done["三门峡市2026年学前教育区域联盟教研工作开展情况总结汇报.pptx"]))
    assert len(deck.slides) >= 8
    highlight = next(slide for slide in deck.slides
                     if any(s.has_text_frame and s.text_frame.text == "亮点活动"
                            for s in slide.shapes))
    assert [s.shape_type for s in highlight.shapes].count(13) == 1  # MSO_SHAPE_TYPE.PICTURE
    types = {f["original_name"]: f["content_type"] for f in await StoredFile.select(
        StoredFile.original_name, StoredFile.content_type).where(
        StoredFile.owner_type == "report")}
    assert types["灵宝市2026年教研活动备案表.xlsx"].endswith("spreadsheetml.sheet")


async def test_job_file_downloads_through_the_files_endpoint_for_those_who_see_the_job(
    client: httpx.AsyncClient, world: World, store: ObjectStore, settings: Any, headers: Any,
) -> None:
    accepted = await request(client, await headers("lingbao"), "leadership_roster",
                             county_id=world.counties["lingbao"], year=YEAR)
    await make_worker(store, settings).run_until_idle()
    file_id = (await client.get(f"/api/v1/reports/{accepted.json()['id']}",
                                headers=await headers("city"))).json()["file_id"]

    as_city = await client.get(f"/api/v1/files/{file_id}/download", headers=await headers("city"))
    as_other_county = await client.get(f"/api/v1/files/{file_id}/download",
                                       headers=await headers("lushi"))
    as_teacher = await client.get(f"/api/v1/files/{file_id}/download",
                                  headers=await headers("host"))

    assert as_city.status_code == 302
    assert as_other_county.status_code == 404
    assert as_teacher.status_code == 404


# Who may ask for what ----------------------------------------------------------------------------


async def test_report_over_a_county_the_officer_does_not_run_is_refused(
    client: httpx.AsyncClient, world: World, headers: Any,
) -> None:
    lushi = await headers("lushi")

    other_county = await request(client, lushi, "activity_filing",
                                 county_id=world.counties["lingbao"], year=YEAR)
    other_topic = await request(client, lushi, "topic_application",
                                topic_id=world.topics["applied"])
    city_report = await request(client, lushi, "topic_list", year=YEAR)
    city_summary = await request(client, lushi, "annual_summary", year=YEAR)
    teacher = await request(client, await headers("host"), "topic_application",
                            topic_id=world.topics["applied"])
    missing = await request(client, lushi, "activity_filing", year=YEAR)
    no_county = await request(client, lushi, "activity_filing", county_id=9999, year=YEAR)

    assert other_county.status_code == 403
    assert other_county.json()["code"] == "report.county_only"
    assert "灵宝市" in other_county.json()["detail"]
    assert other_topic.status_code == 404
    assert city_report.status_code == 403 and city_report.json()["code"] == "report.city_only"
    assert city_summary.status_code == 403
    assert teacher.status_code == 403
    assert missing.status_code == 400 and missing.json()["code"] == "report.params"
    assert missing.json()["detail"] == "生成“附件2 年度教研活动备案表”需要选择县（市、区）。"
    assert no_county.status_code == 404
    assert await ReportJob.count() == 0


async def test_exchange_record_is_for_the_counties_involved_only(
    client: httpx.AsyncClient, world: World, headers: Any,
) -> None:
    from lianyan.exchanges.tables import Highlight

    mianchi = await f.county("411221", "渑池县", "county")
    await f.user("mianchi", "county_officer", county_id=mianchi, name="渑池专干")

    organiser = await request(client, await headers("lingbao"), "exchange_record",
                              exchange_id=world.exchange_id)
    participant_county = await request(client, await headers("lushi"), "exchange_record",
                                       exchange_id=world.exchange_id)
    # The exchange is in the shared library: 渑池县 may read it, but not report on it.
    in_library = await request(client, await headers("mianchi"), "exchange_record",
                               exchange_id=world.exchange_id)
    await Highlight.delete().where(Highlight.exchange == world.exchange_id)
    unseen = await request(client, await headers("mianchi"), "exchange_record",
                           exchange_id=world.exchange_id)

    assert organiser.status_code == 202
    assert participant_county.status_code == 202
    assert in_library.status_code == 403
    assert in_library.json()["code"] == "report.exchange_only"
    assert unseen.status_code == 404
    assert unseen.json()["code"] == "exchange.not_found"


async def test_job_list_shows_each_caller_their_jobs_paginated_in_constant_queries(
    client: httpx.AsyncClient, world: World, headers: Any,
) -> None:
    county = {"county_id": world.counties["lingbao"], "year": YEAR}
    await request(client, await headers("lingbao"), "activity_filing", **county)
    await request(client, await headers("city"), "leadership_roster", **county)
    await request(client, await headers("lushi"), "exchange_record",
                  exchange_id=world.exchange_id)
    with db.count_queries() as one:
        single = await client.get("/api/v1/reports?limit=1", headers=await headers("city"))
    for _ in range(20):
        await request(client, await headers("city"), "award_list", year=YEAR)
    with db.count_queries() as many:
        page = await client.get("/api/v1/reports?limit=50", headers=await headers("city"))

    city = (await client.get("/api/v1/reports?limit=2&offset=1",
                             headers=await headers("city"))).json()
    lingbao = (await client.get("/api/v1/reports", headers=await headers("lingbao"))).json()
    lushi = (await client.get("/api/v1/reports", headers=await headers("lushi"))).json()
    roster = next(j for j in lingbao["items"] if j["kind"] == "leadership_roster")
    other = await client.get(f"/api/v1/reports/{roster['id']}", headers=await headers("lushi"))

    assert single.json()["total"] == 3 and len(single.json()["items"]) == 1
    assert page.json()["total"] == 23 and len(page.json()["items"]) == 23
    assert one[0] == many[0]
    assert city["total"] == 23 and len(city["items"]) == 2
    # 灵宝市's officer sees the jobs over 灵宝市 and its exchange, whoever asked, and not the
    # city's award lists; 卢氏县's officer sees only what they asked for.
    assert sorted(j["title"] for j in lingbao["items"]) == [
        "同研异构活动记录（中班语言《小兔乖乖》同研异构）", "灵宝市2026年区域教研领导小组名单",
        "灵宝市2026年教研活动备案表"]
    assert [j["title"] for j in lushi["items"]] == ["同研异构活动记录（中班语言《小兔乖乖》同研异构）"]
    assert other.status_code == 404


# Failures ------------------------------------------------------------------------------------


async def test_failed_job_shows_its_reason_and_leaves_no_file(
    client: httpx.AsyncClient, world: World, store: ObjectStore, settings: Any, headers: Any,
) -> None:
    lushi = await headers("lushi")
    accepted = await request(client, lushi, "leadership_roster",
                             county_id=world.counties["lushi"], year=YEAR)
    job_id = accepted.json()["id"]
    objects_before = await store.keys("report/")  # other tests' reports stay in the store

    await make_worker(store, settings).run_until_idle()
    job = (await client.get(f"/api/v1/reports/{job_id}", headers=lushi)).json()
    download = await client.get(f"/api/v1/reports/{job_id}/download", headers=lushi)

    assert accepted.status_code == 202
    assert job["status"] == "failed" and job["status_name"] == "生成失败"
    assert job["reason"] == ("卢氏县2026年的区域教研领导小组名单尚未填写，无法生成附件1。"
                             "请先在“备案”页面填写名单。")
    assert job["file_id"] is None and job["download_url"] is None
    assert download.status_code == 409 and download.json()["code"] == "report.failed"
    assert job["reason"] in download.json()["detail"]
    assert await report_files() == []
    assert await store.keys("report/") == objects_before


async def test_job_whose_store_fails_is_failed_and_leaves_no_file(
    client: httpx.AsyncClient, world: World, store: ObjectStore, settings: Any, headers: Any,
) -> None:
    officer = await headers("lingbao")
    accepted = await request(client, officer, "research_directions",
                             county_id=world.counties["lingbao"], year=YEAR)
    # A real store whose bucket does not exist: the upload is refused by the server.
    broken = ObjectStore(msgspec.structs.replace(settings.store, bucket="no-such-bucket"))
    objects_before = await store.keys("report/")

    await make_worker(broken, settings).run_until_idle()
    job = (await client.get(f"/api/v1/reports/{accepted.json()['id']}", headers=officer)).json()

    assert job["status"] == "failed"
    assert job["reason"] == services.STORE_FAILURE
    assert await report_files() == []
    assert await store.keys("report/") == objects_before


async def test_job_whose_data_went_away_fails_with_the_owning_domains_reason(
    client: httpx.AsyncClient, world: World, store: ObjectStore, settings: Any, headers: Any,
) -> None:
    from lianyan.topics.tables import Topic, TopicEvent, TopicMember

    officer = await headers("lingbao")
    accepted = await request(client, officer, "topic_application",
                             topic_id=world.topics["applied"])
    topic = world.topics["applied"]
    await TopicEvent.delete().where(TopicEvent.topic == topic)
    await TopicMember.delete().where(TopicMember.topic == topic)
    await Topic.delete().where(Topic.id == topic)

    await make_worker(store, settings).run_until_idle()
    job = (await client.get(f"/api/v1/reports/{accepted.json()['id']}", headers=officer)).json()

    assert job["status"] == "failed"
    assert job["reason"] == "没有找到该课题，或您无权查看。"
    assert await report_files() == []


# The worker ---------------------------------------------------------------------------------


async def test_two_workers_never_run_the_same_job(
    client: httpx.AsyncClient, world: World, store: ObjectStore, settings: Any, headers: Any,
) -> None:
    accepted = await request(client, await headers("city"), "award_list", year=YEAR)
    job_id = accepted.json()["id"]
    first, second = make_worker(store, settings, "a"), make_worker(store, settings, "b")

    ran = await asyncio.gather(first.run_once(), second.run_once())
    claimed_again = await services.claim(job_id, "c")
    row = await ReportJob.select(ReportJob.status, ReportJob.worker).where(
        ReportJob.id == job_id).first()

    assert sorted(ran, key=str) == sorted([job_id, None], key=str)
    assert claimed_again is False
    assert row["status"] == "done" and row["worker"] in ("a", "b")
    assert len(await report_files()) == 1


async def test_claim_takes_a_queued_job_once(client: httpx.AsyncClient, world: World,
                                            headers: Any) -> None:
    accepted = await request(client, await headers("city"), "award_list", year=YEAR)
    job_id = accepted.json()["id"]

    results = [await services.claim(job_id, "a"), await services.claim(job_id, "b")]

    assert results == [True, False]
    row = await ReportJob.select(ReportJob.status, ReportJob.worker).where(
        ReportJob.id == job_id).first()
    assert row == {"status": "running", "worker": "a"}


async def test_job_left_running_by_a_stopped_instance_is_failed_with_a_reason(
    client: httpx.AsyncClient, world: World, headers: Any,
) -> None:
    accepted = await request(client, await headers("city"), "award_list", year=YEAR)
    job_id = accepted.json()["id"]
    await ReportJob.update({ReportJob.status: "running",
                            ReportJob.started_at: clock.now() - dt.timedelta(hours=2)}).where(
        ReportJob.id == job_id)

    failed = await services.fail_stale(worker.STALE_AFTER)
    job = (await client.get(f"/api/v1/reports/{job_id}", headers=await headers("city"))).json()

    assert failed == 1
    assert (job["status"], job["reason"]) == ("failed", services.INTERRUPTED)


async def test_app_lifespan_runs_the_worker_and_stops_it_cleanly(
    app: Any, client: httpx.AsyncClient, world: World, headers: Any,
) -> None:
    started, stopping = asyncio.Event(), asyncio.Event()

    async def lifespan() -> None:
        async with app.lifespan():
            started.set()
            await stopping.wait()

    task = asyncio.create_task(lifespan())
    await asyncio.wait([task, asyncio.create_task(started.wait())],
                       return_when=asyncio.FIRST_COMPLETED)
    assert not task.done(), task.exception() if task.done() else ""
    officer = await headers("lingbao")
    accepted = await request(client, officer, "leadership_roster",
                             county_id=world.counties["lingbao"], year=YEAR)
    job: dict[str, Any] = {}
    for _ in range(600):  # woken at once; the build takes a moment on a busy machine
        job = (await client.get(f"/api/v1/reports/{accepted.json()['id']}",
                                headers=officer)).json()
        if job["status"] in ("done", "failed"):
            break
        await asyncio.sleep(0.1)
    workers_running = len(worker.ReportWorker.wakeups)
    stopping.set()
    await asyncio.wait_for(task, 60)

    assert job["status"] == "done", job
    assert workers_running == 1
    assert not worker.ReportWorker.wakeups
    assert task.exception() is None


# The command line ----------------------------------------------------------------------------


async def test_cli_report_writes_the_same_document_and_explains_a_refusal(
    client: httpx.AsyncClient, world: World, tmp_path: Path,
) -> None:
    out = tmp_path / "备案表.docx"
    env = {**os.environ}
    command = [sys.executable, "-m", "lianyan.cli", "report"]

    written = await asyncio.to_thread(
        subprocess.run, [*command, "activity_filing", "--county", "411282", "--year", str(YEAR),
                         "--out", str(out)],
        capture_output=True, text=True, env=env, timeout=300,
    )
    refused = await asyncio.to_thread(
        subprocess.run, [*command, "leadership_roster", "--county", "411224", "--year",
                         str(YEAR), "--out", str(tmp_path / "x.docx")],
        capture_output=True, text=True, env=env, timeout=300,
    )

    assert written.returncode == 0, written.stderr
    document = docx.Document(str(out))
    assert document.paragraphs[1].text == "灵宝市2026年教研活动备案表"
    rows = document.tables[0].rows
    assert len(rows) == 1 + len(world.activity_titles) + 4
    assert refused.returncode == 1
    assert "卢氏县2026年的区域教研领导小组名单尚未填写" in refused.stderr
    assert not (tmp_path / "x.docx").exists()


async def test_generate_refuses_what_the_actor_may_not_have(world: World, clean_db: None
                                                           ) -> None:
    from lianyan.errors import Forbidden
    from lianyan.reports.content import Context
    from lianyan.reports.docx import ReportFonts

    lushi = await world.actor("lushi")
    context = Context(city_name="三门峡市", city_bureau="三门峡市教育局", today=clock.today())

    with pytest.raises(Forbidden) as refused:
        await services.generate(lushi, "activity_filing",
                                ReportParams(county_id=world.counties["lingbao"], year=YEAR),
                                context=context, fonts=ReportFonts())

    assert refused.value.code == "report.county_only"
