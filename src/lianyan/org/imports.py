"""Excel import of kindergartens and people: a template with dropdowns, all or nothing.

Every row is checked before anything is written; one bad cell imports nothing and the caller
gets every problem at once, each with its row number, column and a Chinese explanation.
"""

from __future__ import annotations

import functools
import io
import re
import zipfile
from collections.abc import Iterable
from typing import Any

from openpyxl import Workbook, load_workbook
from openpyxl.styles import Font, PatternFill
from openpyxl.worksheet.datavalidation import DataValidation

from lianyan import clock, excel, indexing, labels
from lianyan.audit import services as audit
from lianyan.db import atomic
from lianyan.errors import Forbidden, InvalidInput, TooLarge
from lianyan.files import office
from lianyan.files.sniff import human_size
from lianyan.org.schemas import ImportResult, ImportRowError
from lianyan.org.tables import County, Kindergarten, Person, RoleAssignment, Zone
from lianyan.principal import Principal, Role

KINDERGARTEN_COLUMNS = ["幼儿园名称", "县（市、区）", "教研责任区", "城乡类型", "办园性质", "等级"]
PEOPLE_COLUMNS = ["姓名", "手机号", "县（市、区）", "工作单位（幼儿园）", "职务", "职称", "角色"]
PEOPLE_ROLES = {"教师": Role.TEACHER, "园长": Role.DIRECTOR, "": None}
MAX_ROWS = 5000
_PHONE = re.compile(r"^1\d{10}$")


def _importable_counties(actor: Principal) -> Any:
    # The admin runs imports for everyone (it opens the logins that follow).
    if actor.is_city or actor.has(Role.ADMIN):
        return County.select(County.id, County.name).order_by(County.code)
    return (
        County.select(County.id, County.name)
        .where(County.id.is_in(list(actor.counties(Role.COUNTY_OFFICER)) or [0]))
        .order_by(County.code)
    )


def _template(columns: list[str], choices: dict[int, list[str]], note: str) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.title = "数据"
    excel.append_row(sheet, columns)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor="DDEBF7")
    lists = book.create_sheet("选项")
    for index, values in choices.items():
        letter = chr(ord("A") + index)
        for row, value in enumerate(values, start=1):
            lists[f"{letter}{row}"] = excel.cell_value(value)
        if values:
            rule = DataValidation(
                type="list",
                formula1=f"=选项!${letter}$1:${letter}${len(values)}",
                allow_blank=True,
                showErrorMessage=True,
                errorTitle="不在可选范围内",
                error="请从下拉列表中选择。",
            )
            sheet.add_data_validation(rule)
            rule.add(f"{letter}2:{letter}{MAX_ROWS + 1}")
    for index in range(len(columns)):
        sheet.column_dimensions[chr(ord("A") + index)].width = 22
    info = book.create_sheet("说明")
    info["A1"] = excel.cell_value(note)
    return excel.workbook_bytes(book)


async def kindergarten_template(actor: Principal) -> bytes:
    """The kindergarten template, with dropdowns for county, locale, ownership and level."""
    counties = [r["name"] for r in await _importable_counties(actor)]
    return _template(
        KINDERGARTEN_COLUMNS,
        {
            1: counties,
            3: list(labels.LOCALE.values()),
            4: list(labels.OWNERSHIP.values()),
            5: list(labels.KINDERGARTEN_LEVEL.values()),
        },
        "带 * 的列必填：幼儿园名称、县（市、区）、城乡类型、办园性质。教研责任区填写已有责任区的名称，可留空。",
    )


async def people_template(actor: Principal) -> bytes:
    """The people template, with dropdowns for county and role."""
    counties = [r["name"] for r in await _importable_counties(actor)]
    return _template(
        PEOPLE_COLUMNS,
        {2: counties, 6: [k for k in PEOPLE_ROLES if k]},
        "必填：姓名、县（市、区）。手机号为 11 位数字，不能与已登记人员重复。"
        "工作单位填写本县已有幼儿园的名称；角色可选“教师”或“园长”（须同时填写工作单位）。",
    )


def _read_rows(content: bytes, filename: str | None, limit: int, columns: list[str]) -> Iterable[
    tuple[int, dict[str, str]]
]:
    if not content:
        raise InvalidInput("import.empty", "上传的文件是空的。")
    if len(content) > limit:
        raise TooLarge("upload.too_large", f"文件超过 {human_size(limit)} 的上限。")
    not_excel = InvalidInput(
        "import.not_excel", "上传的文件不是 Excel（.xlsx）文件，请下载模板填写后再上传。"
    )
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            if "xl/workbook.xml" not in archive.namelist():
                raise not_excel
            office.refuse_doctype(archive)
        book = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError):
        raise not_excel from None
    sheet = book.worksheets[0]
    rows = sheet.iter_rows(values_only=True)
    header = [str(c or "").strip().rstrip("*") for c in next(rows, ())]
    missing = [c for c in columns if c not in header]
    if missing:
        raise InvalidInput(
            "import.columns",
            f"表头缺少以下列：{'、'.join(missing)}。请使用下载的模板。",
        )
    positions = {c: header.index(c) for c in columns}
    count = 0
    for number, values in enumerate(rows, start=2):
        cells = {
            c: ("" if values[i] is None else str(values[i]).strip()) if i < len(values) else ""
            for c, i in positions.items()
        }
        if not any(cells.values()):
            continue
        count += 1
        if count > MAX_ROWS:
            raise InvalidInput("import.too_many_rows", f"一次最多导入 {MAX_ROWS} 行。")
        yield number, cells


