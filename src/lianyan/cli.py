"""The ``lianyan`` command: serve, migrate, demo, create-user, sweep, backup, restore, report."""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
from collections.abc import Callable, Coroutine
from typing import Any

from lianyan.cli_context import load_settings, with_db
from lianyan.reminders import add_commands as reminders_commands
from lianyan.reports.cli import add_commands as reports_commands
from lianyan.search.cli import add_commands as search_commands
from lianyan.settings import Settings
from lianyan.worker import add_commands as worker_commands


def cmd_serve(args: argparse.Namespace) -> None:
    """Serve the app (and, in the embedded default, the local S3 server).

    With ``--workers N`` and the embedded store, this process starts and watches one
    ``rclone serve s3`` and hands its address to every worker, as if it were an external S3.
    """
    import uvicorn

    # Before the settings are read: robot messages link to it (settings.public_origin).
    os.environ.setdefault("LIANYAN_PUBLIC_ORIGIN", f"http://{args.host}:{args.port}")
    settings = load_settings()
    # X-Forwarded-* are believed from LIANYAN_TRUSTED_PROXIES only (never uvicorn's default of
    # 127.0.0.1): login throttling counts by the client address they give.
    proxy_headers = bool(settings.trusted_proxies)
    allowed = ",".join(settings.trusted_proxies) or None
    if args.workers > 1:
        shared = _shared_store(settings) if settings.store.embedded else None
        try:
            uvicorn.run("lianyan.web.asgi:create", factory=True, host=args.host, port=args.port,
                        workers=args.workers, proxy_headers=proxy_headers,
                        forwarded_allow_ips=allowed,
                        # a busy machine can take longer than uvicorn's 5 s to start a worker
                        timeout_worker_healthcheck=60)
        finally:
            if shared is not None:
                shared.stop()
        return
    from lianyan.web.app import create_app

    uvicorn.run(create_app(settings), host=args.host, port=args.port,
                proxy_headers=proxy_headers, forwarded_allow_ips=allowed)


def _shared_store(settings: Settings) -> Any:
    """Start the embedded store once for every worker; its address goes in the environment."""
    from lianyan.files.local_s3 import LocalS3Server

    server = LocalS3Server.from_settings(
        settings.data_dir, settings.store,
        allow_origin=os.environ.get("LIANYAN_PUBLIC_ORIGIN", "*"),
    )
    server.start()
    store = server.settings()
    os.environ.update({
        "LIANYAN_S3_ENDPOINT": store.endpoint,
        "LIANYAN_S3_ACCESS_KEY": store.access_key,
        "LIANYAN_S3_SECRET_KEY": store.secret_key,
        "LIANYAN_S3_BUCKET": store.bucket,
        "LIANYAN_S3_PUBLIC_ENDPOINT": store.public_endpoint,
    })
    return server


def cmd_migrate(args: argparse.Namespace) -> None:
    """Run every migration forward."""
    from lianyan import db
    from lianyan.search import index

    async def migrate_and_index() -> None:
        await db.migrate()
        await index.ensure()  # a database from before the search: index what is there

    load_settings()
    asyncio.run(with_db(migrate_and_index))


def cmd_demo(args: argparse.Namespace) -> None:
    """Load the demo city once (or, with ``--scale``, generated data), then print the logins."""
    from lianyan import demo

    load_settings()
    if args.scale:
        from lianyan import scale

        try:
            counts = asyncio.run(with_db(lambda: scale.load(args.scale)))
        except RuntimeError as exc:
            sys.exit(f"lianyan: {exc}")
        print(", ".join(f"{table} {n:,}" for table, n in counts.items()))
        print(f"logins (password {demo.DEMO_PASSWORD}): " + ", ".join(scale.LOGINS))
        return
    origin = os.environ.get("LIANYAN_PUBLIC_ORIGIN") or f"http://{args.host}:{args.port}"

    async def load_and_list() -> str:
        from lianyan.search import index

        await demo.load()
        await index.reindex_all()  # the demo writes rows, not through the services
        return await demo.logins_text(origin.rstrip("/"))

    print(asyncio.run(with_db(load_and_list)))


def _run_or_exit(work: Callable[[], Coroutine[Any, Any, Any]]) -> Any:
    """Run ``work`` with the database; an error with a ``detail`` (a refused rule) ends the
    command with that message instead of a traceback."""
    try:
        return asyncio.run(with_db(work))
    except Exception as exc:
        detail = getattr(exc, "detail", None)
        if detail is None:
            raise
        sys.exit(f"lianyan: {detail}")


