"""Exports of one exchange: the scores and comments as an xlsx, all designs as one zip.

The workbook goes through ``lianyan.excel`` (no stored text can break it). The zip is
streamed: entries are stored, not deflated (documents, slides and videos are compressed
already), each object is read from the store in 1 MiB chunks and written through
``zipfile`` into a sink that is drained after every chunk, so the app holds at most a chunk
or two whatever the size of the exchange (benchmark: ``tests/bench/bench_zip.py``).
Non-ASCII names in the zip carry the UTF-8 flag (``zipfile`` sets it). Docs:
docs/exchanges.md, "Exports".
"""

from __future__ import annotations

import zipfile
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

from openpyxl import Workbook

from lianyan import clock, labels
from lianyan.errors import Forbidden
from lianyan.excel import append_row, print_layout, workbook_bytes
from lianyan.exchanges import designs
from lianyan.exchanges import schemas as s
from lianyan.exchanges.access import sees_every_design
from lianyan.exchanges.services import visible_exchange
from lianyan.exchanges.tables import Comment, Design, Score
from lianyan.files import services as files
from lianyan.files.store import ObjectStore
from lianyan.principal import Principal

PART_NAMES = {"document": "教学设计", "slides": "课件", "video": "课堂视频", "image": "图片"}


def _safe(name: str) -> str:
    """A name usable as one path part inside the zip."""
    cleaned = "".join("_" if c in '/\\:*?"<>|' or ord(c) < 32 else c for c in name).strip()
    return cleaned.strip(".") or "未命名"


# The workbook --------------------------------------------------------------------------------


async def scores_workbook(actor: Principal, exchange_id: int) -> tuple[str, bytes]:
    """The exchange's score forms and comments as an xlsx (organisers and supervisors).

    Sheets 评分 (one row per expert and design, each item with its reason), 点评 (comments
    and replies in thread order) and 汇总 (each design's averages). Returns (file name, bytes).
    """
    exchange, standing = await visible_exchange(actor, exchange_id)
    if not (standing.organiser or standing.supervisor):
        raise Forbidden("export.forbidden", "只有活动的组织者和参与县区的负责人可以导出评分和点评。")
    rows = await Design.select(*designs.DESIGN_COLUMNS).where(
        Design.exchange == exchange_id
    ).order_by(Design.participant._.group.number).order_by(Design.id)
    design_list = [designs.design_out(r) for r in rows]
    by_id = {d.id: d for d in design_list}
    ids = [d.id for d in design_list] or [0]
    scores = await Score.select(
        Score.design, Score.version.number.as_alias("version"),
        Score.expert.name.as_alias("expert_name"),
        *(getattr(Score, f"{i}{x}") for i in s.SCORE_ITEMS for x in ("", "_reason")),
        Score.updated_at,
    ).where(Score.design.is_in(ids)).order_by(Score.design).order_by(Score.id)
    comments = await Comment.select(
        Comment.id, Comment.design, Comment.parent, Comment.version.number.as_alias("version"),
        Comment.author.name.as_alias("author_name"), Comment.role, Comment.body,
        Comment.at_seconds, Comment.created_at,
    ).where(Comment.design.is_in(ids)).order_by(Comment.design).order_by(Comment.id)

    book = Workbook()
    sheet = book.active
    sheet.title = "评分"
    head = ["组别", "幼儿园", "县（市、区）", "执教教师", "专家", "针对版本"]
    for name in s.SCORE_ITEM_NAMES.values():
        head += [name, f"{name}理由"]
    append_row(sheet, [*head, "总分", "评分时间"])
    totals: dict[int, list[dict[str, Any]]] = {}
    for sc in scores:
        d = by_id[sc["design"]]
        items = []
        for item in s.SCORE_ITEMS:
            items += [sc[item], sc[f"{item}_reason"]]
        total = sum(sc[i] for i in s.SCORE_ITEMS)
        totals.setdefault(d.id, []).append({**sc, "total": total})
        append_row(sheet, [_group(d), d.kindergarten_name, d.county_name, d.teacher_name,
                           sc["expert_name"], f"第{sc['version']}版", *items, total,
                           f"{clock.local(sc['updated_at']):%Y-%m-%d %H:%M}"])
    talk = book.create_sheet("点评")
    append_row(talk, ["组别", "幼儿园", "执教教师", "作者", "身份", "针对版本", "类型",
                      "视频时间点", "内容", "时间"])
    for c in comments:
        d = by_id[c["design"]]
        append_row(talk, [_group(d), d.kindergarten_name, d.teacher_name, c["author_name"],
                          "专家" if c["role"] == "expert" else "执教教师", f"第{c['version']}版",
                          "回复" if c["parent"] else "点评", labels.moment(c["at_seconds"]),
                          c["body"],
                          f"{clock.local(c['created_at']):%Y-%m-%d %H:%M}"])
    summary = book.create_sheet("汇总")
    append_row(summary, ["组别", "幼儿园", "县（市、区）", "执教教师", "最新版本", "评分份数",
                         *(f"{n}平均" for n in s.SCORE_ITEM_NAMES.values()), "总分平均"])
    for d in design_list:
        given = totals.get(d.id, [])

        def mean(key: str, given: list[dict[str, Any]] = given) -> float | None:
            return round(sum(g[key] for g in given) / len(given), 1) if given else None

        append_row(summary, [_group(d), d.kindergarten_name, d.county_name, d.teacher_name,
                             d.latest_version, len(given),
                             *(mean(i) for i in s.SCORE_ITEMS), mean("total")])
    print_layout(sheet, [7, 18, 10, 8, 8, 7, *([9, 16] * len(s.SCORE_ITEMS)), 6, 17],
                 wrap=[2, *range(8, 8 + 2 * len(s.SCORE_ITEMS), 2)])
    print_layout(talk, [7, 18, 8, 8, 8, 7, 6, 9, 50, 17], wrap=[2, 9])
    print_layout(summary, [7, 22, 12, 9, 9, 9, *([13] * len(s.SCORE_ITEMS)), 10], wrap=[2])
    return f"{_safe(exchange.title)}-评分与点评.xlsx", workbook_bytes(book)


