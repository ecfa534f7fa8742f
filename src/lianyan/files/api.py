"""JSON API of files: ``GET /api/v1/files/{id}/download``."""

from __future__ import annotations

from litestar import Controller, get
from litestar.response import Redirect

from lianyan.files import services
from lianyan.files.store import ObjectStore
from lianyan.principal import Principal
from lianyan.web.access import SIGNED_IN, access


class FileController(Controller):
    """Downloads: permission first, then a short-lived presigned URL."""

    path = "/api/v1/files"
    tags = ["files"]

    @get("/{file_id:int}/download", opt=access(SIGNED_IN))
    async def download(
        self, actor: Principal, store: ObjectStore, file_id: int, inline: bool = False
    ) -> Redirect:
        """302 to a presigned URL that downloads under the original (Chinese) name."""
        return Redirect(await services.download_url(actor, store, file_id, inline=inline))
