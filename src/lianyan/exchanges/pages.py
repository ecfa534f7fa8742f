"""Pages of the 同研异构 exchanges (Chinese, phone-width first).

The officer's exchange form and pairing editor, the exchange page, the teacher's design page
(uploads, comments, replies, notes, scores), the expert's review queue, the comparison view,
the library and the notices. Every page calls the same services as the API and shows the
API's Chinese ``detail`` when a rule refuses something.
"""

from __future__ import annotations

import datetime as dt
from typing import Any
from urllib.parse import quote

import msgspec
from litestar import Controller, Request, get, post
from litestar.datastructures import UploadFile
from litestar.response import Redirect, Template

from lianyan import clock
from lianyan.auth.principal import Principal
from lianyan.auth.roles import Role
from lianyan.errors import Forbidden, InvalidInput, LianyanError
from lianyan.exchanges import designs, highlights, notifications, reviews, services
from lianyan.exchanges import schemas as s
from lianyan.files.services import limits_from
from lianyan.files.store import ObjectStore
from lianyan.org import services as org
from lianyan.settings import Settings
from lianyan.web.access import SIGNED_IN, access
from lianyan.web.forms import int_or_none
from lianyan.web.home import register_section
from lianyan.web.pages import page

ORGANISERS = (Role.CITY_ADMIN, Role.COUNTY_OFFICER)
Form = Any


async def _page(template: str, actor: Principal, status_code: int = 200, **context: Any) -> Template:
    """A page of this domain, with the unread notice count for the badge."""
    unread = await notifications.unread_count_of(actor)
    return page(template, actor, status_code=status_code, unread=unread, **context)


def _text(form: Form, name: str) -> str:
    value = form.get(name)
    return value.strip() if isinstance(value, str) else ""


def _int(form: Form, name: str) -> int | None:
    return int_or_none(_text(form, name))


def _when(form: Form, name: str, label: str) -> dt.datetime:
    """A ``datetime-local`` field as an aware time in the city's zone."""
    value = _text(form, name)
    try:
        return dt.datetime.fromisoformat(value).replace(tzinfo=clock.CITY_TZ)
    except ValueError:
        raise InvalidInput("request.invalid", f"请填写{label}。") from None


def _back(path: str, message: str = "") -> Redirect:
    return Redirect(f"{path}{'?done=' + quote(message) if message else ''}", status_code=303)


