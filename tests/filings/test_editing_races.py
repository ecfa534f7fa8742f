"""Edits of a filing read its state again under the filing's lock: a submission or an
acceptance that lands between the first check and the write wins, and the edit is refused."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from lianyan.files.tables import StoredFile
from lianyan.filings import editing
from lianyan.filings.tables import Filing
from tests.files.watch import assert_uploaded_outside_transactions, watch_puts
from tests.filings import builders as b


def _submit_right_after_the_check(monkeypatch: pytest.MonkeyPatch, status: str) -> None:
    """Let the first state check pass, then move the filing on, as a concurrent submit (or
    the city's acceptance) committing at that moment would."""
    original = editing.editable

    async def checked_then_moved(*args: Any, **kwargs: Any) -> dict[str, Any]:
        row = await original(*args, **kwargs)
        await Filing.update({Filing.status: status}).where(Filing.id == row["id"])
        return row

    monkeypatch.setattr(editing, "editable", checked_then_moved)


async def _first(client, filing_id: int, what: str, headers: dict[str, str]) -> int:
    response = await client.get(f"/api/v1/filings/{filing_id}/{what}", headers=headers)
    return int(response.json()["items"][0]["id"])


EDITS = {
    "update_filing": lambda c, fid, act, dire: ("PATCH", f"/api/v1/filings/{fid}",
                                                {"json": {"note": "改过的说明"}}),
    "upload_plan": lambda c, fid, act, dire: (
        "POST", f"/api/v1/filings/{fid}/document",
        {"files": {"file": ("新方案.docx", b.plan_docx())}}),
    "update_activity": lambda c, fid, act, dire: (
        "PATCH", f"/api/v1/filings/{fid}/activities/{act}", {"json": {"title": "换了题目"}}),
    "delete_activity": lambda c, fid, act, dire: (
        "DELETE", f"/api/v1/filings/{fid}/activities/{act}", {}),
    "add_direction": lambda c, fid, act, dire: (
        "POST", f"/api/v1/filings/{fid}/directions", {"json": b.DIRECTION}),
    "delete_direction": lambda c, fid, act, dire: (
        "DELETE", f"/api/v1/filings/{fid}/directions/{dire}", {}),
    "set_coverage_reasons": lambda c, fid, act, dire: (
        "PUT", f"/api/v1/filings/{fid}/coverage",
        {"json": {"reasons": [{"kindergarten_id": c.kindergartens[3], "reason": "停办整改中"}]}}),
}


@pytest.mark.parametrize("edit", sorted(EDITS))
@pytest.mark.parametrize("status", ["submitted", "accepted"])
async def test_edit_of_a_filing_submitted_after_the_first_check_is_refused_and_changes_nothing(
    client, monkeypatch, store, edit, status
):
    # Arrange: a complete draft; the filing moves on right after the edit's first check.
    c = await b.county(client, uncovered=1)
    filing_id = await b.complete_filing(client, c)
    activity_id = await _first(client, filing_id, "activities", c.officer)
    direction_id = await _first(client, filing_id, "directions", c.officer)
    before = (await client.get(f"/api/v1/filings/{filing_id}", headers=c.officer)).json()
    activities = (await client.get(f"/api/v1/filings/{filing_id}/activities",
                                   headers=c.officer)).json()
    directions = (await client.get(f"/api/v1/filings/{filing_id}/directions",
                                   headers=c.officer)).json()
    files_before = await StoredFile.count()
    objects_before = await store.keys("filing/")
    _submit_right_after_the_check(monkeypatch, status)
    method, url, body = EDITS[edit](c, filing_id, activity_id, direction_id)
    # Act
    response = await client.request(method, url, headers=c.officer, **body)
    # Assert: refused with the locked message, and the filing is as it was.
    assert response.status_code == 409, response.text
    assert response.json()["code"] == "filing.locked"
    assert "不能" in response.json()["detail"]
    after = (await client.get(f"/api/v1/filings/{filing_id}", headers=c.officer)).json()
    assert after["note"] == before["note"]
    assert after["plan_document"] == before["plan_document"]
    assert (await client.get(f"/api/v1/filings/{filing_id}/activities",
                             headers=c.officer)).json() == activities
    assert (await client.get(f"/api/v1/filings/{filing_id}/directions",
                             headers=c.officer)).json() == directions
    coverage = (await client.get(f"/api/v1/filings/{filing_id}/coverage",
                                 headers=c.officer)).json()
    assert coverage["missing_reasons"] == 1
    assert await StoredFile.count() == files_before
    assert await store.keys("filing/") == objects_before


async def test_edit_after_submission_is_refused_with_the_locked_message(client):
    c = await b.county(client)
    filing_id = await b.complete_filing(client, c)
    activity_id = await _first(client, filing_id, "activities", c.officer)
    await client.post(f"/api/v1/filings/{filing_id}/submit", headers=c.officer)
    response = await client.delete(f"/api/v1/filings/{filing_id}/activities/{activity_id}",
                                   headers=c.officer)
    assert response.status_code == 409
    assert response.json()["code"] == "filing.locked"
    assert "等待市教育局审核" in response.json()["detail"]


async def test_concurrent_submit_and_delete_never_leave_a_submitted_filing_without_its_activity(
    client,
):
    for round_ in range(3):
        # Arrange
        c = await b.county(client, code=f"41128{round_}", name=f"灵宝{round_}市",
                           username=f"lingbao{round_}")
        filing_id = await b.complete_filing(client, c)
        activity_id = await _first(client, filing_id, "activities", c.officer)
        # Act
        submitted, deleted = await asyncio.gather(
            client.post(f"/api/v1/filings/{filing_id}/submit", headers=c.officer),
            client.delete(f"/api/v1/filings/{filing_id}/activities/{activity_id}",
                          headers=c.officer),
        )
        # Assert: exactly one wins.
        filing = (await client.get(f"/api/v1/filings/{filing_id}", headers=c.officer)).json()
        if filing["status"] == "submitted":
            assert submitted.status_code == 200
            assert deleted.status_code == 409 and deleted.json()["code"] == "filing.locked"
            assert filing["activity_count"] == 1
        else:
            assert deleted.status_code == 204
            assert submitted.status_code == 409
            assert filing["activity_count"] == 0


async def test_plan_upload_runs_outside_the_filing_lock_while_other_writes_go_on(
    client, monkeypatch, store
):
    # Arrange
    c = await b.county(client)
    filing_id = await b.open_filing(client, c)
    seen = watch_puts(monkeypatch)
    # Act
    response = await client.post(
        f"/api/v1/filings/{filing_id}/document",
        files={"file": ("灵宝市区域方案.docx", b.plan_docx())}, headers=c.officer,
    )
    # Assert: stored and pointed at; the upload held no transaction and no write lock.
    assert response.status_code == 201, response.text
    assert response.json()["plan_document"]["original_name"] == "灵宝市区域方案.docx"
    assert_uploaded_outside_transactions(seen)
    assert [p.key for p in seen] == await store.keys(seen[0].key)
