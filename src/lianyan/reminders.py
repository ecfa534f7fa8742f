"""``lianyan remind``: send every domain's deadline reminders that are due (idempotent; run it from cron).

A composition module above the domains: it gathers the exchanges' and the filings' reminders.
"""

from __future__ import annotations

import argparse
import asyncio
from typing import Any


def add_commands(sub: Any) -> None:
    """Register ``lianyan remind`` on the ``lianyan`` argument parser."""
    remind = sub.add_parser(
        "remind",
        help="send due reminders (design deadline in two days, experts not yet commenting, "
        "filing deadline in 7 days and in 1 day); "
        "safe to run as often as you like",
    )
    remind.set_defaults(func=cmd_remind)


async def run_reminders() -> dict[str, int]:
    """The reminders due now, sent once each."""
    from lianyan import clock
    from lianyan.exchanges.notifications import due_reminders
    from lianyan.filings import notices

    now = clock.now()
    sent = await due_reminders(now)
    sent["filing_deadline"] = await notices.due_reminders(now)
    return sent


def cmd_remind(args: argparse.Namespace) -> None:
    """Send the reminders due now and say how many of each kind went out."""
    from lianyan.cli_context import load_settings, with_db

    load_settings()
    sent = asyncio.run(with_db(run_reminders))
    print(
        f"设计提交提醒 {sent['design_deadline']} 条，专家点评提醒 {sent['expert_late']} 条，"
        f"备案截止提醒 {sent['filing_deadline']} 条。"
    )
