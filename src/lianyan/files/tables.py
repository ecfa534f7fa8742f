"""Tables of stored files and resumable uploads."""

from __future__ import annotations

from piccolo.columns import BigInt, ForeignKey, Integer, Serial, Text, Timestamptz, Varchar
from piccolo.table import Table


class StoredFile(Table):
    """A file in the object store; the key is generated, never the user's file name."""

    id: Serial

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

    id: Serial

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


class MediaPreview(Table):
    """A video's look in the browser: duration, poster frame and, where needed, a 720p MP4.

    One row per uploaded video, a job of the media worker (``files/media.py``): ``queued`` →
    ``running`` → ``done`` (or ``failed`` with the reason in Chinese). Claimed with a
    conditional UPDATE, like report jobs, so several workers never run one twice.
    """

    id: Serial

    source_file = ForeignKey(references=StoredFile, null=False, unique=True)
    status = Varchar(length=10, default="queued", index=True)
    #: The browser-friendly copy (H.264/AAC MP4, at most 720 lines), when one was needed.
    preview_file = ForeignKey(references=StoredFile, null=True, default=None)
    #: A JPEG frame shown before the video plays.
    poster_file = ForeignKey(references=StoredFile, null=True, default=None)
    duration_seconds = Integer(null=True, default=None)
    width = Integer(null=True, default=None)
    height = Integer(null=True, default=None)
    #: The video codec found (``h264``, ``hevc`` …).
    codec = Varchar(length=30, default="")
    #: Why a preview was made (or why the job failed), in Chinese.
    reason = Text(default="")
    worker = Varchar(length=100, default="")
    created_at = Timestamptz()
    started_at = Timestamptz(null=True, default=None)
    finished_at = Timestamptz(null=True, default=None)