class ExchangePages(Controller):
    """``/exchanges``, ``/designs``, ``/reviews``, ``/library``, ``/notifications``."""

    path = "/"
    include_in_schema = False

    # Exchanges -------------------------------------------------------------------------------

    @get("/exchanges", opt=access(SIGNED_IN))
    async def exchanges(self, actor: Principal, q: str | None = None) -> Template:
        """The caller's exchanges."""
        items, total = await services.list_exchanges(actor, q=q, limit=200)
        return await _page(
            "exchanges/list.html", actor, items=items, total=total, q=q or "",
            can_create=actor.has(*ORGANISERS),
        )

    @get("/exchanges/new", opt=access(*ORGANISERS))
    async def new_exchange(self, actor: Principal) -> Template:
        """The form for a new exchange."""
        return await self._form(actor, {}, None)

    async def _form(
        self, actor: Principal, values: dict[str, str], error: str | None, status: int = 200
    ) -> Template:
        counties = await org.list_counties(actor)
        if not actor.is_city:
            mine = actor.counties(Role.COUNTY_OFFICER)
            counties = [c for c in counties if c.id in mine]
        return await _page(
            "exchanges/form.html", actor, status_code=status, values=values, error=error,
            counties=counties,
        )

    @post("/exchanges/new", opt=access(*ORGANISERS))
    async def create_exchange(self, actor: Principal, request: Request[Any, Any, Any]) -> Any:
        """Create the exchange and open its page."""
        form = await request.form()
        try:
            data = msgspec.convert(
                {
                    "title": _text(form, "title"),
                    "content": _text(form, "content"),
                    "age_group": _text(form, "age_group"),
                    "domain": _text(form, "domain"),
                    "mode": _text(form, "mode"),
                    "starts_at": _when(form, "starts_at", "活动时间"),
                    "place": _text(form, "place"),
                    "meeting_link": _text(form, "meeting_link"),
                    "county_id": _int(form, "county_id"),
                    "design_deadline": _when(form, "design_deadline", "教学设计提交截止时间"),
                    "comment_deadline": _when(form, "comment_deadline", "专家点评截止时间"),
                    "blind": _text(form, "blind") == "on",
                },
                s.ExchangeIn,
            )
            exchange = await services.create_exchange(actor, data)
        except msgspec.ValidationError:
            return await self._form(
                actor, dict(form.items()), "请完整填写活动名称、教学内容、年龄段、领域和方式。", 400
            )
        except LianyanError as exc:
            return await self._form(actor, dict(form.items()), exc.detail, exc.status)
        return _back(f"/exchanges/{exchange.id}", "交流活动已创建，下一步请邀请专家并配对参与园。")

    @get("/exchanges/{exchange_id:int}", opt=access(SIGNED_IN))
    async def exchange(
        self, actor: Principal, exchange_id: int, done: str | None = None
    ) -> Template:
        """One exchange: groups, designs, experts and what the caller can do next."""
        return await exchange_page(actor, exchange_id, done=done)

    @post("/exchanges/{exchange_id:int}/experts", opt=access(*ORGANISERS))
    async def invite(
        self, actor: Principal, exchange_id: int, request: Request[Any, Any, Any]
    ) -> Any:
        """Invite the chosen expert."""
        form = await request.form()
        try:
            person_id = _int(form, "person_id")
            if person_id is None:
                raise InvalidInput("exchange.not_expert", "请选择要邀请的专家。")
            await services.invite_expert(actor, exchange_id, s.ExpertIn(person_id=person_id))
        except LianyanError as exc:
            return await self._exchange_error(actor, exchange_id, exc)
        return _back(f"/exchanges/{exchange_id}", "已邀请专家，并已通知本人。")

    @post("/exchanges/{exchange_id:int}/experts/{person_id:int}/remind", opt=access(*ORGANISERS))
    async def remind(self, actor: Principal, exchange_id: int, person_id: int) -> Any:
        """One-click reminder to a late expert."""
        try:
            await notifications.remind_expert(actor, exchange_id, person_id)
        except LianyanError as exc:
            return await self._exchange_error(actor, exchange_id, exc)
        return _back(f"/exchanges/{exchange_id}", "已提醒该专家。")

    @post("/exchanges/{exchange_id:int}/my-design", opt=access(Role.TEACHER))
    async def start_design(self, actor: Principal, exchange_id: int) -> Any:
        """Start the caller's design (or open it) and go to its page."""
        existing = await designs.my_design_id(actor, exchange_id)
        if existing is None:
            try:
                existing = (await designs.create_design(actor, exchange_id, s.DesignIn())).id
            except LianyanError as exc:
                return await self._exchange_error(actor, exchange_id, exc)
        return Redirect(f"/designs/{existing}", status_code=303)

    @post("/exchanges/{exchange_id:int}/highlight", opt=access(*ORGANISERS))
    async def push(
        self, actor: Principal, exchange_id: int, request: Request[Any, Any, Any]
    ) -> Any:
        """Push the finished exchange to the city."""
        form = await request.form()
        try:
            await highlights.push(actor, exchange_id, s.HighlightIn(summary=_text(form, "summary")))
        except LianyanError as exc:
            return await self._exchange_error(actor, exchange_id, exc)
        return _back(f"/exchanges/{exchange_id}", "已推送到市教育局，等待收录。")

    async def _exchange_error(
        self, actor: Principal, exchange_id: int, exc: LianyanError
    ) -> Template:
        return await exchange_page(actor, exchange_id, error=exc.detail, status_code=exc.status)

    # Pairing ---------------------------------------------------------------------------------

    @get("/exchanges/{exchange_id:int}/pairing", opt=access(*ORGANISERS))
    async def pairing(
        self, actor: Principal, exchange_id: int, county_id: list[int] | None = None,
        q: str | None = None,
    ) -> Template:
        """Choose candidates (by county), or edit the confirmed groups."""
        exchange, standing = await services.visible_exchange(actor, exchange_id)
        if not standing.organiser:
            raise Forbidden("exchange.not_organiser", "只有活动的组织者可以配对参与园。")
        groups = await services.get_groups(actor, exchange_id)
        rows = [
            {"kindergarten_id": m.kindergarten_id, "group": g.number, "teacher_id": m.teacher_id}
            for g in groups.groups for m in g.members
        ]  # fmt: skip
        counties = await org.list_counties(actor)
        chosen = set(county_id or [])
        candidates = []
        if chosen:
            for cid in sorted(chosen):
                items, _ = await org.list_kindergartens(actor, county_id=cid, q=q, limit=200)
                candidates.extend(items)
        editor = await self._editor(rows, [g.reason for g in groups.groups])
        return await _page(
            "exchanges/pairing.html", actor, exchange=exchange, counties=counties,
            chosen=chosen, q=q or "", candidates=candidates, editor=editor, error=None,
            unpaired=[], group_size=2,
        )

    async def _editor(self, rows: list[dict[str, Any]], reasons: list[str]) -> dict[str, Any]:
        """What the editor table shows: one row per kindergarten, its group and teacher."""
        ids = [r["kindergarten_id"] for r in rows]
        kgs = {k.kindergarten_id: k for k in (await services.candidates_by_id(ids)).values()}
        teachers = await services.teacher_choices(ids)
        count = max([r["group"] or 0 for r in rows] + [len(reasons), 0])
        return {
            "rows": [
                {**r, "kg": kgs[r["kindergarten_id"]],
                 "teachers": teachers.get(r["kindergarten_id"], [])}
                for r in rows if r["kindergarten_id"] in kgs
            ],
            "reasons": reasons,
            "group_numbers": list(range(1, count + 2)),
        }  # fmt: skip

    @post("/exchanges/{exchange_id:int}/pairing/suggest", opt=access(*ORGANISERS))
    async def suggest(
        self, actor: Principal, exchange_id: int, request: Request[Any, Any, Any]
    ) -> Template:
        """Ask for a suggestion and show it in the editor with its reasons."""
        form = await request.form()
        exchange, _ = await services.visible_exchange(actor, exchange_id)
        ids = [i for i in (int_or_none(str(v)) for v in form.getall("candidate_ids"))
               if i is not None]
        size = 3 if _text(form, "group_size") == "3" else 2
        error = None
        unpaired: list[dict[str, Any]] = []
        rows: list[dict[str, Any]] = []
        reasons: list[str] = []
        try:
            if len(ids) < 2:
                raise InvalidInput("pairing.too_few", "请至少选择两所不同县（市、区）的幼儿园。")
            suggestion = await services.suggest_pairing(
                actor, exchange_id, s.SuggestIn(candidate_ids=ids, group_size=size)
            )
        except LianyanError as exc:
            error = exc.detail
        else:
            teachers = await services.teacher_choices(ids)
            for number, group in enumerate(suggestion.groups, start=1):
                reasons.append(group.reason)
                for kg_id in group.kindergarten_ids:
                    first = (teachers.get(kg_id) or [{"id": None}])[0]["id"]
                    rows.append({"kindergarten_id": kg_id, "group": number, "teacher_id": first})
            names = await services.candidates_by_id([u.kindergarten_id for u in suggestion.unpaired])
            for u in suggestion.unpaired:
                rows.append({"kindergarten_id": u.kindergarten_id, "group": None,
                             "teacher_id": None})
                unpaired.append({"name": names[u.kindergarten_id].name, "reason": u.reason})
        editor = await self._editor(rows, reasons)
        return await _page(
            "exchanges/pairing.html", actor, status_code=400 if error else 200,
            exchange=exchange, counties=[], chosen=set(), q="", candidates=[], editor=editor,
            error=error, unpaired=unpaired, group_size=size,
        )

    @post("/exchanges/{exchange_id:int}/pairing/confirm", opt=access(*ORGANISERS))
    async def confirm(
        self, actor: Principal, exchange_id: int, request: Request[Any, Any, Any]
    ) -> Any:
        """Save the edited groups; on a refusal, show the editor again with the message."""
        form = await request.form()
        rows: list[dict[str, Any]] = []
        for kg in form.getall("kindergarten_ids"):
            if int_or_none(str(kg)) is None:
                continue
            rows.append({
                "kindergarten_id": int(kg),
                "group": _int(form, f"group_{kg}"),
                "teacher_id": _int(form, f"teacher_{kg}"),
            })  # fmt: skip
        reasons = {int(k[7:]): _text(form, k) for k in form if k.startswith("reason_")
                   and k[7:].isascii() and k[7:].isdigit()}  # fmt: skip
        numbers = sorted({r["group"] for r in rows if r["group"]})
        try:
            missing = [r for r in rows if r["group"] and not r["teacher_id"]]
            if missing:
                raise InvalidInput("pairing.teacher", "请为每所参与园选择执教教师。")
            data = s.GroupsIn(
                groups=[
                    s.GroupIn(
                        members=[
                            s.MemberIn(kindergarten_id=r["kindergarten_id"],
                                       teacher_id=r["teacher_id"])
                            for r in rows if r["group"] == number
                        ],
                        reason=reasons.get(number, "")[:300],
                    )
                    for number in numbers
                ]
            ) if numbers else None
            if data is None:
                raise InvalidInput("pairing.no_groups", "请至少分出一个组。")
            await services.put_groups(actor, exchange_id, data)
        except LianyanError as exc:
            exchange, _ = await services.visible_exchange(actor, exchange_id)
            editor = await self._editor(rows, [reasons.get(n, "") for n in numbers])
            return await _page(
                "exchanges/pairing.html", actor, status_code=exc.status, exchange=exchange,
                counties=[], chosen=set(), q="", candidates=[], editor=editor,
                error=exc.detail, unpaired=[], group_size=2,
            )
        return _back(f"/exchanges/{exchange_id}", "分组已确认，已通知各组执教教师。")

    # Designs ---------------------------------------------------------------------------------

    @get("/designs/{design_id:int}", opt=access(SIGNED_IN))
    async def design(
        self, actor: Principal, design_id: int, done: str | None = None
    ) -> Template:
        """A design: its versions, files, sections, comments, notes and scores."""
        return await design_page(actor, design_id, done=done)

    async def _design_error(self, actor: Principal, design_id: int, exc: LianyanError) -> Any:
        return await design_page(actor, design_id, error=exc.detail, status_code=exc.status)

    @post("/designs/{design_id:int}/upload", opt=access(Role.TEACHER))
    async def upload(
        self, actor: Principal, store: ObjectStore, settings: Settings, design_id: int,
        request: Request[Any, Any, Any],
    ) -> Any:
        """Upload one part as a new version."""
        form = await request.form()
        upload = form.get("file")
        try:
            if not isinstance(upload, UploadFile) or not upload.filename:
                raise InvalidInput("upload.missing", "请选择要上传的文件。")
            version = await designs.add_version(
                actor, store, design_id, kind=_text(form, "kind"), fileobj=upload.file,
                filename=upload.filename, limits=limits_from(settings.uploads),
            )
        except LianyanError as exc:
            return await self._design_error(actor, design_id, exc)
        finally:
            if isinstance(upload, UploadFile):
                await upload.close()
        return _back(f"/designs/{design_id}", f"已上传，生成第 {version.number} 版。")

    @post("/designs/{design_id:int}/comment", opt=access(SIGNED_IN))
    async def comment(
        self, actor: Principal, design_id: int, request: Request[Any, Any, Any]
    ) -> Any:
        """Post a comment or a reply."""
        form = await request.form()
        try:
            body = _text(form, "body")
            if not body:
                raise InvalidInput("comment.empty", "请填写点评或回复的内容。")
            await reviews.post_comment(
                actor, design_id,
                s.CommentIn(body=body, parent_id=_int(form, "parent_id"),
                            version=_int(form, "version")),
            )
        except LianyanError as exc:
            return await self._design_error(actor, design_id, exc)
        return Redirect(f"/designs/{design_id}#comments", status_code=303)

    @post("/designs/{design_id:int}/note", opt=access(SIGNED_IN))
    async def note(
        self, actor: Principal, design_id: int, request: Request[Any, Any, Any]
    ) -> Any:
        """Write a peer observation note."""
        form = await request.form()
        try:
            body = _text(form, "body")
            if not body:
                raise InvalidInput("note.empty", "请填写听课记录的内容。")
            await reviews.post_note(actor, design_id, s.NoteIn(body=body))
        except LianyanError as exc:
            return await self._design_error(actor, design_id, exc)
        return Redirect(f"/designs/{design_id}#notes", status_code=303)

    @post("/designs/{design_id:int}/score", opt=access(Role.EXPERT))
    async def score(
        self, actor: Principal, design_id: int, request: Request[Any, Any, Any]
    ) -> Any:
        """Fill or change one's own score form."""
        form = await request.form()
        try:
            items: dict[str, Any] = {}
            for item, name in s.SCORE_ITEM_NAMES.items():
                mark, reason = _int(form, f"{item}_score"), _text(form, f"{item}_reason")
                if mark is None or not 1 <= mark <= 5 or not reason:
                    raise InvalidInput("score.item", f"请为“{name}”打 1–5 分并写一句理由。")
                items[item] = s.ScoreItem(score=mark, reason=reason[:200])
            await reviews.put_score(actor, design_id, s.ScoreIn(**items))
        except LianyanError as exc:
            return await self._design_error(actor, design_id, exc)
        return Redirect(f"/designs/{design_id}#scores", status_code=303)

    # Comparison, reviews, library, notices ---------------------------------------------------

    @get("/exchanges/{exchange_id:int}/compare", opt=access(SIGNED_IN))
    async def compare(self, actor: Principal, exchange_id: int, group: int) -> Template:
        """The designs of one group side by side by section."""
        exchange, _ = await services.visible_exchange(actor, exchange_id)
        result = await reviews.compare(actor, exchange_id, group)
        return await _page(
            "exchanges/compare.html", actor, exchange=exchange, result=result,
            score_items=s.SCORE_ITEM_NAMES,
        )

    @get("/reviews", opt=access(Role.EXPERT))
    async def review_queue(self, actor: Principal) -> Template:
        """The expert's review queue: designs to comment on and score."""
        queue = await reviews.review_queue(actor)
        return await _page(
            "exchanges/reviews.html", actor, queue=queue,
            todo=sum(1 for q in queue if q["open"] and not (q["commented"] and q["scored"])),
        )

    @get("/library", opt=access(SIGNED_IN))
    async def library(
        self, actor: Principal, q: str | None = None, age_group: str | None = None,
        domain: str | None = None, done: str | None = None,
    ) -> Template:
        """The shared resource library, and the city's pushed highlights to accept."""
        items, total = await highlights.library(
            actor, q=q, age_group=age_group or None, domain=domain or None, limit=200
        )
        pending: list[s.HighlightOut] = []
        if actor.is_city:
            pending, _ = await highlights.list_highlights(actor, status="pushed", limit=200)
        return await _page(
            "exchanges/library.html", actor, items=items, total=total, q=q or "",
            age_group=age_group or "", domain=domain or "", pending=pending, done=done,
        )

    @post("/highlights/{highlight_id:int}/accept", opt=access(Role.CITY_ADMIN))
    async def accept(self, actor: Principal, highlight_id: int) -> Any:
        """Accept a pushed highlight into the library."""
        try:
            accepted = await highlights.accept(actor, highlight_id)
        except LianyanError as exc:
            return _back("/library", exc.detail)
        return _back("/library", f"已收录《{accepted.title}》。")

    @get("/notifications", opt=access(SIGNED_IN))
    async def notices(self, actor: Principal) -> Template:
        """The caller's notices."""
        result = await notifications.list_notifications(actor, limit=200)
        return await _page(
            "exchanges/notifications.html", actor, result=result,
            kind_names=notifications.KIND_NAMES,
        )

    @get("/notifications/{notification_id:int}", opt=access(SIGNED_IN))
    async def open_notice(self, actor: Principal, notification_id: int) -> Redirect:
        """Mark a notice read and go where it points."""
        notice = await notifications.mark_read(actor, notification_id)
        target = notice.link if notice.link.startswith("/") else "/notifications"
        return Redirect(target, status_code=303)

    @post("/notifications/read-all", opt=access(SIGNED_IN))
    async def read_all(self, actor: Principal) -> Redirect:
        """Mark every notice read."""
        await notifications.mark_all_read(actor)
        return Redirect("/notifications", status_code=303)


