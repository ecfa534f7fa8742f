"""files.attach: check once, upload outside any transaction, rows under the owner's lock,
and no object left behind when the rows fail."""

from __future__ import annotations

import io

import pytest

from lianyan import db
from lianyan.errors import Conflict
from lianyan.files import services as files
from lianyan.files.sniff import DEFAULT_LIMITS
from lianyan.files.tables import StoredFile
from lianyan.org.tables import County
from tests.builders.files import pdf_bytes
from tests.files.watch import assert_uploaded_outside_transactions, watch_puts

pytestmark = pytest.mark.usefixtures("clean_db")


async def _attach(store, write, **overrides):
    arguments = dict(
        kind="filing_document", fileobj=io.BytesIO(pdf_bytes()), filename="区域方案.pdf",
        limits=DEFAULT_LIMITS, uploader_id=None, owner_type="attach-test", owner_id=7,
        lock="attach-test:7", write=write,
    )
    return await files.attach(store, **{**arguments, **overrides})


async def test_attach_writes_the_file_row_and_the_owners_rows_together(store, monkeypatch):
    seen = watch_puts(monkeypatch)
    owner_rows: list[int] = []

    async def write(file: files.FileOut) -> str:
        owner_rows.append(file.id)
        return "written"

    # Act
    result = await _attach(store, write)
    # Assert: one object, its row, the owner's write; the upload ran outside any transaction
    # while another write went on.
    row = await StoredFile.select().first()
    assert result == "written"
    assert owner_rows == [row["id"]]
    assert (row["owner_type"], row["owner_id"], row["original_name"]) == (
        "attach-test", 7, "区域方案.pdf")
    assert await store.keys("attach-test/") == [row["key"]]
    assert_uploaded_outside_transactions(seen)
    assert await County.count() == 1


async def test_attach_with_a_failing_row_write_leaves_no_object_and_no_row(store):
    before = await store.keys("attach-test/")

    async def write(file: files.FileOut) -> None:
        await County.insert(County(code="411299", name="回滚县", kind="county",
                                   created_at=file.created_at))
        raise Conflict("owner.changed", "对象已变化。")

    # Act
    with pytest.raises(Conflict):
        await _attach(store, write)
    # Assert: the rows rolled back and the uploaded object deleted.
    assert await StoredFile.count() == 0
    assert await County.count() == 0
    assert await store.keys("attach-test/") == before


async def test_attach_inside_a_transaction_is_refused_before_uploading(store):
    before = await store.keys("attach-test/")

    async def write(file: files.FileOut) -> None:
        return None

    with pytest.raises(RuntimeError):
        async with db.atomic():
            await _attach(store, write)
    assert await StoredFile.count() == 0
    assert await store.keys("attach-test/") == before
