"""Wakes this process's robot senders when a message is queued (as ``reports/wakeup.py``).

``outbox`` calls ``notify``; ``sender`` registers each running sender here, so the import
runs one way (sender → outbox).
"""

from __future__ import annotations

from lianyan import jobs

#: The robot senders running in this process.
WAKEUPS = jobs.Wakeups()
notify = WAKEUPS.notify
