"""Page ``/exchanges/progress``: directors, zone officers and county officers follow the
designing teachers, nudge those who have not uploaded and (directors) hand a design over."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from litestar import Controller, Request, get, post
from litestar.response import Template

from lianyan.exchanges import notifications, progress, proposals
from lianyan.exchanges import schemas as s
from lianyan.exchanges.access import FOLLOWERS
from lianyan.labels import book
from lianyan.principal import Principal, Role
from lianyan.web.access import access
from lianyan.web.forms import NO_FORM, FormState, act_and_return, read_form, submit
from lianyan.web.pages import page


async def progress_page(
    actor: Principal, *, done: str | None = None, posted: FormState = NO_FORM,
    status_code: int = 200, refused: str | None = None,
) -> Template:
    """The followed participations of exchanges still open, with their actions."""
    items, total = await progress.progress(actor, current=True)
    choices = {
        kg: await progress.teacher_choices(actor, kg)
        for kg in sorted({i.kindergarten_id for i in items if i.may_nominate})
    }
    return page(
        "exchanges/progress.html", actor, status_code=status_code, items=items, total=total,
        choices=choices, done=done, posted=posted, refused=refused,
        unread=await notifications.unread_count_of(actor),
    )


class ProgressPages(Controller):
    """``/exchanges/progress``."""

    path = "/exchanges/progress"
    include_in_schema = False

    @get("/", opt=access(*FOLLOWERS))
    async def show(
        self, actor: Principal, done: str | None = None, refused: str | None = None
    ) -> Template:
        """The teachers the caller follows, and what each still owes."""
        return await progress_page(actor, done=done, refused=refused)

    @post("/{participant_id:int}/nudge", opt=access(*FOLLOWERS))
    async def nudge(self, actor: Principal, participant_id: int) -> Any:
        """Remind one teacher, then back to the list either way (a reload must not nudge
        again)."""
        return await act_and_return(
            lambda: progress.nudge(actor, participant_id),
            back="/exchanges/progress", done="已提醒该教师。",
        )

    @post("/{participant_id:int}/teacher", opt=access(*FOLLOWERS))
    async def nominate(
        self, actor: Principal, participant_id: int, request: Request[Any, Any, Any]
    ) -> Any:
        """Hand the design over to the chosen teacher."""
        form = await read_form(request, f"nominate-{participant_id}")
        return await submit(
            form,
            lambda: progress.nominate(actor, participant_id, form.bind(s.NominateIn)),
            done=lambda row: _done(
                f"已把{book(row.exchange_title)}的设计教师改为{row.teacher_name}，并已通知本人。"
            ),
            again=lambda posted: progress_page(actor, posted=posted),
        )


class ProposalPages(Controller):
    """``/exchanges/{id}/proposals``: a zone officer proposes a teacher of the zone."""

    path = "/exchanges/{exchange_id:int}/proposals"
    include_in_schema = False

    @post("/", opt=access(Role.ZONE_OFFICER))
    async def propose(
        self, actor: Principal, exchange_id: int, request: Request[Any, Any, Any]
    ) -> Any:
        """Send the proposal to the organisers, or show the exchange page with the message."""
        from lianyan.exchanges.pages import exchange_page

        form = await read_form(request, "propose")
        return await submit(
            form, lambda: proposals.propose(actor, exchange_id, form.bind(s.ProposalIn)),
            done=lambda row: f"/exchanges/{exchange_id}?done="
            + quote(f"已推荐{row.kindergarten_name}（{row.teacher_name}），并已通知组织者。"),
            again=lambda posted: exchange_page(actor, exchange_id, posted=posted),
        )


def _done(message: str) -> str:
    return f"/exchanges/progress?done={quote(message)}"
