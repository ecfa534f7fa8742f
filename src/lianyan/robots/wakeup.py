"""Wakes this process's robot senders when a message is queued (as ``reports/wakeup.py``).

``outbox`` calls ``notify``; ``sender`` registers each running sender here, so the import
runs one way (sender → outbox).
"""

from __future__ import annotations

from typing import Protocol


class Wakeable(Protocol):
    def wake(self) -> None: ...


#: The senders running in this process.
SENDERS: set[Wakeable] = set()


def notify() -> None:
    """Wake this process's senders: a message was just queued."""
    for sender in list(SENDERS):
        sender.wake()
