"""JSON API of the 同研异构 exchanges: exchanges, pairing, designs, reviews, library, notices."""

from __future__ import annotations

from typing import Annotated, Any, Literal

import msgspec
from litestar import Controller, Request, get, patch, post, put
from litestar.datastructures import UploadFile
from litestar.params import Parameter
from litestar.response import Response, Stream

from lianyan.errors import InvalidInput
from lianyan.exchanges import (
    chasing,
    designs,
    export,
    highlights,
    notifications,
    progress,
    proposals,
    reviews,
    services,
)
from lianyan.exchanges import schemas as s
from lianyan.exchanges.access import ORGANISERS
from lianyan.files import office
from lianyan.files.services import limits_from
from lianyan.files.store import ObjectStore, content_disposition
from lianyan.principal import Principal, Role
from lianyan.schemas import Page
from lianyan.settings import Settings
from lianyan.web.access import SIGNED_IN, access

Limit = Annotated[int, Parameter(ge=1, le=200)]
Offset = Annotated[int, Parameter(ge=0)]
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class ExchangeController(Controller):
    """``/api/v1/exchanges``: exchanges, experts, pairing, groups, designs, comparison."""

    path = "/api/v1/exchanges"
    tags = ("exchanges",)

    @get("/", opt=access(SIGNED_IN))
    async def list_exchanges(
        self, actor: Principal, q: str | None = None, limit: Limit = 50, offset: Offset = 0
    ) -> Page[s.ExchangeOut]:
        """Exchanges the caller organises, supervises, reviews or takes part in."""
        items, total = await services.list_exchanges(actor, q=q, limit=limit, offset=offset)
        return Page(items=items, total=total)

    @post("/", opt=access(*ORGANISERS))
    async def create_exchange(self, actor: Principal, data: s.ExchangeIn) -> s.ExchangeOut:
        """Create an exchange (a county officer for their county, or the city)."""
        return await services.create_exchange(actor, data)

    @get("/{exchange_id:int}", opt=access(SIGNED_IN))
    async def get_exchange(self, actor: Principal, exchange_id: int) -> s.ExchangeOut:
        """One exchange."""
        return await services.get_exchange(actor, exchange_id)

    @patch("/{exchange_id:int}", opt=access(*ORGANISERS))
    async def update_exchange(
        self, actor: Principal, exchange_id: int, data: s.ExchangePatch
    ) -> s.ExchangeOut:
        """Change an exchange (its organisers)."""
        return await services.update_exchange(actor, exchange_id, data)

    @get("/{exchange_id:int}/experts", opt=access(SIGNED_IN))
    async def list_experts(self, actor: Principal, exchange_id: int) -> Page[s.ExpertOut]:
        """Invited experts with their review progress."""
        items = await services.list_experts(actor, exchange_id)
        return Page(items=items, total=len(items))

    @post("/{exchange_id:int}/experts", opt=access(*ORGANISERS))
    async def invite_expert(
        self, actor: Principal, exchange_id: int, data: s.ExpertIn
    ) -> s.ExpertOut:
        """Invite an expert; inviting twice changes nothing."""
        return await services.invite_expert(actor, exchange_id, data)

    @post(
        "/{exchange_id:int}/experts/{person_id:int}/remind", status_code=200,
        opt=access(*ORGANISERS),
    )
    async def remind_expert(
        self, actor: Principal, exchange_id: int, person_id: int
    ) -> s.RemindOut:
        """One-click reminder to an invited expert (once per day)."""
        return await reviews.remind_expert(actor, exchange_id, person_id)

    @get("/{exchange_id:int}/proposals", opt=access(SIGNED_IN))
    async def list_proposals(self, actor: Principal, exchange_id: int) -> Page[s.ProposalOut]:
        """Zone officers' proposals of participants (organisers and zone officers)."""
        items = await proposals.list_proposals(actor, exchange_id)
        return Page(items=items, total=len(items))

    @post("/{exchange_id:int}/proposals", opt=access(Role.ZONE_OFFICER))
    async def propose(
        self, actor: Principal, exchange_id: int, data: s.ProposalIn
    ) -> s.ProposalOut:
        """Propose a teacher of a zone kindergarten for the exchange."""
        return await proposals.propose(actor, exchange_id, data)

    @get("/{exchange_id:int}/progress", opt=access(SIGNED_IN))
    async def exchange_progress(self, actor: Principal, exchange_id: int) -> s.ExchangeProgressOut:
        """Per group and participant: design in or not, versions, comments and scores
        received; "x of y designs in"; what each expert still owes."""
        return await chasing.exchange_progress(actor, exchange_id)

    @post("/{exchange_id:int}/nudge", status_code=200, opt=access(*ORGANISERS))
    async def nudge(self, actor: Principal, exchange_id: int, data: s.NudgeIn) -> s.NudgeOut:
        """Remind the late teachers or experts (each at most once a day)."""
        return await chasing.nudge(actor, exchange_id, data)

    @get("/{exchange_id:int}/export/scores", opt=access(SIGNED_IN),
         response_description="评分与点评 (xlsx), with a Chinese file name")
    async def export_scores(self, actor: Principal, exchange_id: int) -> Response[bytes]:
        """The exchange's score forms and comments as an xlsx (organisers, supervisors)."""
        filename, content = await export.scores_workbook(actor, exchange_id)
        return Response(content, media_type=XLSX,
                        headers={"Content-Disposition": content_disposition(filename)})

    @get("/{exchange_id:int}/export/designs", opt=access(SIGNED_IN),
         response_description="every design's newest version as one zip, streamed")
    async def export_designs(
        self, actor: Principal, store: ObjectStore, exchange_id: int
    ) -> Stream:
        """All designs (newest versions) as one zip, streamed, Chinese names inside."""
        filename, entries = await export.zip_entries(actor, exchange_id)
        return Stream(export.stream_zip(store, entries), media_type="application/zip",
                      headers={"Content-Disposition": content_disposition(filename)})

    @post("/{exchange_id:int}/pairing/suggest", status_code=200, opt=access(*ORGANISERS))
    async def suggest(
        self, actor: Principal, exchange_id: int, data: s.SuggestIn
    ) -> s.SuggestOut:
        """Suggest groups for the candidates; writes nothing."""
        return await services.suggest_pairing(actor, exchange_id, data)

    @get("/{exchange_id:int}/groups", opt=access(SIGNED_IN))
    async def get_groups(self, actor: Principal, exchange_id: int) -> s.GroupsOut:
        """The confirmed groups and their participants."""
        return await services.get_groups(actor, exchange_id)

    @put("/{exchange_id:int}/groups", opt=access(*ORGANISERS))
    async def put_groups(
        self, actor: Principal, exchange_id: int, data: s.GroupsIn
    ) -> s.GroupsOut:
        """Confirm or edit the groups (``pairing.same_county`` for a group inside one county)."""
        return await services.put_groups(actor, exchange_id, data)

    @get("/{exchange_id:int}/designs", opt=access(SIGNED_IN))
    async def list_designs(
        self, actor: Principal, exchange_id: int, limit: Limit = 50, offset: Offset = 0
    ) -> Page[s.DesignOut]:
        """Designs of the exchange the caller may read (blind: own group until the deadline)."""
        items, total = await designs.list_designs(
            actor, exchange_id, limit=limit, offset=offset
        )
        return Page(items=items, total=total)

    @post("/{exchange_id:int}/designs", opt=access(Role.TEACHER))
    async def create_design(
        self, actor: Principal, exchange_id: int, data: s.DesignIn
    ) -> s.DesignOut:
        """Start the caller's design (its participant teacher)."""
        return await designs.create_design(actor, exchange_id, data)

    @get("/{exchange_id:int}/compare", opt=access(SIGNED_IN))
    async def compare(
        self, actor: Principal, exchange_id: int, group: Annotated[int, Parameter(ge=1)]
    ) -> s.CompareOut:
        """One group's designs side by side by section, with the expert scores."""
        return await reviews.compare(actor, exchange_id, group)

    @post("/{exchange_id:int}/highlight", opt=access(*ORGANISERS))
    async def push_highlight(
        self, actor: Principal, exchange_id: int, data: s.HighlightIn
    ) -> s.HighlightOut:
        """Push the finished exchange to the city."""
        return await highlights.push(actor, exchange_id, data)