def _group(design: s.DesignOut) -> str:
    return f"第{design.group_number}组" if design.group_number else "未分组"


# The zip -------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ZipEntry:
    """One stored object and its path inside the zip."""

    name: str
    key: str
    size: int
    created_at: Any


class _Sink:
    """A write-only stream ``zipfile`` writes into; ``drain`` hands the bytes on."""

    def __init__(self) -> None:
        self._parts: list[bytes] = []
        self._position = 0

    def write(self, data: bytes) -> int:
        self._parts.append(bytes(data))
        self._position += len(data)
        return len(data)

    def tell(self) -> int:
        return self._position

    def flush(self) -> None:
        """Nothing is buffered beyond the parts ``drain`` hands on."""

    def drain(self) -> bytes:
        data = b"".join(self._parts)
        self._parts.clear()
        return data


async def zip_entries(actor: Principal, exchange_id: int) -> tuple[str, list[ZipEntry]]:
    """What the zip of an exchange's designs holds: the newest version of every design the
    caller may read in full (``export.forbidden`` while the blind rule hides other groups)."""
    exchange, standing = await visible_exchange(actor, exchange_id)
    if not sees_every_design(standing, blind=exchange.blind,
                             design_deadline=exchange.design_deadline, now=clock.now()):
        raise Forbidden("export.forbidden",
                        "背对背设计期间不能打包下载全部教学设计，请在设计提交截止后再下载。")
    rows = await Design.select(*designs.DESIGN_COLUMNS).where(
        (Design.exchange == exchange_id) & (Design.latest_version > 0)
    ).order_by(Design.participant._.group.number).order_by(Design.id)
    design_list = [designs.design_out(r) for r in rows]
    latest = await designs.latest_versions([d.id for d in design_list])
    wanted: list[tuple[str, int]] = []
    for d in design_list:
        version = latest.get(d.id)
        if version is None:
            continue
        folder = f"{_group(d)}/{_safe(d.kindergarten_name)}-{_safe(d.teacher_name)}"
        for part in ("document", "slides", "video"):
            f = getattr(version, part)
            if f is not None:
                wanted.append((f"{folder}/{PART_NAMES[part]}-{_safe(f.original_name)}", f.id))
        for number, image in enumerate(version.images, start=1):
            wanted.append((f"{folder}/{PART_NAMES['image']}{number}-{_safe(image.original_name)}",
                           image.id))
    ids = [i for _, i in wanted]
    records = await files.files_by_id(ids)
    keys = await files.object_keys(ids)
    entries, seen = [], set()
    for name, file_id in wanted:
        record, key = records.get(file_id), keys.get(file_id)
        if record is None or key is None:
            continue
        unique, n = name, 2
        while unique in seen:
            stem, dot, ext = name.rpartition(".")
            unique = f"{stem}（{n}）.{ext}" if dot else f"{name}（{n}）"
            n += 1
        seen.add(unique)
        entries.append(ZipEntry(name=unique, key=key, size=record.size,
                                created_at=clock.local(record.created_at)))
    return f"{_safe(exchange.title)}-教学设计.zip", entries


async def stream_zip(store: ObjectStore, entries: list[ZipEntry]) -> AsyncIterator[bytes]:
    """The zip of ``entries``, chunk by chunk, never holding more than a chunk of a file."""
    sink = _Sink()
    with zipfile.ZipFile(sink, mode="w", compression=zipfile.ZIP_STORED) as archive:  # type: ignore[call-overload]
        for entry in entries:
            info = zipfile.ZipInfo(entry.name, date_time=entry.created_at.timetuple()[:6])
            info.compress_type = zipfile.ZIP_STORED
            info.file_size = entry.size
            with archive.open(info, mode="w", force_zip64=entry.size >= 2**31) as target:
                async for chunk in store.iter_chunks(entry.key):
                    target.write(chunk)
                    if data := sink.drain():
                        yield data
            if data := sink.drain():
                yield data
    if data := sink.drain():
        yield data
