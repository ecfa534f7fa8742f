"""Pages of the 同研异构 exchanges (Chinese, phone-width first).

The officer's exchange form and pairing editor, the exchange page, the teacher's design page
(uploads, comments, replies, notes, scores), the expert's review queue, the comparison view,
the library and the notices. Every page calls the same services as the API and shows the
API's Chinese ``detail`` when a rule refuses something.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from typing import Any
from urllib.parse import quote

from litestar import Controller, Request, get, post
from litestar.response import Redirect, Template

from lianyan import clock
from lianyan.errors import LianyanError, NotFound
from lianyan.exchanges import (
    chasing,
    designs,
    highlights,
    notifications,
    proposals,
    reviews,
    services,
)
from lianyan.exchanges import schemas as s
from lianyan.exchanges.access import ORGANISERS, sees_every_design
from lianyan.files import media_jobs, office
from lianyan.files.preview import INLINE_TYPES
from lianyan.files.services import limits_from
from lianyan.files.store import ObjectStore
from lianyan.labels import book
from lianyan.org import services as org
from lianyan.principal import Principal, Role
from lianyan.settings import Settings
from lianyan.web import sections as home_cards
from lianyan.web.access import SIGNED_IN, access
from lianyan.web.forms import (
    CHECKED,
    NO_FORM,
    Form,
    FormState,
    act_and_return,
    int_or_none,
    read_form,
    submit,
)
from lianyan.web.pages import page
from lianyan.web.sections import register_section

AnyRequest = Request[Any, Any, Any]
UNREADABLE_VIEW = "该文档无法在线阅读（文件内容无法读取），请下载原文件查看。"


async def _page(template: str, actor: Principal, status_code: int = 200, **context: Any) -> Template:
    """A page of this domain, with the unread notice count for the badge."""
    unread = await notifications.unread_count_of(actor)
    return page(template, actor, status_code=status_code, unread=unread, **context)


def _done(path: str, message: str = "") -> str:
    return f"{path}{'?done=' + quote(message) if message else ''}"


def _pairing_rows(form: Form) -> list[dict[str, Any]]:
    """The editor's rows as sent: kindergarten, group number and teacher of each.

    The numbers are hidden fields and selects, so a wrong one is refused (``int_or_none``).
    """
    return [
        {"kindergarten_id": int_or_none(kg), "group": int_or_none(form.text(f"group_{kg}")),
         "teacher_id": form.text(f"teacher_{kg}")}
        for kg in form.all("kindergarten_ids")
    ]


def _editor_rows(form: Form) -> list[dict[str, Any]]:
    """The editor's rows as sent, for showing them again: anything not a number is dropped."""
    def number(text: str) -> int | None:
        return int(text) if text.isascii() and text.isdigit() else None

    rows = [{"kindergarten_id": number(kg), "group": number(form.text(f"group_{kg}")),
             "teacher_id": number(form.text(f"teacher_{kg}"))}
            for kg in form.all("kindergarten_ids")]
    return [r for r in rows if r["kindergarten_id"] is not None]


def _groups_body(form: Form) -> dict[str, Any]:
    """The pairing editor as the body of ``PUT /groups``: one group per chosen number."""
    rows = _pairing_rows(form)
    numbers = sorted({r["group"] for r in rows if r["group"]})
    return {"groups": [
        {"members": [{"kindergarten_id": r["kindergarten_id"], "teacher_id": r["teacher_id"]}
                     for r in rows if r["group"] == number],
         "reason": form.text(f"reason_{number}")}
        for number in numbers
    ]}  # fmt: skip


def _problems_by_number(posted: FormState) -> dict[int, list[dict[str, str]]]:
    """The refusal's ``problems`` (each group's messages) by group number."""
    result: dict[int, list[dict[str, str]]] = {}
    for problem in posted.extra.get("problems", []) or []:
        number = problem.get("group") if isinstance(problem, dict) else None
        if isinstance(number, int):
            result.setdefault(number, []).append(
                {"code": str(problem.get("code", "")), "message": str(problem.get("message", ""))}
            )
    return result


#: Text fields of the edit form: sent empty, they are refused rather than left unchanged.
_EDIT_TEXT = ("title", "content", "mode", "starts_at", "place", "meeting_link",
              "design_deadline", "comment_deadline")


