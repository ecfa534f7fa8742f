"""Page ``/exchanges/progress``: directors, zone officers and county officers follow the
designing teachers, nudge those who have not uploaded and (directors) hand a design over."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from litestar import Controller, MediaType, Request, get, post
from litestar.response import Redirect, Template

from lianyan.auth.principal import Principal
from lianyan.auth.roles import Role
from lianyan.errors import InvalidInput, LianyanError
from lianyan.exchanges import notifications, progress
from lianyan.exchanges import schemas as s
from lianyan.labels import book
from lianyan.web.access import access
from lianyan.web.forms import int_or_none
from lianyan.web.pages import page

FOLLOWERS = (Role.CITY_ADMIN, Role.COUNTY_OFFICER, Role.ZONE_OFFICER, Role.DIRECTOR)


async def progress_page(
    actor: Principal, *, done: str | None = None, error: str | None = None,
    status_code: int = 200, chosen: dict[int, str] | None = None,
) -> Template:
    """The followed participations of exchanges still open, with their actions."""
    items, total = await progress.progress(actor, current=True)
    choices = {
        kg: await progress.teacher_choices(actor, kg)
        for kg in sorted({i.kindergarten_id for i in items if i.may_nominate})
    }
    return page(
        "exchanges/progress.html", actor, status_code=status_code, items=items, total=total,
        choices=choices, chosen=chosen or {}, done=done, error=error,
        unread=await notifications.unread_count_of(actor),
    )


class ProgressPages(Controller):
    """``/exchanges/progress``."""

    path = "/exchanges/progress"
    include_in_schema = False

    @get("/", opt=access(*FOLLOWERS))
    async def show(self, actor: Principal, done: str | None = None) -> Template:
        """The teachers the caller follows, and what each still owes."""
        return await progress_page(actor, done=done)

    @post("/{participant_id:int}/nudge", media_type=MediaType.HTML, opt=access(*FOLLOWERS))
    async def nudge(self, actor: Principal, participant_id: int) -> Any:
        """Remind one teacher."""
        try:
            await progress.nudge(actor, participant_id)
        except LianyanError as exc:
            return await progress_page(actor, error=exc.detail, status_code=exc.status)
        return Redirect(f"/exchanges/progress?done={quote('已提醒该教师。')}", status_code=303)

    @post("/{participant_id:int}/teacher", media_type=MediaType.HTML, opt=access(*FOLLOWERS))
    async def nominate(
        self, actor: Principal, participant_id: int, request: Request[Any, Any, Any]
    ) -> Any:
        """Hand the design over to the chosen teacher."""
        form = await request.form()
        raw = form.get("teacher_id")
        chosen = {participant_id: raw if isinstance(raw, str) else ""}
        try:
            teacher_id = int_or_none(chosen[participant_id])
            if teacher_id is None:
                raise InvalidInput("request.invalid", "请选择设计教师。", field="teacher_id")
            row = await progress.nominate(actor, participant_id, s.NominateIn(teacher_id=teacher_id))
        except LianyanError as exc:
            return await progress_page(actor, error=exc.detail, status_code=exc.status,
                                       chosen=chosen)
        message = f"已把{book(row.exchange_title)}的设计教师改为{row.teacher_name}，并已通知本人。"
        return Redirect(f"/exchanges/progress?done={quote(message)}", status_code=303)
