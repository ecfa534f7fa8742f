"""JSON API of research topics: ``/api/v1/topics`` with its steps, files and reviews."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from litestar import Controller, delete, get, patch, post, put
from litestar.datastructures import UploadFile
from litestar.enums import RequestEncodingType
from litestar.params import Body, Parameter
from litestar.status_codes import HTTP_200_OK, HTTP_204_NO_CONTENT

from lianyan.files.services import limits_from
from lianyan.files.store import ObjectStore
from lianyan.principal import Principal, Role
from lianyan.schemas import Page
from lianyan.settings import Settings
from lianyan.topics import documents, lifecycle, queries, review
from lianyan.topics import schemas as s
from lianyan.topics.access import CREATORS
from lianyan.web.access import SIGNED_IN, access

Limit = Annotated[int, Parameter(ge=1, le=200)]
Offset = Annotated[int, Parameter(ge=0)]

#: Roles that may create a topic; the service checks the county and the host.


@dataclass
class DocumentForm:
    """A document upload: multipart fields ``file`` and ``kind``."""

    file: UploadFile
    kind: str


class TopicController(Controller):
    """``/api/v1/topics``: topics, their lifecycle steps, documents and reviews."""

    path = "/api/v1/topics"
    tags = ["topics"]

    @get("/", opt=access(SIGNED_IN))
    async def list_topics(
        self,
        actor: Principal,
        year: int | None = None,
        county_id: int | None = None,
        status: str | None = None,
        limit: Limit = 50,
        offset: Offset = 0,
    ) -> Page[s.TopicOut]:
        """Topics the caller may read: ``?year=&county_id=&status=``."""
        items, total = await queries.list_topics(
            actor, year=year, county_id=county_id, status=status, limit=limit, offset=offset
        )
        return Page(items=items, total=total)

    @post("/", opt=access(*CREATORS))
    async def create_topic(self, actor: Principal, data: s.TopicIn) -> s.TopicDetail:
        """Create a draft topic."""
        return await lifecycle.create_topic(actor, data)

    @get("/{topic_id:int}", opt=access(SIGNED_IN))
    async def get_topic(self, actor: Principal, topic_id: int) -> s.TopicDetail:
        """One topic with its history and the steps the caller may take."""
        return await queries.get_topic(actor, topic_id)

    @patch("/{topic_id:int}", opt=access(*CREATORS))
    async def update_topic(
        self, actor: Principal, topic_id: int, data: s.TopicPatch
    ) -> s.TopicDetail:
        """Change a draft topic."""
        return await lifecycle.update_topic(actor, topic_id, data)

    @delete("/{topic_id:int}", opt=access(*CREATORS), status_code=HTTP_204_NO_CONTENT)
    async def delete_topic(self, actor: Principal, store: ObjectStore, topic_id: int) -> None:
        """Delete a draft topic with its documents."""
        await lifecycle.delete_topic(actor, topic_id, store=store)

    @post("/{topic_id:int}/submit", opt=access(*CREATORS), status_code=HTTP_200_OK)
    async def submit(
        self, actor: Principal, topic_id: int, data: s.StepIn | None = None
    ) -> s.TopicDetail:
        """提交申报 (draft → submitted): needs host, ≥1 member and the 申报书."""
        return await lifecycle.take_step(actor, topic_id, "submit", data or s.StepIn())

    @post("/{topic_id:int}/approve", opt=access(*(Role.CITY_ADMIN,)), status_code=HTTP_200_OK)
    async def approve(
        self, actor: Principal, topic_id: int, data: s.StepIn | None = None
    ) -> s.TopicDetail:
        """批准立项 (submitted → approved), the city."""
        return await lifecycle.take_step(actor, topic_id, "approve", data or s.StepIn())

    @post("/{topic_id:int}/reject", opt=access(*(Role.CITY_ADMIN,)), status_code=HTTP_200_OK)
    async def reject(
        self, actor: Principal, topic_id: int, data: s.StepIn | None = None
    ) -> s.TopicDetail:
        """不予立项 (submitted → rejected), the city."""
        return await lifecycle.take_step(actor, topic_id, "reject", data or s.StepIn())

    @post("/{topic_id:int}/return", opt=access(*(Role.CITY_ADMIN,)), status_code=HTTP_200_OK)
    async def return_(
        self, actor: Principal, topic_id: int, data: s.StepIn | None = None
    ) -> s.TopicDetail:
        """退回修改 (submitted → draft), the city."""
        return await lifecycle.take_step(actor, topic_id, "return", data or s.StepIn())

    @post("/{topic_id:int}/open", opt=access(*CREATORS), status_code=HTTP_200_OK)
    async def open(
        self, actor: Principal, topic_id: int, data: s.StepIn | None = None
    ) -> s.TopicDetail:
        """开题 (approved → opened): needs the 开题报告."""
        return await lifecycle.take_step(actor, topic_id, "open", data or s.StepIn())

    @post("/{topic_id:int}/midterm", opt=access(*CREATORS), status_code=HTTP_200_OK)
    async def midterm(
        self, actor: Principal, topic_id: int, data: s.StepIn | None = None
    ) -> s.TopicDetail:
        """中期检查 (opened → midterm): needs the 中期报告."""
        return await lifecycle.take_step(actor, topic_id, "midterm", data or s.StepIn())

    @post("/{topic_id:int}/conclude", opt=access(*(Role.CITY_ADMIN,)), status_code=HTTP_200_OK)
    async def conclude(
        self, actor: Principal, topic_id: int, data: s.StepIn | None = None
    ) -> s.TopicDetail:
        """结题 (midterm → concluded), the city: needs the 结题报告 and a grade."""
        return await lifecycle.take_step(actor, topic_id, "conclude", data or s.StepIn())

    @post("/{topic_id:int}/withdraw", opt=access(*CREATORS), status_code=HTTP_200_OK)
    async def withdraw(
        self, actor: Principal, topic_id: int, data: s.StepIn | None = None
    ) -> s.TopicDetail:
        """撤销 (any state before concluded → withdrawn); refused for the last active topic."""
        return await lifecycle.take_step(actor, topic_id, "withdraw", data or s.StepIn())

    @get("/{topic_id:int}/files", opt=access(SIGNED_IN))
    async def list_files(self, actor: Principal, topic_id: int) -> Page[s.DocumentOut]:
        """Every version of the topic's documents, by kind, newest first."""
        items = await documents.list_documents(actor, topic_id)
        return Page(items=items, total=len(items))

    @post("/{topic_id:int}/files", opt=access(*CREATORS))
    async def upload_file(
        self,
        actor: Principal,
        store: ObjectStore,
        settings: Settings,
        topic_id: int,
        data: Annotated[DocumentForm, Body(media_type=RequestEncodingType.MULTI_PART)],
    ) -> s.DocumentOut:
        """Upload a new version of a document: ``kind`` application/opening/midterm/final/result."""
        return await documents.upload_document(
            actor, topic_id, store=store, kind=data.kind, fileobj=data.file.file,
            filename=data.file.filename, limits=limits_from(settings.uploads),
        )

    @post("/{topic_id:int}/reviewers", opt=access(Role.CITY_ADMIN))
    async def invite_reviewers(
        self, actor: Principal, topic_id: int, data: s.InviteIn
    ) -> s.ReviewBoard:
        """Invite experts to review the application; conflict of interest: ``review.conflict``."""
        return await review.invite_reviewers(actor, topic_id, data)

    @get("/{topic_id:int}/reviews", opt=access(Role.CITY_ADMIN, Role.EXPERT))
    async def list_reviews(self, actor: Principal, topic_id: int) -> s.ReviewBoard:
        """Reviews side by side with totals and means (an expert: after their own)."""
        return await review.list_reviews(actor, topic_id)

    @put("/{topic_id:int}/reviews", opt=access(Role.EXPERT))
    async def save_review(
        self, actor: Principal, topic_id: int, data: s.ReviewIn
    ) -> s.ReviewOut:
        """Fill in or change the caller's own score form until the city decides."""
        return await review.save_review(actor, topic_id, data)
