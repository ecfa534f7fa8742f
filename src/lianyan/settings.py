"""Settings: one typed object, read from ``LIANYAN_*`` environment variables once.

``Settings.from_env()`` is called by the entry points (CLI, app factory, tests), never at
import time. A bad value stops start-up with a message that names the variable.
"""

from __future__ import annotations

import ipaddress
import os
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Annotated

import msgspec

Bytes = Annotated[int, msgspec.Meta(ge=1)]


class SettingsError(Exception):
    """A setting is missing or malformed; the message names the variable."""


class ObjectStoreSettings(msgspec.Struct, frozen=True, kw_only=True):
    """Where files live: an S3 endpoint, or none to start a local ``rclone serve s3``."""

    endpoint: str = ""
    access_key: str = ""
    secret_key: str = ""
    bucket: str = "lianyan"
    region: str = "us-east-1"
    secure: bool = False
    #: Host name browsers use to reach the store, when it differs from ``endpoint``.
    public_endpoint: str = ""
    #: Where the embedded store listens (``host:port``); empty: loopback, a free port.
    embedded_addr: str = ""

    @property
    def embedded(self) -> bool:
        """True when the app must start its own local S3 server."""
        return not self.endpoint


class UploadLimits(msgspec.Struct, frozen=True, kw_only=True):
    """Size limits per kind of upload, in bytes."""

    document_bytes: Bytes = 50 * 1024 * 1024
    video_bytes: Bytes = 2 * 1024 * 1024 * 1024
    image_bytes: Bytes = 20 * 1024 * 1024
    import_bytes: Bytes = 10 * 1024 * 1024
    #: Part size handed to browsers for resumable uploads (S3 minimum is 5 MiB).
    part_bytes: Annotated[int, msgspec.Meta(ge=5 * 1024 * 1024)] = 8 * 1024 * 1024
    #: Multipart uploads untouched for this long are aborted by ``lianyan sweep``.
    abandon_after_hours: Annotated[int, msgspec.Meta(ge=1)] = 48
    #: Bounds on an Office file's ZIP before anything is inflated (``files/office.py``).
    office_entries: Annotated[int, msgspec.Meta(ge=1)] = 5_000
    office_entry_bytes: Bytes = 128 * 1024 * 1024
    office_total_bytes: Bytes = 512 * 1024 * 1024
    office_ratio: Annotated[int, msgspec.Meta(ge=1)] = 200
    #: Longest a section extraction or an import may parse, in seconds (then: unreadable).
    office_parse_seconds: Annotated[int, msgspec.Meta(ge=1)] = 20


class ReportFontSettings(msgspec.Struct, frozen=True, kw_only=True):
    """Font names written into Word reports (GB/T 9704)."""

    title: str = "方正小标宋简体"
    body: str = "仿宋_GB2312"
    heading1: str = "黑体"
    heading2: str = "楷体_GB2312"
    page_number: str = "宋体"


