"""Wakes this process's report workers when a job is queued.

``services`` calls ``notify``; ``worker`` registers each running worker here. Both import this
module and neither imports the other's caller, so the import runs one way (worker → services).
"""

from __future__ import annotations

from typing import Protocol


class Wakeable(Protocol):
    def wake(self) -> None: ...


#: The workers running in this process.
WORKERS: set[Wakeable] = set()


def notify() -> None:
    """Wake this process's workers: a job was just queued."""
    for worker in list(WORKERS):
        worker.wake()