def _edit_body(form: Form) -> dict[str, Any]:
    """The edit form as the body of ``PATCH /exchanges/{id}``: every field it shows."""
    body: dict[str, Any] = {k: form.text(k) for k in _EDIT_TEXT if k in form.values}
    body["blind"] = form.text("blind").lower() in CHECKED
    body["host_id"] = form.text("host_id") or None
    body["expert_ids"] = form.all("expert_ids")
    return body


def _nudge_body(form: Form) -> dict[str, Any]:
    """The nudge form: whom (``to``) and the ticked people (none ticked is refused)."""
    return {"to": form.text("to"), "person_ids": form.all("person_ids")}


_MOMENT = re.compile(r"^\s*(?:(\d{1,2})\s*[:：]\s*)?(\d{1,3})\s*[:：]\s*(\d{1,2})\s*$")


def _with_moment(schema: type[Any]) -> Callable[[Form], dict[str, Any]]:
    """The form as ``schema`` with a video moment typed as 05:32 (or 1:02:03) in seconds.

    Anything else typed in ``at_seconds`` goes to the schema as it was, which refuses it with
    the field's own message.
    """
    def shape(form: Form) -> dict[str, Any]:
        values = form.fields_for(schema)
        typed = values.get("at_seconds")
        if isinstance(typed, str) and (found := _MOMENT.match(typed)):
            hours, minutes, seconds = (int(g) if g else 0 for g in found.groups())
            if seconds < 60:
                values["at_seconds"] = str(hours * 3600 + minutes * 60 + seconds)
        return values

    return shape


def _score_body(form: Form) -> dict[str, Any]:
    """The score form (``goal_score``, ``goal_reason`` …) as the body of ``PUT /score``."""
    return {item: {"score": form.text(f"{item}_score"), "reason": form.text(f"{item}_reason")}
            for item in s.SCORE_ITEM_NAMES}


