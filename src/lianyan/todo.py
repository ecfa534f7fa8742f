"""One thing a person must do next, as domains report it for the home page (web/home.py)."""

from __future__ import annotations

import datetime as dt

import msgspec


class Todo(msgspec.Struct, frozen=True, kw_only=True):
    """A thing waiting for the caller: what, where to do it, and by when."""

    text: str
    link: str
    #: The deadline in city time, if there is one; items are listed by it.
    due: dt.datetime | None = None
    #: A second line in grey (who is late, what is missing).
    detail: str = ""
    #: ``info`` items inform (an upcoming activity); they are not a task.
    kind: str = "task"

    def days_left(self, today: dt.date) -> int | None:
        """Calendar days from ``today`` to the deadline (negative once past)."""
        return None if self.due is None else (self.due.date() - today).days