class DesignController(Controller):
    """``/api/v1/designs``: versions, comments, notes, scores."""

    path = "/api/v1/designs"
    tags = ("exchanges",)

    @get("/{design_id:int}", opt=access(SIGNED_IN))
    async def get_design(self, actor: Principal, design_id: int) -> s.DesignOut:
        """One design."""
        return await designs.get_design(actor, design_id)

    @get("/{design_id:int}/versions", opt=access(SIGNED_IN))
    async def list_versions(self, actor: Principal, design_id: int) -> Page[s.VersionOut]:
        """Every version, newest first; each is the whole bundle as it stood."""
        items = await designs.list_versions(actor, design_id)
        return Page(items=items, total=len(items))

    @post(
        "/{design_id:int}/versions",
        opt=access(Role.TEACHER),
        description=(
            "Two ways to add a part: multipart with fields `file` and `kind` "
            "(`document`/`slides`/`image`/`video`), or JSON `{\"kind\": \"video\", "
            "\"file_id\": N}` for a video finished through `/api/v1/uploads`."
        ),
    )
    async def add_version(
        self,
        actor: Principal,
        store: ObjectStore,
        settings: Settings,
        request: Request[Any, Any, Any],
        design_id: int,
    ) -> s.VersionOut:
        """Upload one part of the design as its next version."""
        content_type = request.headers.get("content-type", "")
        if content_type.startswith("application/json"):
            return await designs.add_uploaded_version(
                actor, design_id, _decode(await request.body(), s.AdoptIn)
            )
        form = await request.form()
        upload = form.get("file")
        if not isinstance(upload, UploadFile):
            raise InvalidInput("upload.missing", "请选择要上传的文件（表单字段 file）。")
        try:
            return await designs.add_version(
                actor, store, design_id, kind=str(form.get("kind") or ""),
                fileobj=upload.file, filename=upload.filename or "",
                limits=limits_from(settings.uploads),
            )
        finally:
            await upload.close()

    @get("/{design_id:int}/versions/{number:int}/document", opt=access(SIGNED_IN))
    async def document_view(
        self, actor: Principal, store: ObjectStore, settings: Settings, design_id: int,
        number: int,
    ) -> s.DocumentOut:
        """A version's Word document as HTML (escaped, our own tags only), to read in a page."""
        return await designs.document_view(
            actor, store, design_id, number,
            office.OfficeBounds.from_settings(settings.uploads),
        )

    @get("/{design_id:int}/comments", opt=access(SIGNED_IN))
    async def list_comments(
        self, actor: Principal, design_id: int, limit: Limit = 200, offset: Offset = 0
    ) -> Page[s.CommentOut]:
        """The comment thread, oldest first; replies carry ``parent_id``."""
        items, total = await reviews.list_comments(
            actor, design_id, limit=limit, offset=offset
        )
        return Page(items=items, total=total)

    @post("/{design_id:int}/comments", opt=access(SIGNED_IN))
    async def post_comment(
        self, actor: Principal, design_id: int, data: s.CommentIn
    ) -> s.CommentOut:
        """Comment (invited experts) or reply (experts, the design's teacher)."""
        return await reviews.post_comment(actor, design_id, data)

    @get("/{design_id:int}/notes", opt=access(SIGNED_IN))
    async def list_notes(
        self, actor: Principal, design_id: int, limit: Limit = 200, offset: Offset = 0
    ) -> Page[s.NoteOut]:
        """Peer observation notes (听课记录)."""
        items, total = await reviews.list_notes(actor, design_id, limit=limit, offset=offset)
        return Page(items=items, total=total)

    @post("/{design_id:int}/notes", opt=access(SIGNED_IN))
    async def post_note(self, actor: Principal, design_id: int, data: s.NoteIn) -> s.NoteOut:
        """Write a peer observation note (participants)."""
        return await reviews.post_note(actor, design_id, data)

    @get("/{design_id:int}/scores", opt=access(SIGNED_IN))
    async def list_scores(self, actor: Principal, design_id: int) -> s.ScoreList:
        """The experts' score forms with averages."""
        return await reviews.list_scores(actor, design_id)

    @put("/{design_id:int}/scores", opt=access(Role.EXPERT))
    async def put_score(self, actor: Principal, design_id: int, data: s.ScoreIn) -> s.ScoreOut:
        """Fill or change one's own score form."""
        return await reviews.put_score(actor, design_id, data)


