"""Pages of research topics: list, form, detail with timeline and steps, expert review, the
city's side-by-side review page, and the topic section of the home dashboard."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import msgspec
from litestar import Controller, Request, get, post
from litestar.params import Parameter
from litestar.response import Template
from litestar.static_files import create_static_files_router

from lianyan import clock
from lianyan.files.store import ObjectStore
from lianyan.labels import TOPIC_GRADE, TOPIC_LEVEL, TOPIC_STATUS
from lianyan.org import services as org
from lianyan.principal import Principal, Role
from lianyan.topics import dashboard, lifecycle, queries, review, rules
from lianyan.topics import documents as topic_documents
from lianyan.topics import schemas as s
from lianyan.topics.access import CREATORS
from lianyan.web import sections as home_cards
from lianyan.web.access import PUBLIC, SIGNED_IN, access
from lianyan.web.forms import NO_FORM, Form, FormState, read_form, submit
from lianyan.web.pages import page, pager
from lianyan.web.sections import register_section

AnyRequest = Request[Any, Any, Any]
#: Empty member rows shown under the existing ones on the form.
SPARE_MEMBER_ROWS = 3

#: ``/static/topics/topics.js``: the upload-with-progress script.
topic_static = create_static_files_router(
    path="/static/topics", directories=[Path(__file__).parent / "static"],
    name="topics-static", opt=access(PUBLIC), include_in_schema=False,
)

register_section("topics/_home.html", dashboard.dashboard, place=home_cards.TOPICS)


def _number(text: str) -> int | None:
    """A number sent back to the form as it was chosen; anything else shows as empty."""
    return int(text) if text.isascii() and text.isdigit() and len(text) < 10 else None


def _topic_body(form: Form) -> dict[str, Any]:
    """The topic form as the API's body: member rows, keywords split on 、 ， or commas."""
    members = [
        {"person_id": form.text(key), "role": form.text(key.replace("person", "role")) or "成员"}
        for key in sorted(k for k in form.values if k.startswith("member_person_"))
        if form.text(key)
    ]
    keywords = [k.strip() for k in
                form.text("keywords").replace("，", ",").replace("、", ",").split(",") if k.strip()]
    body: dict[str, Any] = {
        name: form.text(name)
        for name in ("county_id", "year", "title", "direction", "level", "lead_unit", "host_id",
                     "abstract", "planned_start", "planned_end")
    }
    return {**body, "members": members, "keywords": keywords}