async def _parse(
    content: bytes, filename: str | None, limit: int, columns: list[str]
) -> list[tuple[int, dict[str, str]]]:
    """Read every row in a bounded child process (``files.office``): the file is untrusted.

    A ZIP that would inflate beyond the Office bounds is refused (``file.unreadable``) before
    anything is inflated; parsing gets a time limit and a memory cap.
    """
    if len(content) > limit:
        raise TooLarge("upload.too_large", f"文件超过 {human_size(limit)} 的上限。")
    if content.startswith(b"PK"):
        office.check_archive(io.BytesIO(content))
    rows = functools.partial(_rows_list, filename, limit, columns)
    return await office.run_bounded(rows, content)  # type: ignore[no-any-return]


def _rows_list(
    filename: str | None, limit: int, columns: list[str], content: bytes
) -> list[tuple[int, dict[str, str]]]:
    """Every row of the sheet (runs in the parse child)."""
    return list(_read_rows(content, filename, limit, columns))


def _refuse(errors: list[ImportRowError]) -> None:
    if errors:
        raise InvalidInput(
            "import.rows",
            f"导入文件中有 {len(errors)} 处错误，未导入任何数据。请修改后重新上传。",
            errors=[{"row": e.row, "column": e.column, "message": e.message} for e in errors],
        )


def _choice(
    errors: list[ImportRowError], number: int, column: str, value: str, mapping: dict[str, str],
    *, required: bool = True,
) -> str | None:
    if not value:
        if required:
            errors.append(ImportRowError(row=number, column=column, message="必填，不能为空。"))
        return None
    if value not in mapping:
        errors.append(
            ImportRowError(
                row=number,
                column=column,
                message=f"“{value}”不是可选值（{'、'.join(mapping)}）。",
            )
        )
        return None
    return mapping[value]


async def import_kindergartens(
    actor: Principal, content: bytes, *, filename: str | None, limit: int
) -> ImportResult:
    """Create kindergartens from a filled template; refuse the whole file on any error."""
    counties = {r["name"]: r["id"] for r in await _importable_counties(actor)}
    all_counties = {r["name"] for r in await County.select(County.name)}
    zones = {
        (r["county"], r["name"]): r["id"]
        for r in await Zone.select(Zone.id, Zone.county, Zone.name)
    }
    existing = {
        (r["county"], r["name"])
        for r in await Kindergarten.select(Kindergarten.county, Kindergarten.name)
    }
    errors: list[ImportRowError] = []
    new: list[Kindergarten] = []
    seen: set[tuple[int, str]] = set()
    now = clock.now()
    for number, cells in await _parse(content, filename, limit, KINDERGARTEN_COLUMNS):
        name = cells["幼儿园名称"]
        if not name:
            errors.append(ImportRowError(row=number, column="幼儿园名称", message="必填，不能为空。"))
        elif len(name) > 100:
            errors.append(ImportRowError(row=number, column="幼儿园名称", message="不能超过 100 个字。"))
        county_name = cells["县（市、区）"]
        county_id = counties.get(county_name)
        if county_id is None:
            message = (
                "必填，不能为空。" if not county_name
                else f"您无权导入“{county_name}”的幼儿园。" if county_name in all_counties
                else f"没有名为“{county_name}”的县（市、区）。"
            )
            errors.append(ImportRowError(row=number, column="县（市、区）", message=message))
        zone_id = None
        if cells["教研责任区"] and county_id is not None:
            zone_id = zones.get((county_id, cells["教研责任区"]))
            if zone_id is None:
                errors.append(
                    ImportRowError(
                        row=number,
                        column="教研责任区",
                        message=f"{county_name}没有名为“{cells['教研责任区']}”的教研责任区。",
                    )
                )
        locale = _choice(errors, number, "城乡类型", cells["城乡类型"], labels.reverse(labels.LOCALE))
        ownership = _choice(
            errors, number, "办园性质", cells["办园性质"], labels.reverse(labels.OWNERSHIP)
        )
        level = _choice(
            errors, number, "等级", cells["等级"], labels.reverse(labels.KINDERGARTEN_LEVEL),
            required=False,
        ) or "unrated"
        if county_id is not None and name:
            if (county_id, name) in existing:
                errors.append(
                    ImportRowError(row=number, column="幼儿园名称", message=f"“{name}”已存在。")
                )
            elif (county_id, name) in seen:
                errors.append(
                    ImportRowError(row=number, column="幼儿园名称", message=f"“{name}”在文件中重复。")
                )
            seen.add((county_id, name))
        new.append(
            Kindergarten(
                county=county_id, zone=zone_id, name=name, locale=locale, ownership=ownership,
                level=level, created_at=now,
            )
        )
    if not new and not errors:
        raise InvalidInput("import.empty", "文件中没有数据行。")
    _refuse(errors)
    async with atomic():
        created = await Kindergarten.insert(*new)
        await indexing.changed("kindergarten", *(r["id"] for r in created))
        await audit.record(actor, "kindergarten.import", "import", 0, rows=len(new))
    return ImportResult(created=len(new))