class CommentController(Controller):
    """``/api/v1/comments``: editing one's own comment."""

    path = "/api/v1/comments"
    tags = ("exchanges",)

    @patch("/{comment_id:int}", opt=access(SIGNED_IN))
    async def edit_comment(
        self, actor: Principal, comment_id: int, data: s.CommentPatch
    ) -> s.CommentOut:
        """Change one's own comment (``comment.not_author`` for anyone else's)."""
        return await reviews.edit_comment(actor, comment_id, data)


class HighlightController(Controller):
    """``/api/v1/highlights`` and ``/api/v1/library``."""

    path = "/api/v1"
    tags = ("exchanges",)

    @get("/highlights", opt=access(*ORGANISERS))
    async def list_highlights(
        self,
        actor: Principal,
        status: Literal["pushed", "accepted"] | None = None,
        limit: Limit = 50,
        offset: Offset = 0,
    ) -> Page[s.HighlightOut]:
        """Pushed highlights (the city: all; a county: its own)."""
        items, total = await highlights.list_highlights(
            actor, status=status, limit=limit, offset=offset
        )
        return Page(items=items, total=total)

    @post("/highlights/{highlight_id:int}/accept", status_code=200, opt=access(Role.CITY_ADMIN))
    async def accept(self, actor: Principal, highlight_id: int) -> s.HighlightOut:
        """Accept a highlight into the shared library."""
        return await highlights.accept(actor, highlight_id)

    @get("/library", opt=access(SIGNED_IN))
    async def library(
        self,
        actor: Principal,
        q: str | None = None,
        age_group: s.AgeGroup | None = None,
        domain: s.Domain | None = None,
        county_id: int | None = None,
        limit: Limit = 50,
        offset: Offset = 0,
    ) -> Page[s.HighlightOut]:
        """The shared resource library: accepted highlights, searchable."""
        items, total = await highlights.library(
            actor, q=q, age_group=age_group, domain=domain, county_id=county_id,
            limit=limit, offset=offset,
        )
        return Page(items=items, total=total)


