"""JSON API of resumable direct uploads: ``/api/v1/uploads`` (see ``files/uploads.py``)."""

from __future__ import annotations

from litestar import Controller, delete, get, post

from lianyan.files import uploads
from lianyan.files.store import ObjectStore
from lianyan.principal import Principal
from lianyan.settings import Settings
from lianyan.web.access import SIGNED_IN, access


class UploadController(Controller):
    """Large files go from the browser straight to the store; the app authorises and verifies."""

    path = "/api/v1/uploads"
    tags = ("files",)

    @post("/", opt=access(SIGNED_IN))
    async def create_upload(
        self, actor: Principal, store: ObjectStore, settings: Settings, data: uploads.UploadIn
    ) -> uploads.UploadOut:
        """Start an upload: refused early by name and size; presigned URLs for every part."""
        return await uploads.create_upload(actor, store, data, uploads=settings.uploads)

    @get("/{upload_id:int}", opt=access(SIGNED_IN))
    async def get_upload(
        self, actor: Principal, store: ObjectStore, upload_id: int
    ) -> uploads.UploadOut:
        """Status, the parts the store holds, and fresh URLs for the missing ones."""
        return await uploads.get_upload(actor, store, upload_id)

    @post("/{upload_id:int}/complete", status_code=200, opt=access(SIGNED_IN))
    async def complete_upload(
        self, actor: Principal, store: ObjectStore, settings: Settings, upload_id: int
    ) -> uploads.CompletedOut:
        """Join the parts, check size, content and SHA-256, and record the file."""
        return await uploads.complete_upload(actor, store, upload_id, uploads=settings.uploads)

    @delete("/{upload_id:int}", opt=access(SIGNED_IN))
    async def abort_upload(self, actor: Principal, store: ObjectStore, upload_id: int) -> None:
        """Cancel an unfinished upload and free its parts."""
        await uploads.abort_upload(actor, store, upload_id)
