"""Pages of research topics: list, form, detail with timeline and steps, expert review, the
city's side-by-side review page, and the topic section of the home dashboard."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import msgspec
from litestar import Controller, get, post
from litestar.enums import RequestEncodingType
from litestar.params import Body, Parameter
from litestar.response import Redirect, Template
from litestar.static_files import create_static_files_router

from lianyan import clock
from lianyan.auth.principal import Principal
from lianyan.auth.roles import Role
from lianyan.errors import InvalidInput, LianyanError
from lianyan.files.store import ObjectStore
from lianyan.labels import TOPIC_GRADE, TOPIC_LEVEL, TOPIC_STATUS
from lianyan.org import services as org
from lianyan.topics import rules, services
from lianyan.topics import schemas as s
from lianyan.web.access import PUBLIC, SIGNED_IN, access
from lianyan.web.forms import int_or_none
from lianyan.web.home import register_section
from lianyan.web.pages import page, pager

Form = Annotated[dict[str, Any], Body(media_type=RequestEncodingType.URL_ENCODED)]
CREATORS = (Role.CITY_ADMIN, Role.COUNTY_OFFICER, Role.DIRECTOR, Role.TEACHER)
#: Empty member rows shown under the existing ones on the form.
SPARE_MEMBER_ROWS = 3

#: ``/static/topics/topics.js``: the upload-with-progress script.
topic_static = create_static_files_router(
    path="/static/topics", directories=[Path(__file__).parent / "static"],
    name="topics-static", opt=access(PUBLIC), include_in_schema=False,
)

register_section("topics/_home.html", services.dashboard)


def _one(value: Any) -> str:
    """A form value that may have been sent more than once: the last one."""
    if isinstance(value, list):
        return str(value[-1]) if value else ""
    return "" if value is None else str(value)


def _many(value: Any) -> list[str]:
    if value is None:
        return []
    return [str(v) for v in value] if isinstance(value, list) else [str(value)]


def _topic_fields(form: dict[str, Any]) -> dict[str, Any]:
    """The topic fields of the HTML form, as the API would receive them."""
    members = []
    for key in sorted(k for k in form if k.startswith("member_person_")):
        person = int_or_none(_one(form[key]))
        if person is not None:
            role = _one(form.get(key.replace("person", "role"))).strip() or "成员"
            members.append({"person_id": person, "role": role})
    keywords = [
        k.strip()
        for k in _one(form.get("keywords")).replace("，", ",").replace("、", ",").split(",")
        if k.strip()
    ]
    fields: dict[str, Any] = {
        "county_id": int_or_none(_one(form.get("county_id"))),
        "year": int_or_none(_one(form.get("year"))),
        "title": _one(form.get("title")).strip(),
        "direction": _one(form.get("direction")).strip(),
        "level": _one(form.get("level")),
        "lead_unit": _one(form.get("lead_unit")).strip(),
        "host_id": int_or_none(_one(form.get("host_id"))),
        "members": members,
        "abstract": _one(form.get("abstract")),
        "keywords": keywords,
        "planned_start": _one(form.get("planned_start")) or None,
        "planned_end": _one(form.get("planned_end")) or None,
    }
    return fields


def _convert(fields: dict[str, Any], schema: type[Any]) -> Any:
    """Validate form fields with the API's schema; a bad field reads as the API would say it."""
    try:
        return msgspec.convert(fields, schema)
    except msgspec.ValidationError as exc:
        names = {
            "county_id": "县（市、区）", "year": "年度", "title": "课题名称",
            "direction": "研究方向", "level": "课题级别", "lead_unit": "牵头单位",
            "keywords": "关键词",
            "planned_start": "计划开始日期", "planned_end": "计划结束日期", "abstract": "摘要",
        }
        message = str(exc)
        field = next((label for key, label in names.items() if f"$.{key}" in message), "表单")
        raise InvalidInput("request.invalid", f"请检查“{field}”的填写。") from None


def _creatable_counties(actor: Principal) -> set[int] | None:
    """Counties the caller may create topics in (None: all)."""
    if actor.is_city:
        return None
    return set(actor.counties(Role.COUNTY_OFFICER, Role.DIRECTOR, Role.TEACHER))


