"""Wakes this process's report workers when a job is queued.

``services`` calls ``notify``; ``worker`` registers each running worker here (``jobs.Wakeups``).
Both import this module and neither imports the other's caller, so the import runs one way
(worker → services).
"""

from __future__ import annotations

from lianyan import jobs

#: The report workers running in this process.
WAKEUPS = jobs.Wakeups()
notify = WAKEUPS.notify