class Settings(msgspec.Struct, frozen=True, kw_only=True):
    """Every setting of the service."""

    data_dir: Path
    database_url: str
    secret_key: str
    store: ObjectStoreSettings
    uploads: UploadLimits = UploadLimits()
    fonts: ReportFontSettings = ReportFontSettings()
    city_name: str = "三门峡市"
    city_bureau: str = "三门峡市教育局"
    #: The city bureau's document-number prefix: 三教〔2026〕5号.
    city_doc_prefix: str = "三教"
    #: The text of the city bureau's seal (empty: its name).
    city_seal: str = ""
    time_zone: str = "Asia/Shanghai"
    #: Set when the service sits behind TLS, so cookies get the Secure flag.
    secure_cookies: bool = False
    #: Addresses or networks of the reverse proxies whose ``X-Forwarded-For`` is believed
    #: (``LIANYAN_TRUSTED_PROXIES``, comma-separated); from anyone else the header is ignored.
    trusted_proxies: tuple[str, ...] = ()
    #: Seconds between the app's own looks for due reminders (``exchanges/scheduler.py``).
    reminder_seconds: Annotated[int, msgspec.Meta(ge=1)] = 300
    #: Whether this app process also runs video previews (``LIANYAN_MEDIA_WORKER``); off on web
    #: servers when ``lianyan worker`` runs on machines of their own.
    media_worker: bool = True
    #: Whether this app process also builds queued reports (``LIANYAN_REPORT_WORKER``); off on
    #: web servers when ``lianyan worker`` runs on machines of their own.
    report_worker: bool = True
    #: Whether this app process also sends queued group-robot messages (``LIANYAN_ROBOT_SENDER``);
    #: off on web servers when ``lianyan worker`` runs elsewhere.
    robot_sender: bool = True
    #: A video larger than this also gets a 720p preview for phones (``LIANYAN_VIDEO_PREVIEW_BYTES``).
    video_preview_bytes: Annotated[int, msgspec.Meta(ge=1)] = 200 * 1024 * 1024
    #: Hosts accepted for group-robot webhooks besides WeCom's and DingTalk's own
    #: (``LIANYAN_ROBOT_HOSTS``, comma-separated, any port, http allowed): a proxy, a test receiver.
    robot_hosts: tuple[str, ...] = ()
    #: The site's address as people open it (``LIANYAN_PUBLIC_ORIGIN``, ``https://host``): links
    #: in robot messages point there.
    public_origin: str = ""
    debug: bool = False

    @property
    def trusted_networks(self) -> tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...]:
        """``trusted_proxies`` as networks (a bare address is a network of one)."""
        return tuple(ipaddress.ip_network(p, strict=False) for p in self.trusted_proxies)

    @property
    def is_sqlite(self) -> bool:
        """True when the database is an embedded SQLite file."""
        return self.database_url.startswith("sqlite")

    @property
    def sqlite_path(self) -> Path:
        """The SQLite file behind ``database_url``."""
        return Path(self.database_url.split("://", 1)[1])

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Settings:
        """Read the settings from ``LIANYAN_*`` variables; raise ``SettingsError`` on bad ones."""
        env = os.environ if env is None else env
        data_dir = Path(env.get("LIANYAN_DATA_DIR", "var")).resolve()
        database_url = env.get("LIANYAN_DATABASE_URL") or f"sqlite:///{data_dir / 'lianyan.db'}"
        if not database_url.startswith(("sqlite:///", "postgresql://", "postgres://")):
            raise SettingsError(
                "LIANYAN_DATABASE_URL must start with sqlite:/// or postgresql://, "
                f"got {database_url!r}"
            )
        secret_key = env.get("LIANYAN_SECRET_KEY") or _local_secret(data_dir)
        if len(secret_key) < 16:
            raise SettingsError("LIANYAN_SECRET_KEY must be at least 16 characters long")
        store = ObjectStoreSettings(
            endpoint=env.get("LIANYAN_S3_ENDPOINT", ""),
            access_key=env.get("LIANYAN_S3_ACCESS_KEY", ""),
            secret_key=env.get("LIANYAN_S3_SECRET_KEY", ""),
            bucket=env.get("LIANYAN_S3_BUCKET", "lianyan"),
            region=env.get("LIANYAN_S3_REGION", "us-east-1"),
            secure=_flag(env, "LIANYAN_S3_SECURE", False),
            public_endpoint=env.get("LIANYAN_S3_PUBLIC_ENDPOINT", ""),
            embedded_addr=env.get("LIANYAN_S3_EMBEDDED_ADDR", ""),
        )
        if store.embedded_addr and not re.fullmatch(r"[\w.\-\[\]:]+:\d{1,5}", store.embedded_addr):
            raise SettingsError(
                f"LIANYAN_S3_EMBEDDED_ADDR must be host:port, got {store.embedded_addr!r}"
            )
        if store.endpoint and not (store.access_key and store.secret_key):
            raise SettingsError(
                "LIANYAN_S3_ACCESS_KEY and LIANYAN_S3_SECRET_KEY are required "
                "when LIANYAN_S3_ENDPOINT is set"
            )
        uploads = UploadLimits(
            document_bytes=_int(env, "LIANYAN_MAX_DOCUMENT_BYTES", 50 * 1024 * 1024),
            video_bytes=_int(env, "LIANYAN_MAX_VIDEO_BYTES", 2 * 1024 * 1024 * 1024),
            image_bytes=_int(env, "LIANYAN_MAX_IMAGE_BYTES", 20 * 1024 * 1024),
            import_bytes=_int(env, "LIANYAN_MAX_IMPORT_BYTES", 10 * 1024 * 1024),
            part_bytes=_int(env, "LIANYAN_UPLOAD_PART_BYTES", 8 * 1024 * 1024),
            abandon_after_hours=_int(env, "LIANYAN_UPLOAD_ABANDON_HOURS", 48),
            office_entries=_int(env, "LIANYAN_OFFICE_MAX_ENTRIES", 5_000),
            office_entry_bytes=_int(env, "LIANYAN_OFFICE_MAX_ENTRY_BYTES", 128 * 1024 * 1024),
            office_total_bytes=_int(env, "LIANYAN_OFFICE_MAX_TOTAL_BYTES", 512 * 1024 * 1024),
            office_ratio=_int(env, "LIANYAN_OFFICE_MAX_RATIO", 200),
            office_parse_seconds=_int(env, "LIANYAN_OFFICE_PARSE_SECONDS", 20),
        )
        fonts = ReportFontSettings(
            title=env.get("LIANYAN_FONT_TITLE", "方正小标宋简体"),
            body=env.get("LIANYAN_FONT_BODY", "仿宋_GB2312"),
            heading1=env.get("LIANYAN_FONT_HEADING1", "黑体"),
            heading2=env.get("LIANYAN_FONT_HEADING2", "楷体_GB2312"),
            page_number=env.get("LIANYAN_FONT_PAGE_NUMBER", "宋体"),
        )
        trusted_proxies = tuple(
            p.strip() for p in env.get("LIANYAN_TRUSTED_PROXIES", "").split(",") if p.strip()
        )
        for proxy in trusted_proxies:
            try:
                ipaddress.ip_network(proxy, strict=False)
            except ValueError:
                raise SettingsError(
                    "LIANYAN_TRUSTED_PROXIES must list IP addresses or networks "
                    f"(10.0.0.0/8, 192.168.1.10), got {proxy!r}"
                ) from None
        robot_hosts = tuple(
            h.strip().lower() for h in env.get("LIANYAN_ROBOT_HOSTS", "").split(",") if h.strip()
        )
        for host in robot_hosts:
            if not re.fullmatch(r"[a-z0-9.\-]+|\[[0-9a-f:.]+\]|[0-9a-f:]+", host):
                raise SettingsError(
                    f"LIANYAN_ROBOT_HOSTS must list host names or addresses, got {host!r}"
                )
        public_origin = env.get("LIANYAN_PUBLIC_ORIGIN", "").strip().rstrip("/")
        if public_origin and not re.fullmatch(r"https?://[^/\s?#]+", public_origin):
            raise SettingsError(
                f"LIANYAN_PUBLIC_ORIGIN must be http(s)://host[:port], got {public_origin!r}"
            )
        try:
            return msgspec.convert(
                {
                    "data_dir": data_dir,
                    "database_url": database_url,
                    "secret_key": secret_key,
                    "store": msgspec.to_builtins(store),
                    "uploads": msgspec.to_builtins(uploads),
                    "fonts": msgspec.to_builtins(fonts),
                    "city_name": env.get("LIANYAN_CITY_NAME", "三门峡市"),
                    "city_bureau": env.get("LIANYAN_CITY_BUREAU", "三门峡市教育局"),
                    "city_doc_prefix": env.get("LIANYAN_CITY_DOC_PREFIX", "三教"),
                    "city_seal": env.get("LIANYAN_CITY_SEAL", ""),
                    "time_zone": env.get("LIANYAN_TIME_ZONE", "Asia/Shanghai"),
                    "secure_cookies": _flag(env, "LIANYAN_SECURE_COOKIES", False),
                    "trusted_proxies": trusted_proxies,
                    "reminder_seconds": _int(env, "LIANYAN_REMINDER_SECONDS", 300),
                    "media_worker": _flag(env, "LIANYAN_MEDIA_WORKER", True),
                    "report_worker": _flag(env, "LIANYAN_REPORT_WORKER", True),
                    "robot_sender": _flag(env, "LIANYAN_ROBOT_SENDER", True),
                    "video_preview_bytes": _int(
                        env, "LIANYAN_VIDEO_PREVIEW_BYTES", 200 * 1024 * 1024
                    ),
                    "robot_hosts": robot_hosts,
                    "public_origin": public_origin,
                    "debug": _flag(env, "LIANYAN_DEBUG", False),
                },
                cls,
                strict=False,
            )
        except msgspec.ValidationError as exc:
            path = str(exc).rsplit("at `$.", 1)[-1].rstrip("`")
            name = _VARIABLES.get(path, path)
            raise SettingsError(f"{name}: {exc}") from exc