class TopicPages(Controller):
    """``/topics/...``."""

    path = "/topics"
    include_in_schema = False

    @get("/", opt=access(SIGNED_IN))
    async def list_page(
        self,
        actor: Principal,
        year: int | None = None,
        county_id: int | None = None,
        status: str | None = None,
        limit: Annotated[int, Parameter(ge=1, le=200)] = 50,
        offset: Annotated[int, Parameter(ge=0)] = 0,
    ) -> Template:
        """Topics the caller may read, filtered by year, county and status."""
        status = status if status in TOPIC_STATUS else None
        items, total = await services.list_topics(
            actor, year=year, county_id=county_id, status=status, limit=limit, offset=offset
        )
        counties = await org.list_counties(actor)
        this_year = clock.today().year
        return page(
            "topics/list.html", actor, items=items, total=total, counties=counties,
            year=year, county_id=county_id, status=status or "",
            years=list(range(this_year + 1, this_year - 6, -1)),
            pager=pager(total, limit, offset), may_create=actor.has(*CREATORS),
        )

    async def _form(
        self, actor: Principal, *, topic: Any, county_id: int | None, error: str | None = None,
        status_code: int = 200,
    ) -> Template:
        allowed = _creatable_counties(actor)
        counties = [
            c for c in await org.list_counties(actor) if allowed is None or c.id in allowed
        ]
        if county_id is None and counties:
            county_id = counties[0].id
        people = await services.form_people(actor, county_id) if county_id else []
        members = list(topic.get("members", [])) if isinstance(topic, dict) else []
        return page(
            "topics/form.html", actor, status_code=status_code, topic=topic, counties=counties,
            county_id=county_id, people=people, members=members,
            spare=range(len(members), len(members) + SPARE_MEMBER_ROWS), levels=TOPIC_LEVEL,
            error=error, this_year=clock.today().year,
        )

    @get("/new", opt=access(*CREATORS))
    async def new_page(self, actor: Principal, county_id: int | None = None) -> Template:
        """The form for a new topic."""
        return await self._form(actor, topic={"id": None}, county_id=county_id)

    @post("/new", opt=access(*CREATORS))
    async def create(self, actor: Principal, data: Form) -> Template | Redirect:
        """Create a draft topic from the form and show it."""
        fields = _topic_fields(data)
        try:
            topic = await services.create_topic(actor, _convert(fields, s.TopicIn))
        except LianyanError as exc:
            return await self._form(
                actor, topic={"id": None, **fields}, county_id=fields["county_id"],
                error=exc.detail, status_code=exc.status,
            )
        return Redirect(f"/topics/{topic.id}")

    @get("/{topic_id:int}", opt=access(SIGNED_IN))
    async def detail(self, actor: Principal, topic_id: int) -> Template:
        """One topic: fields, members, documents, timeline and the caller's buttons."""
        return await self._detail(actor, topic_id)

    async def _detail(
        self, actor: Principal, topic_id: int, *, error: str | None = None,
        notice: str | None = None, status_code: int = 200,
    ) -> Template:
        topic = await services.get_topic(actor, topic_id)
        documents = await services.list_documents(actor, topic_id)
        by_kind: dict[str, list[s.DocumentOut]] = {k: [] for k in rules.DOCUMENT_KINDS}
        for d in documents:
            by_kind[d.kind].append(d)
        uploadable = [
            k for k, states in rules.DOCUMENT_STATES.items() if topic.status in states
        ] if "upload" in topic.allowed_actions else []
        return page(
            "topics/detail.html", actor, status_code=status_code, topic=topic,
            documents=by_kind, document_kinds=rules.DOCUMENT_KINDS, uploadable=uploadable,
            steps=[rules.STEPS[a] for a in topic.allowed_actions if a in rules.STEPS],
            grades=TOPIC_GRADE, error=error, notice=notice,
        )

    @get("/{topic_id:int}/edit", opt=access(*CREATORS))
    async def edit_page(self, actor: Principal, topic_id: int) -> Template:
        """The form for changing a draft topic."""
        topic = await services.get_topic(actor, topic_id)
        if "edit" not in topic.allowed_actions:
            return await self._detail(
                actor, topic_id, error="只有草稿状态的课题可以修改，且需由课题负责方修改。",
                status_code=409,
            )
        values = msgspec.structs.asdict(topic)
        values["members"] = [
            {"person_id": m.person_id, "role": m.role} for m in topic.members
        ]
        return await self._form(actor, topic=values, county_id=topic.county_id)

    @post("/{topic_id:int}/edit", opt=access(*CREATORS))
    async def update(self, actor: Principal, topic_id: int, data: Form) -> Template | Redirect:
        """Save the form of a draft topic."""
        fields = _topic_fields(data)
        try:
            await services.update_topic(actor, topic_id, _convert(fields, s.TopicPatch))
        except LianyanError as exc:
            return await self._form(
                actor, topic={"id": topic_id, **fields}, county_id=fields["county_id"],
                error=exc.detail, status_code=exc.status,
            )
        return Redirect(f"/topics/{topic_id}")

    @post("/{topic_id:int}/step/{action:str}", opt=access(SIGNED_IN))
    async def step(
        self, actor: Principal, topic_id: int, action: str, data: Form
    ) -> Template | Redirect:
        """Take a lifecycle step from a button; a refusal shows the API's message."""
        try:
            grade = _one(data.get("grade")) or None
            body = _convert({"note": _one(data.get("note")), "grade": grade}, s.StepIn)
            await services.take_step(actor, topic_id, action, body)
        except LianyanError as exc:
            if exc.status == 404:
                raise
            return await self._detail(actor, topic_id, error=exc.detail, status_code=exc.status)
        return Redirect(f"/topics/{topic_id}")

    @post("/{topic_id:int}/delete", opt=access(*CREATORS))
    async def delete(
        self, actor: Principal, store: ObjectStore, topic_id: int, data: Form
    ) -> Template | Redirect:
        """Delete a draft topic."""
        try:
            await services.delete_topic(actor, topic_id, store=store)
        except LianyanError as exc:
            if exc.status == 404:
                raise
            return await self._detail(actor, topic_id, error=exc.detail, status_code=exc.status)
        return Redirect("/topics")

    @get("/{topic_id:int}/review", opt=access(Role.EXPERT))
    async def review_page(self, actor: Principal, topic_id: int) -> Template:
        """The expert's score form, and the other reviews once their own is in."""
        return await self._review(actor, topic_id)

    async def _review(
        self, actor: Principal, topic_id: int, *, error: str | None = None,
        notice: str | None = None, form: dict[str, Any] | None = None, status_code: int = 200,
    ) -> Template:
        topic = await services.get_topic(actor, topic_id)
        board = await services.list_reviews(actor, topic_id)
        own = next((r for r in board.items if r.expert_id == actor.person_id), None)
        documents = await services.list_documents(actor, topic_id)
        return page(
            "topics/review.html", actor, status_code=status_code, topic=topic, board=board,
            own=own, items=rules.REVIEW_ITEMS, error=error, notice=notice, form=form or {},
            application=next((d for d in documents if d.kind == "application"), None),
        )

    @post("/{topic_id:int}/review", opt=access(Role.EXPERT))
    async def save_review(self, actor: Principal, topic_id: int, data: Form) -> Template:
        """Save the expert's score form."""
        fields = {k: _one(data.get(k)) for k in (*rules.REVIEW_ITEMS, "comment")}
        try:
            body = _convert(
                {**{k: int_or_none(fields[k]) for k in rules.REVIEW_ITEMS},
                 "comment": fields["comment"].strip()},
                s.ReviewIn,
            )
            await services.save_review(actor, topic_id, body)
        except LianyanError as exc:
            if exc.status == 404:
                raise
            if exc.code == "request.invalid":
                exc = InvalidInput(
                    exc.code, "请为四个评分项各填写 0–25 之间的整数，并填写评审意见。"
                )
            return await self._review(
                actor, topic_id, error=exc.detail, form=fields, status_code=exc.status
            )
        return await self._review(actor, topic_id, notice="评审意见已保存。")

    @get("/{topic_id:int}/reviews", opt=access(Role.CITY_ADMIN))
    async def reviews_page(self, actor: Principal, topic_id: int) -> Template:
        """The city's view: every expert's scores side by side, then approve or reject."""
        return await self._reviews(actor, topic_id)

    async def _reviews(
        self, actor: Principal, topic_id: int, *, error: str | None = None,
        status_code: int = 200,
    ) -> Template:
        topic = await services.get_topic(actor, topic_id)
        board = await services.list_reviews(actor, topic_id)
        experts = await services.invitable_experts(actor, topic_id)
        return page(
            "topics/reviews.html", actor, status_code=status_code, topic=topic, board=board,
            experts=experts, items=rules.REVIEW_ITEMS, error=error,
            steps=[rules.STEPS[a] for a in topic.allowed_actions
                   if a in ("approve", "reject", "return")],
        )

    @post("/{topic_id:int}/reviewers", opt=access(Role.CITY_ADMIN))
    async def invite(self, actor: Principal, topic_id: int, data: Form) -> Template | Redirect:
        """Invite the experts ticked on the review page."""
        ids = [n for n in (int_or_none(v) for v in _many(data.get("expert_ids"))) if n]
        try:
            if not ids:
                raise InvalidInput("review.no_experts", "请至少选择一位专家。")
            await services.invite_reviewers(actor, topic_id, s.InviteIn(expert_ids=ids))
        except LianyanError as exc:
            if exc.status == 404:
                raise
            return await self._reviews(actor, topic_id, error=exc.detail, status_code=exc.status)
        return Redirect(f"/topics/{topic_id}/reviews")
