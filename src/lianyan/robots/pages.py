"""The 群机器人 page: the caller's robots (masked), their deliveries, add, test, delete."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, get, post
from litestar.response import Redirect, Template

from lianyan.principal import Principal
from lianyan.robots import rules, services
from lianyan.robots.access import MANAGERS
from lianyan.robots.delivery import SenderConfig
from lianyan.robots.schemas import RobotIn
from lianyan.settings import Settings
from lianyan.web.access import access
from lianyan.web.forms import NO_FORM, FormState, read_form, submit
from lianyan.web.pages import page


def _body(form: Any) -> dict[str, Any]:
    """The add form as the API's request: the scope field is ``county:3`` or ``zone:7``."""
    body: dict[str, Any] = {"kind": form.text("kind"), "url": form.text("url")}
    if form.text("secret"):
        body["secret"] = form.text("secret")
    scope = form.text("scope")
    kind, _, value = scope.partition(":")
    if kind in ("county", "zone") and value:
        body[f"{kind}_id"] = value
    return body


class RobotPages(Controller):
    """``/robots``."""

    path = "/robots"
    include_in_schema = False

    async def _page(self, actor: Principal, *, posted: FormState = NO_FORM,
                    tested_id: int | None = None, status_code: int = 200) -> Template:
        robots = await services.list_robots(actor)
        tested = next(({"id": r.id, "status": r.last_status, "error": r.last_error}
                       for r in robots if r.id == tested_id), None)
        return page(
            "robots/robots.html", actor, status_code=status_code,
            robots=robots, scopes=await services.scopes_for(actor),
            kinds=rules.KINDS, posted=posted, tested=tested,
        )

    @get("/", opt=access(*MANAGERS))
    async def robots(self, actor: Principal, tested: int | None = None) -> Template:
        """The robots, their last delivery and recent failures, and the add form; after a
        test message (``?tested=<id>``), its outcome at the top."""
        return await self._page(actor, tested_id=tested)

    @post("/", opt=access(*MANAGERS))
    async def add(self, actor: Principal, settings: Settings,
                  request: Request[Any, Any, Any]) -> Any:
        """Register a robot; back to the list, or the same page with the message and the form."""
        form = await read_form(request, "add")
        return await submit(
            form,
            lambda: services.create_robot(actor, form.bind(RobotIn, _body),
                                          secret_key=settings.secret_key,
                                          extra_hosts=settings.robot_hosts),
            done=lambda robot: f"/robots#robot-{robot.id}",
            again=lambda state: self._page(actor, posted=state, status_code=state.status),
        )

    @post("/{robot_id:int}/test", opt=access(*MANAGERS))
    async def test(self, actor: Principal, settings: Settings, robot_id: int) -> Redirect:
        """Send a test message now, then back to the list showing its outcome (a reload
        sends nothing again)."""
        await services.send_test(actor, robot_id, config=SenderConfig.from_settings(settings))
        return Redirect(f"/robots?tested={robot_id}#robot-{robot_id}", status_code=303)

    @post("/{robot_id:int}/delete", opt=access(*MANAGERS))
    async def delete(self, actor: Principal, robot_id: int) -> Any:
        """Remove a robot; back to the list."""
        await services.delete_robot(actor, robot_id)
        return Redirect("/robots", status_code=303)
