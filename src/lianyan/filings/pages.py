"""Pages of filings (being written)."""

from __future__ import annotations

from litestar import Controller, get
from litestar.response import Redirect

from lianyan.auth.principal import Principal
from lianyan.web.access import SIGNED_IN, access


class FilingPages(Controller):
    """``/filings/...``."""

    path = "/filings"
    include_in_schema = False

    @get("/", opt=access(SIGNED_IN))
    async def index(self, actor: Principal) -> Redirect:
        """The caller's entry into filings."""
        return Redirect("/")
