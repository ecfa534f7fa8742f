"""JSON API of group robots: register, list (masked), remove, send a test message."""

from __future__ import annotations

from litestar import Controller, delete, get, post
from litestar.status_codes import HTTP_204_NO_CONTENT

from lianyan.principal import Principal
from lianyan.robots import services
from lianyan.robots.access import MANAGERS
from lianyan.robots.delivery import SenderConfig
from lianyan.robots.schemas import RobotIn, RobotOut, RobotTestOut
from lianyan.schemas import Page
from lianyan.settings import Settings
from lianyan.web.access import access


class RobotController(Controller):
    """``/api/v1/robots``."""

    path = "/api/v1/robots"
    tags = ["robots"]

    @post("/", opt=access(*MANAGERS), status_code=201)
    async def create(self, actor: Principal, settings: Settings, data: RobotIn) -> RobotOut:
        """Register a county's or zone's group robot; the answer shows the address masked."""
        return await services.create_robot(actor, data, secret_key=settings.secret_key,
                                           extra_hosts=settings.robot_hosts)

    @get("/", opt=access(*MANAGERS))
    async def list_robots(self, actor: Principal) -> Page[RobotOut]:
        """The robots the caller may manage, with their last delivery and recent failures."""
        items = await services.list_robots(actor)
        return Page(items=items, total=len(items))

    @delete("/{robot_id:int}", opt=access(*MANAGERS), status_code=HTTP_204_NO_CONTENT)
    async def delete_robot(self, actor: Principal, robot_id: int) -> None:
        """Remove a robot and its queued messages."""
        await services.delete_robot(actor, robot_id)

    @post("/{robot_id:int}/test", opt=access(*MANAGERS), status_code=200)
    async def send_test(self, actor: Principal, settings: Settings,
                        robot_id: int) -> RobotTestOut:
        """Send a test message now; ``status`` is ``sent`` or ``failed`` with ``error``."""
        return await services.send_test(actor, robot_id,
                                        config=SenderConfig.from_settings(settings))