_VARIABLES = {
    "uploads.document_bytes": "LIANYAN_MAX_DOCUMENT_BYTES",
    "uploads.video_bytes": "LIANYAN_MAX_VIDEO_BYTES",
    "uploads.image_bytes": "LIANYAN_MAX_IMAGE_BYTES",
    "uploads.import_bytes": "LIANYAN_MAX_IMPORT_BYTES",
    "uploads.part_bytes": "LIANYAN_UPLOAD_PART_BYTES",
    "uploads.abandon_after_hours": "LIANYAN_UPLOAD_ABANDON_HOURS",
    "uploads.office_entries": "LIANYAN_OFFICE_MAX_ENTRIES",
    "uploads.office_entry_bytes": "LIANYAN_OFFICE_MAX_ENTRY_BYTES",
    "uploads.office_total_bytes": "LIANYAN_OFFICE_MAX_TOTAL_BYTES",
    "uploads.office_ratio": "LIANYAN_OFFICE_MAX_RATIO",
    "uploads.office_parse_seconds": "LIANYAN_OFFICE_PARSE_SECONDS",
}


def _int(env: Mapping[str, str], name: str, default: int) -> int:
    raw = env.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise SettingsError(f"{name} must be a whole number of bytes, got {raw!r}") from None
    if value < 1:
        raise SettingsError(f"{name} must be positive, got {raw!r}")
    return value


def _flag(env: Mapping[str, str], name: str, default: bool) -> bool:
    raw = env.get(name)
    if raw is None or raw == "":
        return default
    if raw.lower() in {"1", "true", "yes", "on"}:
        return True
    if raw.lower() in {"0", "false", "no", "off"}:
        return False
    raise SettingsError(f"{name} must be true or false, got {raw!r}")


def _local_secret(data_dir: Path) -> str:
    """A per-installation secret kept under the data dir, for the embedded default."""
    path = data_dir / "secret_key"
    if path.exists():
        return path.read_text().strip()
    import secrets

    data_dir.mkdir(parents=True, exist_ok=True)
    value = secrets.token_urlsafe(32)
    path.write_text(value)
    path.chmod(0o600)
    return value