async def _candidates(actor: Principal, county_ids: set[int]) -> list[Any]:
    """Every kindergarten of the chosen counties (a county may have 300 or more)."""
    found: list[Any] = []
    for county_id in sorted(county_ids):
        offset = 0
        while True:
            page_of, total = await org.list_kindergartens(
                actor, county_id=county_id, limit=200, offset=offset
            )
            found.extend(page_of)
            offset += len(page_of)
            if not page_of or offset >= total:
                break
    return found


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
        return await self._form(actor)

    async def _form(self, actor: Principal, posted: FormState = NO_FORM) -> Template:
        counties = await org.list_counties(actor)
        if not actor.is_city:
            mine = actor.counties(Role.COUNTY_OFFICER)
            counties = [c for c in counties if c.id in mine]
        return await _page("exchanges/form.html", actor, posted=posted, error=posted.message,
                           counties=counties)

    @post("/exchanges/new", opt=access(*ORGANISERS))
    async def create_exchange(self, actor: Principal, request: AnyRequest) -> Any:
        """Create the exchange and open its page."""
        form = await read_form(request, "exchange")
        return await submit(
            form, lambda: services.create_exchange(actor, form.bind(s.ExchangeIn)),
            done=lambda exchange: _done(f"/exchanges/{exchange.id}",
                                        "交流活动已创建，下一步请邀请专家并配对参与园。"),
            again=lambda posted: self._form(actor, posted),
        )

    @get("/exchanges/{exchange_id:int}/edit", opt=access(*ORGANISERS))
    async def edit_exchange(self, actor: Principal, exchange_id: int) -> Template:
        """The organiser's form to change the exchange."""
        return await self._edit(actor, exchange_id)

    async def _edit(
        self, actor: Principal, exchange_id: int, posted: FormState = NO_FORM
    ) -> Template:
        exchange = await services.organised_exchange(actor, exchange_id)
        experts = await services.list_experts(actor, exchange_id)
        choices = await services.expert_choices(actor)
        invited = {e.person_id for e in experts}
        known = {c["id"] for c in choices}
        choices += [{"id": e.person_id, "name": e.name, "unit": e.unit}
                    for e in experts if e.person_id not in known]
        return await _page(
            "exchanges/edit.html", actor, status_code=posted.status, exchange=exchange,
            hosts=await services.host_choices(exchange), experts=choices, invited=invited,
            posted=posted, error=posted.message,
        )

    @post("/exchanges/{exchange_id:int}/edit", opt=access(*ORGANISERS))
    async def save_exchange(self, actor: Principal, exchange_id: int, request: AnyRequest) -> Any:
        """Save the changes; a changed time or deadline is announced to everyone in it."""
        form = await read_form(request, "edit")
        return await submit(
            form,
            lambda: services.update_exchange(actor, exchange_id,
                                             form.bind(s.ExchangePatch, _edit_body)),
            done=_done(f"/exchanges/{exchange_id}", "已保存修改；时间有变动时已通知参与教师和专家。"),
            again=lambda posted: self._edit(actor, exchange_id, posted),
        )

    @get("/exchanges/{exchange_id:int}", opt=access(SIGNED_IN))
    async def exchange(
        self, actor: Principal, exchange_id: int, done: str | None = None,
        refused: str | None = None,
    ) -> Template:
        """One exchange: groups, designs, experts and what the caller can do next."""
        return await exchange_page(actor, exchange_id, done=done, refused=refused)

    async def _on_exchange(
        self, actor: Principal, exchange_id: int, request: AnyRequest, name: str,
        action: Callable[[Form], Awaitable[Any]], done: str,
    ) -> Any:
        """A form of the exchange page: run it, or show the page again with the message."""
        form = await read_form(request, name)
        return await submit(
            form, lambda: action(form), done=_done(f"/exchanges/{exchange_id}", done),
            again=lambda posted: exchange_page(actor, exchange_id, posted=posted),
        )

    @post("/exchanges/{exchange_id:int}/experts", opt=access(*ORGANISERS))
    async def invite(self, actor: Principal, exchange_id: int, request: AnyRequest) -> Any:
        """Invite the chosen expert."""
        return await self._on_exchange(
            actor, exchange_id, request, "invite",
            lambda form: services.invite_expert(actor, exchange_id, form.bind(s.ExpertIn)),
            "已邀请专家，并已通知本人。",
        )

    @post("/exchanges/{exchange_id:int}/experts/{person_id:int}/remind", opt=access(*ORGANISERS))
    async def remind(
        self, actor: Principal, exchange_id: int, person_id: int, request: AnyRequest
    ) -> Any:
        """One-click reminder to a late expert."""
        return await self._on_exchange(
            actor, exchange_id, request, "remind",
            lambda form: reviews.remind_expert(actor, exchange_id, person_id),
            "已提醒该专家。",
        )

    @post("/exchanges/{exchange_id:int}/nudge", opt=access(*ORGANISERS))
    async def nudge(self, actor: Principal, exchange_id: int, request: AnyRequest) -> Any:
        """Remind the ticked late teachers or experts."""
        form = await read_form(request)
        form.name = "nudge-experts" if form.text("to") == "experts" else "nudge-teachers"

        async def run() -> s.NudgeOut:
            return await chasing.nudge(actor, exchange_id, form.bind(s.NudgeIn, _nudge_body))

        def done(result: s.NudgeOut) -> str:
            sent = "、".join(p.name for p in result.sent)
            already = "；今天已提醒过：" + "、".join(p.name for p in result.already_sent) \
                if result.already_sent else ""
            return f"已提醒：{sent}{already}。"

        # Back to the exchange page, nudged or refused (a reload must not nudge again); only
        # a form sent with nobody ticked comes back as sent.
        return await act_and_return(
            run, back=f"/exchanges/{exchange_id}", done=done, form=form,
            again=lambda posted: exchange_page(actor, exchange_id, posted=posted),
        )

    @post("/exchanges/{exchange_id:int}/my-design", opt=access(Role.TEACHER))
    async def start_design(self, actor: Principal, exchange_id: int, request: AnyRequest) -> Any:
        """Start the caller's design (or open it) and go to its page."""
        form = await read_form(request, "my-design")
        return await submit(
            form, lambda: designs.open_my_design(actor, exchange_id),
            done=lambda design_id: f"/designs/{design_id}",
            again=lambda posted: exchange_page(actor, exchange_id, posted=posted),
        )

    @post("/exchanges/{exchange_id:int}/highlight", opt=access(*ORGANISERS))
    async def push(self, actor: Principal, exchange_id: int, request: AnyRequest) -> Any:
        """Push the finished exchange to the city."""
        return await self._on_exchange(
            actor, exchange_id, request, "highlight",
            lambda form: highlights.push(actor, exchange_id, form.bind(s.HighlightIn)),
            "已推送到市教育局，等待收录。",
        )

    # Pairing ---------------------------------------------------------------------------------

    @get("/exchanges/{exchange_id:int}/pairing", opt=access(*ORGANISERS))
    async def pairing(
        self, actor: Principal, exchange_id: int, county_id: list[int] | None = None,
        q: str | None = None,
    ) -> Template:
        """Choose candidates (by county), or edit the confirmed groups."""
        return await self._pairing(actor, exchange_id, set(county_id or []), q)

    async def _pairing(
        self, actor: Principal, exchange_id: int, chosen: set[int], q: str | None,
        posted: FormState = NO_FORM,
    ) -> Template:
        exchange = await services.organised_exchange(actor, exchange_id)
        groups = await services.get_groups(actor, exchange_id)
        rows = [
            {"kindergarten_id": m.kindergarten_id, "group": g.number, "teacher_id": m.teacher_id}
            for g in groups.groups for m in g.members
        ]  # fmt: skip
        current = {r["kindergarten_id"] for r in rows}
        if not chosen and current:
            # Re-pairing starts from the current participants: their counties, each ticked.
            chosen = {k.county_id for k in (await services.candidates_by_id(sorted(current))).values()}
        candidates = await _candidates(actor, chosen)
        zones = {(k.zone_id, k.zone_name) for k in candidates if k.zone_id is not None}
        counties = await org.list_counties(actor)
        return await _page(
            "exchanges/pairing.html", actor, exchange=exchange,
            counties=counties, chosen=chosen, q=q or "", current=current,
            candidates=candidates, editor=await self._editor(rows, [g.reason for g in groups.groups]),
            error=posted.message, posted=posted, unpaired=[], group_size=2,
            filter_counties=[c for c in counties if c.id in chosen],
            filter_zones=[{"id": z, "name": n} for z, n in sorted(zones, key=lambda z: z[1] or "")],
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
    async def suggest(self, actor: Principal, exchange_id: int, request: AnyRequest) -> Any:
        """Ask for a suggestion and show it in the editor with its reasons."""
        form = await read_form(request, "suggest")
        chosen = {int(c) for c in form.all("county_id") if c.isascii() and c.isdigit()}

        async def suggest() -> tuple[s.SuggestIn, s.SuggestOut]:
            data = form.bind(s.SuggestIn)
            return data, await services.suggest_pairing(actor, exchange_id, data)

        return await submit(
            form, suggest, done=lambda result: self._suggested(actor, exchange_id, *result),
            again=lambda posted: self._pairing(actor, exchange_id, chosen, None, posted),
        )

    async def _suggested(
        self, actor: Principal, exchange_id: int, data: s.SuggestIn, suggestion: s.SuggestOut
    ) -> Template:
        """The editor filled with a suggestion: each kindergarten's group and first teacher."""
        teachers = await services.teacher_choices(list(data.candidate_ids))
        rows: list[dict[str, Any]] = []
        for number, group in enumerate(suggestion.groups, start=1):
            for kg_id in group.kindergarten_ids:
                first = (teachers.get(kg_id) or [{"id": None}])[0]["id"]
                rows.append({"kindergarten_id": kg_id, "group": number, "teacher_id": first})
        names = await services.candidates_by_id([u.kindergarten_id for u in suggestion.unpaired])
        unpaired = []
        for u in suggestion.unpaired:
            rows.append({"kindergarten_id": u.kindergarten_id, "group": None, "teacher_id": None})
            unpaired.append({"name": names[u.kindergarten_id].name, "reason": u.reason})
        exchange, _ = await services.visible_exchange(actor, exchange_id)
        return await _page(
            "exchanges/pairing.html", actor, exchange=exchange, counties=[], chosen=set(), q="",
            candidates=[], editor=await self._editor(rows, [g.reason for g in suggestion.groups]),
            error=None, posted=NO_FORM, unpaired=unpaired, group_size=data.group_size,
        )

    @post("/exchanges/{exchange_id:int}/pairing/confirm", opt=access(*ORGANISERS))
    async def confirm(self, actor: Principal, exchange_id: int, request: AnyRequest) -> Any:
        """Save the edited groups; on a refusal, show the editor again as it was sent."""
        form = await read_form(request, "confirm")

        async def again(posted: FormState) -> Template:
            exchange, _ = await services.visible_exchange(actor, exchange_id)
            rows = _editor_rows(form)
            numbers = sorted({r["group"] for r in rows if r["group"]})
            # Shown again numbered 1, 2, ... as the API numbered them, so that the messages'
            # "第n组" is the card they sit in.
            renumber = {n: i for i, n in enumerate(numbers, start=1)}
            for r in rows:
                r["group"] = renumber.get(r["group"])
            return await _page(
                "exchanges/pairing.html", actor, exchange=exchange, counties=[], chosen=set(),
                q="", candidates=[],
                editor=await self._editor(rows, [form.text(f"reason_{n}") for n in numbers]),
                error=posted.message, posted=posted, unpaired=[], group_size=2,
                group_problems=_problems_by_number(posted),
            )

        return await submit(
            form,
            lambda: services.put_groups(actor, exchange_id, form.bind(s.GroupsIn, _groups_body)),
            done=_done(f"/exchanges/{exchange_id}", "分组已确认，已通知各组执教教师。"),
            again=again,
        )

    # Designs ---------------------------------------------------------------------------------

    @get("/designs/{design_id:int}", opt=access(SIGNED_IN))
    async def design(
        self, actor: Principal, design_id: int, done: str | None = None
    ) -> Template:
        """A design: its versions, files, sections, comments, notes and scores."""
        return await design_page(actor, design_id, done=done)

    @get("/designs/{design_id:int}/versions/{number:int}/document", opt=access(SIGNED_IN))
    async def document(
        self, actor: Principal, store: ObjectStore, settings: Settings, design_id: int,
        number: int,
    ) -> Template:
        """A version's Word design read in the page; a file that cannot be read says so."""
        context = await designs.design_context(actor, design_id)
        try:
            view, error = await designs.document_view(
                actor, store, design_id, number,
                office.OfficeBounds.from_settings(settings.uploads),
            ), None
        except NotFound:
            raise
        except LianyanError as exc:
            view, error = None, exc
        versions = await designs.list_versions(actor, design_id)
        version = next((v for v in versions if v.number == number), None)
        return await _page(
            "exchanges/document.html", actor, status_code=error.status if error else 200,
            design=context.design, exchange=context.exchange, view=view, number=number,
            problem=(UNREADABLE_VIEW if error and error.code == "file.unreadable"
                     else error.detail if error else None),
            document=version.document if version else None,
        )

    async def _on_design(
        self, actor: Principal, design_id: int, request: AnyRequest, name: str,
        action: Callable[[Form], Awaitable[Any]], done: str | Callable[[Any], str],
    ) -> Any:
        """A form of the design page: run it, or show the page again with the message."""
        form = await read_form(request, name)
        return await submit(
            form, lambda: action(form), done=done,
            again=lambda posted: design_page(actor, design_id, posted=posted),
        )

    @post("/designs/{design_id:int}/upload", opt=access(Role.TEACHER))
    async def upload(
        self, actor: Principal, store: ObjectStore, settings: Settings, design_id: int,
        request: AnyRequest,
    ) -> Any:
        """Upload one part as a new version."""

        async def add(form: Form) -> s.VersionOut:
            if form.text("file_id") and not form.files.get("file"):
                # A large video that the upload control sent straight to the store.
                return await designs.add_uploaded_version(actor, design_id, form.bind(s.AdoptIn))
            upload = form.file("file")
            try:
                return await designs.add_version(
                    actor, store, design_id, kind=form.text("kind"), fileobj=upload.file,
                    filename=upload.filename, limits=limits_from(settings.uploads),
                )
            finally:
                await upload.close()

        return await self._on_design(
            actor, design_id, request, "upload", add,
            lambda version: _done(f"/designs/{design_id}", f"已上传，生成第 {version.number} 版。"),
        )

    @post("/designs/{design_id:int}/comment", opt=access(SIGNED_IN))
    async def comment(self, actor: Principal, design_id: int, request: AnyRequest) -> Any:
        """Post a comment or a reply."""
        return await self._on_design(
            actor, design_id, request, "comment",
            lambda form: reviews.post_comment(
                actor, design_id, form.bind(s.CommentIn, _with_moment(s.CommentIn))
            ),
            f"/designs/{design_id}#comments",
        )

    @post("/designs/{design_id:int}/note", opt=access(SIGNED_IN))
    async def note(self, actor: Principal, design_id: int, request: AnyRequest) -> Any:
        """Write a peer observation note."""
        return await self._on_design(
            actor, design_id, request, "note",
            lambda form: reviews.post_note(
                actor, design_id, form.bind(s.NoteIn, _with_moment(s.NoteIn))
            ),
            f"/designs/{design_id}#notes",
        )

    @post("/designs/{design_id:int}/score", opt=access(Role.EXPERT))
    async def score(self, actor: Principal, design_id: int, request: AnyRequest) -> Any:
        """Fill or change one's own score form."""
        return await self._on_design(
            actor, design_id, request, "score",
            lambda form: reviews.put_score(actor, design_id, form.bind(s.ScoreIn, _score_body)),
            f"/designs/{design_id}#scores",
        )

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
            return Redirect(_done("/library", exc.detail), status_code=303)
        return Redirect(_done("/library", f"已收录{book(accepted.title)}。"), status_code=303)

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
    actor: Principal, exchange_id: int, *, done: str | None = None, posted: FormState = NO_FORM,
    refused: str | None = None,
) -> Template:
    """The exchange page (also shown again, with the message, when an action is refused;
    ``refused`` is a one-click action's refusal brought back by its redirect)."""
    exchange, standing = await services.visible_exchange(actor, exchange_id)
    groups = await services.get_groups(actor, exchange_id)
    visible, _ = await designs.list_designs(actor, exchange_id, limit=200)
    experts = await services.list_experts(actor, exchange_id)
    choices = await services.expert_choices(actor) if standing.organiser else []
    invited = {e.person_id for e in experts}
    return await _page(
        "exchanges/detail.html", actor, status_code=posted.status, exchange=exchange,
        standing=standing, groups=groups, visible={d.id for d in visible}, experts=experts,
        expert_choices=[c for c in choices if c["id"] not in invited],
        my_design=await designs.my_design_id(actor, exchange_id),
        proposals=await proposals.list_proposals(actor, exchange_id),
        zone_teachers=await proposals.zone_teachers(actor) if standing.zone_officer else [],
        done=done, error=posted.message or refused, posted=posted, now=clock.now(),
        progress=await chasing.exchange_progress(actor, exchange_id),
        may_export_scores=standing.organiser or standing.supervisor,
        may_export_designs=sees_every_design(standing, blind=exchange.blind,
                                             design_deadline=exchange.design_deadline,
                                             now=clock.now()),
    )


async def design_page(
    actor: Principal, design_id: int, *, done: str | None = None, posted: FormState = NO_FORM
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
    videos = {v.number: v.video.id for v in versions if v.video is not None}
    media = await media_jobs.media_of(list(videos.values()))
    return await _page(
        "exchanges/design.html", actor, status_code=posted.status, context=context,
        design=context.design, exchange=exchange, versions=versions,
        threads=_threads(comments), notes=notes, scores=scores, my_score=mine,
        can_upload=context.is_teacher and now < exchange.comment_deadline,
        late=now >= exchange.design_deadline, open=now < exchange.comment_deadline,
        done=done, error=posted.message, posted=posted, section_names=s.SECTION_NAMES,
        score_items=s.SCORE_ITEM_NAMES, kind_names=designs.KIND_NAMES,
        videos=videos, media=media, inline_types=INLINE_TYPES,
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


register_section("exchanges/_home.html", home_section, place=home_cards.EXCHANGES)
