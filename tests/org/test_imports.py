"""Excel imports: the template has dropdowns; row errors are precise; nothing is half-imported."""

from __future__ import annotations

import io

from openpyxl import Workbook, load_workbook

from lianyan.org.tables import Kindergarten, Person, RoleAssignment
from tests.builders import org as f

KG_HEADER = ["幼儿园名称", "县（市、区）", "教研责任区", "城乡类型", "办园性质", "等级"]
PEOPLE_HEADER = ["姓名", "手机号", "县（市、区）", "工作单位（幼儿园）", "职务", "职称", "角色"]


def _xlsx(header: list[str], rows: list[list[str]]) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


async def _officer(client):
    county_id = await f.county("411282", "灵宝市")
    other = await f.county("411224", "卢氏县", "county")
    await f.zone(county_id, "灵宝第一责任区")
    await f.user("officer", "county_officer", county_id=county_id)
    return county_id, other, await f.bearer(client, "officer")


async def test_template_has_dropdowns_with_own_counties(client):
    _, _, headers = await _officer(client)
    response = await client.get("/api/v1/imports/kindergartens/template", headers=headers)
    assert response.status_code == 200
    assert "filename*=UTF-8''" in response.headers["content-disposition"]
    book = load_workbook(io.BytesIO(response.content))
    sheet = book["数据"]
    assert [c.value for c in sheet[1]] == KG_HEADER
    validations = sheet.data_validations.dataValidation
    assert len(validations) == 4
    assert [c.value for c in book["选项"]["B"] if c.value] == ["灵宝市"]


async def test_import_with_row_errors_imports_nothing_and_names_each_cell(client):
    _, _, headers = await _officer(client)
    content = _xlsx(KG_HEADER, [
        ["灵宝实验幼儿园", "灵宝市", "灵宝第一责任区", "城区", "公办", "一级"],
        ["", "灵宝市", "", "乡村", "公办", ""],
        ["卢氏园", "卢氏县", "", "乡村", "公办", ""],
        ["灵宝二园", "灵宝市", "不存在的责任区", "城市", "集体", ""],
    ])
    response = await client.post("/api/v1/imports/kindergartens", headers=headers,
                                 files={"file": ("幼儿园.xlsx", content)})
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "import.rows"
    assert "未导入任何数据" in body["detail"]
    found = {(e["row"], e["column"]) for e in body["errors"]}
    assert found == {(3, "幼儿园名称"), (4, "县（市、区）"), (5, "教研责任区"), (5, "城乡类型"),
                     (5, "办园性质")}
    messages = {(e["row"], e["column"]): e["message"] for e in body["errors"]}
    assert messages[(4, "县（市、区）")] == "您无权导入“卢氏县”的幼儿园。"
    assert messages[(5, "城乡类型")] == "“城市”不是可选值（城区、镇区、乡村）。"
    assert await Kindergarten.count() == 0


async def test_import_valid_file_creates_every_row(client):
    _, _, headers = await _officer(client)
    content = _xlsx(KG_HEADER, [
        ["灵宝实验幼儿园", "灵宝市", "灵宝第一责任区", "城区", "公办", "省级示范"],
        ["灵宝阳平乡幼儿园", "灵宝市", "", "乡村", "普惠性民办", ""],
    ])
    response = await client.post("/api/v1/imports/kindergartens", headers=headers,
                                 files={"file": ("幼儿园.xlsx", content)})
    assert response.status_code == 201, response.text
    assert response.json() == {"created": 2, "person_ids": []}
    rows = await Kindergarten.select(Kindergarten.name, Kindergarten.level,
                                     Kindergarten.ownership).order_by(Kindergarten.id)
    assert rows == [
        {"name": "灵宝实验幼儿园", "level": "provincial_model", "ownership": "public"},
        {"name": "灵宝阳平乡幼儿园", "level": "unrated", "ownership": "private_inclusive"},
    ]


async def test_non_excel_file_named_xlsx_is_refused(client):
    _, _, headers = await _officer(client)
    response = await client.post("/api/v1/imports/kindergartens", headers=headers,
                                 files={"file": ("幼儿园.xlsx", b"MZ\x90\x00 this is an exe")})
    assert response.status_code == 400
    assert response.json()["code"] == "import.not_excel"
    assert "不是 Excel" in response.json()["detail"]


async def test_people_import_creates_people_with_roles_all_or_nothing(client):
    county_id, _, headers = await _officer(client)
    await f.kindergarten(county_id, name="灵宝实验幼儿园")
    bad = _xlsx(PEOPLE_HEADER, [
        ["王芳", "13900000011", "灵宝市", "灵宝实验幼儿园", "教师", "一级教师", "教师"],
        ["李静", "1390000", "灵宝市", "灵宝实验幼儿园", "", "", "教师"],
    ])
    refused = await client.post("/api/v1/imports/people", headers=headers,
                                files={"file": ("人员.xlsx", bad)})
    assert refused.status_code == 400
    assert refused.json()["errors"] == [
        {"row": 3, "column": "手机号", "message": "“1390000”不是 11 位手机号。"}
    ]
    people_before = await Person.count()
    good = _xlsx(PEOPLE_HEADER, [
        ["王芳", "13900000011", "灵宝市", "灵宝实验幼儿园", "教师", "一级教师", "教师"],
        ["李静", "13900000012", "灵宝市", "灵宝实验幼儿园", "园长", "高级教师", "园长"],
    ])
    accepted = await client.post("/api/v1/imports/people", headers=headers,
                                 files={"file": ("人员.xlsx", good)})
    assert accepted.status_code == 201, accepted.text
    assert await Person.count() == people_before + 2
    roles = await RoleAssignment.select(RoleAssignment.role).where(
        RoleAssignment.person.name.is_in(["王芳", "李静"])
    ).order_by(RoleAssignment.id)
    assert [r["role"] for r in roles] == ["teacher", "director"]


async def test_template_is_written_when_a_stored_name_holds_control_characters(client):
    # A county name stored before the schemas refused control characters
    _, _, headers = await _officer(client)
    from lianyan.org.tables import County
    await County.update({County.name: "灵宝\x01市\x1b"}).where(County.code == "411282")
    response = await client.get("/api/v1/imports/kindergartens/template", headers=headers)
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(response.content))
    assert [c.value for c in book["选项"]["B"] if c.value] == ["灵宝市"]