def _topic_shown(topic_id: int | None, form: Form) -> dict[str, Any]:
    """The refused topic form as the template shows it: what was typed, numbers as numbers."""
    body = _topic_body(form)
    members = [{"person_id": _number(m["person_id"]), "role": m["role"]}
               for m in body["members"]]
    return {**body, "id": topic_id, "host_id": _number(body["host_id"]), "members": members}


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
        items, total = await queries.list_topics(
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
        self, actor: Principal, *, topic: Any, county_id: int | None,
        posted: FormState = NO_FORM,
    ) -> Template:
        allowed = _creatable_counties(actor)
        counties = [
            c for c in await org.list_counties(actor) if allowed is None or c.id in allowed
        ]
        if county_id is None and counties:
            county_id = counties[0].id
        people = await queries.form_people(actor, county_id) if county_id else []
        members = list(topic.get("members", [])) if isinstance(topic, dict) else []
        return page(
            "topics/form.html", actor, posted=posted, topic=topic, counties=counties,
            county_id=county_id, people=people, members=members,
            spare=range(len(members), len(members) + SPARE_MEMBER_ROWS), levels=TOPIC_LEVEL,
            error=posted.message, this_year=clock.today().year,
        )

    @get("/new", opt=access(*CREATORS))
    async def new_page(self, actor: Principal, county_id: int | None = None) -> Template:
        """The form for a new topic."""
        return await self._form(actor, topic={"id": None}, county_id=county_id)

    @post("/new", opt=access(*CREATORS))
    async def create(self, actor: Principal, request: AnyRequest) -> Any:
        """Create a draft topic from the form and show it."""
        form = await read_form(request, "topic")
        return await submit(
            form, lambda: lifecycle.create_topic(actor, form.bind(s.TopicIn, _topic_body)),
            done=lambda topic: f"/topics/{topic.id}",
            again=lambda posted: self._form(
                actor, topic=_topic_shown(None, form), county_id=_number(form.text("county_id")),
                posted=posted),
        )

    @get("/{topic_id:int}", opt=access(SIGNED_IN))
    async def detail(self, actor: Principal, topic_id: int) -> Template:
        """One topic: fields, members, documents, timeline and the caller's buttons."""
        return await self._detail(actor, topic_id)

    async def _detail(
        self, actor: Principal, topic_id: int, *, posted: FormState = NO_FORM
    ) -> Template:
        topic = await queries.get_topic(actor, topic_id)
        documents = await topic_documents.list_documents(actor, topic_id)
        by_kind: dict[str, list[s.DocumentOut]] = {k: [] for k in rules.DOCUMENT_KINDS}
        for d in documents:
            by_kind[d.kind].append(d)
        uploadable = [
            k for k, states in rules.DOCUMENT_STATES.items() if topic.status in states
        ] if "upload" in topic.allowed_actions else []
        return page(
            "topics/detail.html", actor, status_code=posted.status, topic=topic,
            documents=by_kind, document_kinds=rules.DOCUMENT_KINDS, uploadable=uploadable,
            steps=[rules.STEPS[a] for a in topic.allowed_actions if a in rules.STEPS],
            grades=TOPIC_GRADE, error=posted.message, posted=posted,
        )

    @get("/{topic_id:int}/edit", opt=access(*CREATORS))
    async def edit_page(self, actor: Principal, topic_id: int) -> Template:
        """The form for changing a draft topic."""
        topic = await queries.get_topic(actor, topic_id)
        if "edit" not in topic.allowed_actions:
            return await self._detail(actor, topic_id, posted=FormState(
                message="只有草稿状态的课题可以修改，且需由课题负责方修改。", status=409))
        values = msgspec.structs.asdict(topic)
        values["members"] = [
            {"person_id": m.person_id, "role": m.role} for m in topic.members
        ]
        return await self._form(actor, topic=values, county_id=topic.county_id)

    @post("/{topic_id:int}/edit", opt=access(*CREATORS))
    async def update(self, actor: Principal, topic_id: int, request: AnyRequest) -> Any:
        """Save the form of a draft topic."""
        form = await read_form(request, "topic")
        return await submit(
            form,
            lambda: lifecycle.update_topic(actor, topic_id, form.bind(s.TopicPatch, _topic_body)),
            done=f"/topics/{topic_id}",
            again=lambda posted: self._form(
                actor, topic=_topic_shown(topic_id, form),
                county_id=_number(form.text("county_id")), posted=posted),
        )

    @post("/{topic_id:int}/step/{action:str}", opt=access(SIGNED_IN))
    async def step(
        self, actor: Principal, topic_id: int, action: str, request: AnyRequest
    ) -> Any:
        """Take a lifecycle step from a button; a refusal shows the API's message."""
        form = await read_form(request, f"step-{action}")
        return await submit(
            form,
            lambda: lifecycle.take_step(actor, topic_id, action, form.bind(s.StepIn)),
            done=f"/topics/{topic_id}",
            again=lambda posted: self._after_step(actor, topic_id, action, posted),
        )

    async def _after_step(
        self, actor: Principal, topic_id: int, action: str, posted: FormState
    ) -> Template:
        """A refused step, shown where its button was: the city's review page or the topic."""
        return await self._detail(actor, topic_id, posted=posted)

    @post("/{topic_id:int}/delete", opt=access(*CREATORS))
    async def delete(
        self, actor: Principal, store: ObjectStore, topic_id: int, request: AnyRequest
    ) -> Any:
        """Delete a draft topic."""
        form = await read_form(request, "delete")
        return await submit(
            form, lambda: lifecycle.delete_topic(actor, topic_id, store=store), done="/topics",
            again=lambda posted: self._detail(actor, topic_id, posted=posted),
        )

    @get("/{topic_id:int}/review", opt=access(Role.EXPERT))
    async def review_page(self, actor: Principal, topic_id: int) -> Template:
        """The expert's score form, and the other reviews once their own is in."""
        return await self._review(actor, topic_id)

    async def _review(
        self, actor: Principal, topic_id: int, *, notice: str | None = None,
        posted: FormState = NO_FORM,
    ) -> Template:
        topic = await queries.get_topic(actor, topic_id)
        board = await review.list_reviews(actor, topic_id)
        own = next((r for r in board.items if r.expert_id == actor.person_id), None)
        documents = await topic_documents.list_documents(actor, topic_id)
        return page(
            "topics/review.html", actor, topic=topic, board=board,
            own=own, items=rules.REVIEW_ITEMS, error=posted.message, posted=posted,
            notice=notice, form={k: posted.text(k) for k in posted.values},
            application=next((d for d in documents if d.kind == "application"), None),
        )

    @post("/{topic_id:int}/review", opt=access(Role.EXPERT))
    async def save_review(self, actor: Principal, topic_id: int, request: AnyRequest) -> Any:
        """Save the expert's score form."""
        form = await read_form(request, "review")
        return await submit(
            form, lambda: review.save_review(actor, topic_id, form.bind(s.ReviewIn)),
            done=lambda _: self._review(actor, topic_id, notice="评审意见已保存。"),
            again=lambda posted: self._review(actor, topic_id, posted=posted),
        )

    @get("/{topic_id:int}/reviews", opt=access(Role.CITY_ADMIN))
    async def reviews_page(self, actor: Principal, topic_id: int) -> Template:
        """The city's view: every expert's scores side by side, then approve or reject."""
        return await self._reviews(actor, topic_id)

    async def _reviews(
        self, actor: Principal, topic_id: int, *, posted: FormState = NO_FORM
    ) -> Template:
        topic = await queries.get_topic(actor, topic_id)
        board = await review.list_reviews(actor, topic_id)
        experts = await review.invitable_experts(actor, topic_id)
        return page(
            "topics/reviews.html", actor, topic=topic, board=board,
            experts=experts, items=rules.REVIEW_ITEMS, error=posted.message, posted=posted,
            steps=[rules.STEPS[a] for a in topic.allowed_actions
                   if a in ("approve", "reject", "return")],
        )

    @post("/{topic_id:int}/reviewers", opt=access(Role.CITY_ADMIN))
    async def invite(self, actor: Principal, topic_id: int, request: AnyRequest) -> Any:
        """Invite the experts ticked on the review page."""
        form = await read_form(request, "invite")
        return await submit(
            form, lambda: review.invite_reviewers(actor, topic_id, form.bind(s.InviteIn)),
            done=f"/topics/{topic_id}/reviews",
            again=lambda posted: self._reviews(actor, topic_id, posted=posted),
        )
