"""Tables of stored files and resumable uploads."""

from __future__ import annotations

from piccolo.columns import BigInt, Integer, Timestamptz, Varchar
from piccolo.table import Table


class StoredFile(Table):
    """A file in the object store; the key is generated, never the user's file name."""

    key = Varchar(length=200, unique=True)
    original_name = Varchar(length=255)
    size = BigInt()
    content_type = Varchar(length=100)
    sha256 = Varchar(length=64)
    kind = Varchar(length=30)
    #: What the file belongs to (``topic``, ``design_version``, ``report`` …) and its id; the
    #: owner's domain decides who may download it (see ``lianyan.files.access``).
    owner_type = Varchar(length=30, default="", index=True)
    owner_id = Integer(null=True, default=None)
    uploader_id = Integer(null=True, default=None)
    created_at = Timestamptz()


class Upload(Table):
    """A resumable multipart upload straight to the object store, under way or finished."""

    key = Varchar(length=200, unique=True)
    s3_upload_id = Varchar(length=200)
    kind = Varchar(length=30)
    original_name = Varchar(length=255)
    size = BigInt()
    part_size = Integer()
    owner_id = Integer()
    #: what the finished file is for, e.g. ``design_version:12``; the owning domain reads it.
    purpose = Varchar(length=100, default="")
    status = Varchar(length=20, default="open")
    file_id = Integer(null=True, default=None)
    created_at = Timestamptz()
    updated_at = Timestamptz()