def cmd_create_user(args: argparse.Namespace) -> None:
    """Give an existing person a login (``--person ID``: prints a one-time password), or create
    a person with a login and a role (the password is read from stdin)."""
    from lianyan.auth import accounts, admin

    load_settings()
    if args.person is not None:
        opened = _run_or_exit(
            lambda: accounts.open_account(None, args.person, username=args.username)
        )
        print(f"用户名 {opened.username}")
        print(f"初始密码 {opened.password}（只显示这一次；首次登录后必须修改）")
        return
    missing = [f"--{n}" for n in ("username", "name", "role") if not getattr(args, n)]
    if missing:
        sys.exit(f"lianyan: 请给出 --person，或者同时给出 {' '.join(missing)}。")
    password = sys.stdin.readline().rstrip("\n")
    _run_or_exit(
        lambda: admin.create_user(
            username=args.username, name=args.name, role=args.role, password=password,
            county_code=args.county, zone_id=args.zone, kindergarten_id=args.kindergarten,
            phone=args.phone,
        )
    )
    print(f"created {args.username} ({args.role})")


def cmd_sweep(args: argparse.Namespace) -> None:
    """Abort abandoned uploads and remove objects no row refers to."""
    from lianyan.files import sweep

    settings = load_settings()

    async def run() -> Any:
        return await sweep.run_with_store(settings)

    report = asyncio.run(with_db(run))
    print(report)


def cmd_backup(args: argparse.Namespace) -> None:
    """Copy the database and every stored file into a new folder, while the app runs."""
    _backup_command("backup", args)


def cmd_restore(args: argparse.Namespace) -> None:
    """Replace the database and the stored files with a backup (stop the app first)."""
    _backup_command("restore", args)


def _backup_command(command: str, args: argparse.Namespace) -> None:
    from pathlib import Path

    from lianyan import backup

    settings = load_settings()
    try:
        manifest = asyncio.run(backup.run(command, settings, Path(args.folder)))
    except backup.BackupError as exc:
        sys.exit(f"lianyan {command}: {exc}")
    print(backup.describe(manifest))


def main(argv: list[str] | None = None) -> None:
    """Entry point of the console script."""
    parser = argparse.ArgumentParser(prog="lianyan", description="联研 — 学前教育区域联盟教研平台")
    sub = parser.add_subparsers(dest="command", required=True)

    serve = sub.add_parser("serve", help="serve the web app")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)
    serve.add_argument("--workers", type=int, default=1)
    serve.set_defaults(func=cmd_serve)

    sub.add_parser("migrate", help="run database migrations").set_defaults(func=cmd_migrate)
    demo_cmd = sub.add_parser("demo", help="load the demo city once and print the logins")
    demo_cmd.add_argument("--host", default="127.0.0.1", help="where `lianyan serve` listens")
    demo_cmd.add_argument("--port", type=int, default=8000)
    demo_cmd.add_argument("--scale", choices=["city", "province"],
                          help="instead, load generated data of that size into an empty database")
    demo_cmd.set_defaults(func=cmd_demo)

    create = sub.add_parser(
        "create-user",
        help="--person ID: a login for an existing person (prints a one-time password); "
        "or a new person with a login (password on stdin)",
    )
    create.add_argument("--person", type=int, help="id of an existing person")
    create.add_argument("--username")
    create.add_argument("--name")
    create.add_argument("--role")
    create.add_argument("--county", help="county code (GB/T 2260)")
    create.add_argument("--zone", type=int)
    create.add_argument("--kindergarten", type=int)
    create.add_argument("--phone")
    create.set_defaults(func=cmd_create_user)

    for name, helptext, func in (
        ("backup", "copy the database and the stored files into FOLDER (app may run)", cmd_backup),
        ("restore", "replace the database and the stored files with FOLDER (app stopped)",
         cmd_restore),
    ):
        command = sub.add_parser(name, help=helptext)
        command.add_argument("folder", metavar="FOLDER")
        command.set_defaults(func=func)
    sub.add_parser("sweep", help="clean abandoned uploads and orphaned objects").set_defaults(
        func=cmd_sweep
    )
    for extra in _EXTRA_COMMANDS:
        extra(sub)
    args = parser.parse_args(argv)
    from lianyan.search import index

    index.install()  # services a command calls keep the search index in step
    args.func(args)


#: Domains add sub-commands here (e.g. ``lianyan report``).
_EXTRA_COMMANDS: list[Callable[[Any], None]] = []
_EXTRA_COMMANDS.append(reminders_commands)
_EXTRA_COMMANDS.append(reports_commands)
_EXTRA_COMMANDS.append(search_commands)
_EXTRA_COMMANDS.append(worker_commands)


if __name__ == "__main__":
    main()