async def import_people(
    actor: Principal, content: bytes, *, filename: str | None, limit: int
) -> ImportResult:
    """Create people (and their teacher or director role) from a filled template."""
    counties = {r["name"]: r["id"] for r in await _importable_counties(actor)}
    if not counties:
        raise Forbidden("auth.forbidden", "您无权导入人员。")
    kindergartens = {
        (r["county"], r["name"]): r for r in await Kindergarten.select(
            Kindergarten.id, Kindergarten.county, Kindergarten.name, Kindergarten.zone
        ).where(Kindergarten.county.is_in(list(counties.values())))
    }
    phones = {
        r["phone"] for r in await Person.select(Person.phone).where(Person.phone.is_not_null())
    }
    errors: list[ImportRowError] = []
    rows: list[tuple[dict[str, Any], str | None, dict[str, Any] | None]] = []
    now = clock.now()
    for number, cells in await _parse(content, filename, limit, PEOPLE_COLUMNS):
        name = cells["姓名"]
        if not name or len(name) > 50:
            errors.append(ImportRowError(row=number, column="姓名", message="必填，不超过 50 个字。"))
        phone = cells["手机号"].replace(" ", "").removesuffix(".0") or None
        if phone is not None:
            if not _PHONE.match(phone):
                errors.append(
                    ImportRowError(row=number, column="手机号", message=f"“{phone}”不是 11 位手机号。")
                )
            elif phone in phones:
                errors.append(
                    ImportRowError(row=number, column="手机号", message=f"{phone} 已登记或在文件中重复。")
                )
            phones.add(phone)
        county_id = counties.get(cells["县（市、区）"])
        if county_id is None:
            errors.append(
                ImportRowError(
                    row=number, column="县（市、区）",
                    message="必填，不能为空。" if not cells["县（市、区）"]
                    else f"“{cells['县（市、区）']}”不是您可以导入的县（市、区）。",
                )
            )
        kg = None
        if cells["工作单位（幼儿园）"] and county_id is not None:
            kg = kindergartens.get((county_id, cells["工作单位（幼儿园）"]))
            if kg is None:
                errors.append(
                    ImportRowError(
                        row=number, column="工作单位（幼儿园）",
                        message=f"本县没有名为“{cells['工作单位（幼儿园）']}”的幼儿园。",
                    )
                )
        role = _choice(errors, number, "角色", cells["角色"], PEOPLE_ROLES, required=False)  # type: ignore[arg-type]
        if role and kg is None and cells["工作单位（幼儿园）"] == "":
            errors.append(
                ImportRowError(row=number, column="角色", message="教师或园长必须填写工作单位（幼儿园）。")
            )
        rows.append(
            (
                {
                    "name": name, "phone": phone, "county": county_id,
                    "kindergarten": kg["id"] if kg else None,
                    "unit": cells["工作单位（幼儿园）"], "job_title": cells["职务"],
                    "professional_title": cells["职称"], "created_at": now,
                },
                role,
                kg,
            )
        )
    if not rows and not errors:
        raise InvalidInput("import.empty", "文件中没有数据行。")
    _refuse(errors)
    async with atomic():
        inserted = await Person.insert(*(Person(**values) for values, _, _ in rows))
        await indexing.changed("person", *(r["id"] for r in inserted))
        grants = [
            RoleAssignment(
                person=created["id"], role=role, county=kg["county"], zone=kg["zone"],
                kindergarten=kg["id"], created_at=now,
            )
            for created, (_, role, kg) in zip(inserted, rows, strict=True)
            if role and kg
        ]
        if grants:
            await RoleAssignment.insert(*grants)
        await audit.record(actor, "person.import", "import", 0, rows=len(rows))
    return ImportResult(created=len(rows), person_ids=[int(r["id"]) for r in inserted])


#: The importers of the import page, by the kind chosen on it.
IMPORTERS = {"kindergartens": import_kindergartens, "people": import_people}


async def run_import(
    actor: Principal, kind: str, content: bytes, *, filename: str | None, limit: int
) -> Any:
    """Run the importer of ``kind`` (``import.kind`` when there is no such kind)."""
    if kind not in IMPORTERS:
        raise InvalidInput("import.kind", "请选择导入类型：幼儿园或人员。", field="kind")
    return await IMPORTERS[kind](actor, content, filename=filename, limit=limit)