async def exchange_page(
    actor: Principal, exchange_id: int, *, done: str | None = None, error: str | None = None,
    status_code: int = 200,
) -> Template:
    """The exchange page (also shown again, with the message, when an action is refused)."""
    exchange, standing = await services.visible_exchange(actor, exchange_id)
    groups = await services.get_groups(actor, exchange_id)
    visible, _ = await designs.list_designs(actor, exchange_id, limit=200)
    experts = await services.list_experts(actor, exchange_id)
    choices = await services.expert_choices(actor) if standing.organiser else []
    invited = {e.person_id for e in experts}
    return await _page(
        "exchanges/detail.html", actor, status_code=status_code, exchange=exchange,
        standing=standing, groups=groups, visible={d.id for d in visible}, experts=experts,
        expert_choices=[c for c in choices if c["id"] not in invited],
        my_design=await designs.my_design_id(actor, exchange_id),
        done=done, error=error, now=clock.now(),
    )


async def design_page(
    actor: Principal, design_id: int, *, done: str | None = None, error: str | None = None,
    status_code: int = 200,
) -> Template:
    """The design page (also shown again, with the message, when an action is refused)."""
    context = await designs.design_context(actor, design_id)
    versions = await designs.list_versions(actor, design_id)
    comments, _ = await reviews.list_comments(actor, design_id)
    notes, _ = await reviews.list_notes(actor, design_id)
    scores = await reviews.list_scores(actor, design_id)
    mine = next((x for x in scores.items if x.expert_id == actor.person_id), None)
    now = clock.now()
    exchange = context.exchange
    return await _page(
        "exchanges/design.html", actor, status_code=status_code, context=context,
        design=context.design, exchange=exchange, versions=versions,
        threads=_threads(comments), notes=notes, scores=scores, my_score=mine,
        can_upload=context.is_teacher and now < exchange.comment_deadline,
        late=now >= exchange.design_deadline, open=now < exchange.comment_deadline,
        done=done, error=error, section_names=s.SECTION_NAMES,
        score_items=s.SCORE_ITEM_NAMES, kind_names=designs.KIND_NAMES,
    )


def _threads(comments: list[s.CommentOut]) -> list[dict[str, Any]]:
    """Comments as threads: each top-level comment with its replies in order."""
    by_parent: dict[int | None, list[s.CommentOut]] = {}
    for comment in comments:
        by_parent.setdefault(comment.parent_id, []).append(comment)

    def replies(comment_id: int, depth: int) -> list[dict[str, Any]]:
        result = []
        for reply in by_parent.get(comment_id, []):
            result.append({"comment": reply, "depth": depth})
            result.extend(replies(reply.id, depth + 1))
        return result

    return [
        {"comment": top, "replies": replies(top.id, 1)} for top in by_parent.get(None, [])
    ]


async def home_section(actor: Principal) -> dict[str, Any] | None:
    """The dashboard card: unread notices and the caller's exchanges that are still open."""
    items, total = await services.list_exchanges(actor, limit=5)
    unread = await notifications.unread_count_of(actor)
    if not items and not unread:
        return None
    return {"exchanges_items": items, "exchanges_total": total, "unread_notices": unread}


register_section("exchanges/_home.html", home_section)