class NotificationController(Controller):
    """``/api/v1/notifications``: the caller's in-app notices."""

    path = "/api/v1/notifications"
    tags = ("notifications",)

    @get("/", opt=access(SIGNED_IN))
    async def list_notifications(
        self, actor: Principal, unread: bool = False, limit: Limit = 50, offset: Offset = 0
    ) -> s.NotificationPage:
        """The caller's notices, newest first, with the unread count."""
        return await notifications.list_notifications(
            actor, unread=unread, limit=limit, offset=offset
        )

    @post("/{notification_id:int}/read", status_code=200, opt=access(SIGNED_IN))
    async def mark_read(self, actor: Principal, notification_id: int) -> s.NotificationOut:
        """Mark one notice read."""
        return await notifications.mark_read(actor, notification_id)

    @post("/read-all", status_code=200, opt=access(SIGNED_IN))
    async def mark_all_read(self, actor: Principal) -> s.MarkedOut:
        """Mark every notice read."""
        return s.MarkedOut(marked=await notifications.mark_all_read(actor))


class ParticipationController(Controller):
    """``/api/v1/participations``: following the designing teachers (directors, zone and
    county officers, the city)."""

    path = "/api/v1/participations"
    tags = ("exchanges",)

    @get("/", opt=access(SIGNED_IN))
    async def list_participations(
        self, actor: Principal, exchange_id: int | None = None, current: bool = False,
        limit: Limit = 50, offset: Offset = 0,
    ) -> Page[s.ProgressOut]:
        """The participations the caller follows, with each design's state and deadline."""
        items, total = await progress.progress(
            actor, exchange_id=exchange_id, current=current, limit=limit, offset=offset
        )
        return Page(items=items, total=total)

    @post("/{participant_id:int}/nudge", status_code=200, opt=access(SIGNED_IN))
    async def nudge(self, actor: Principal, participant_id: int) -> s.RemindOut:
        """Remind the teacher to upload the design (once per day)."""
        return await progress.nudge(actor, participant_id)

    @put("/{participant_id:int}/teacher", opt=access(SIGNED_IN))
    async def nominate(
        self, actor: Principal, participant_id: int, data: s.NominateIn
    ) -> s.ProgressOut:
        """Hand the design over to another teacher of the kindergarten."""
        return await progress.nominate(actor, participant_id, data)


def _decode(body: bytes, kind: type[msgspec.Struct]) -> Any:
    try:
        return msgspec.json.decode(body, type=kind)
    except msgspec.ValidationError as exc:
        raise InvalidInput("request.invalid", f"请求数据不符合要求：{exc}") from None
    except msgspec.DecodeError:
        raise InvalidInput("request.invalid", "请求内容不是有效的 JSON。") from None


#: Every controller of the domain, for ``web.app.route_handlers``.
CONTROLLERS = [
    ExchangeController,
    DesignController,
    CommentController,
    HighlightController,
    NotificationController,
    ParticipationController,
]
