"""Tables of the robots domain: the registered group robots and their outbox.

A webhook address (and a DingTalk signing secret) is a credential: it is stored sealed
(``sealing.py``, AES-GCM under a key derived from ``LIANYAN_SECRET_KEY``) and only its
``hint`` (host and last four characters of the key) is ever shown again.
"""

from __future__ import annotations

from piccolo.columns import ForeignKey, Integer, Serial, Text, Timestamptz, Varchar
from piccolo.columns.base import OnDelete
from piccolo.table import Table

from lianyan.org.tables import County, Zone


class Robot(Table):
    """One group robot of a county (``zone`` null) or of a zone (``county`` is the zone's)."""

    id: Serial

    #: ``wecom`` (企业微信) or ``dingtalk`` (钉钉).
    kind = Varchar(length=10)
    county = ForeignKey(references=County, null=False, index=True)
    zone = ForeignKey(references=Zone, null=True, index=True)
    #: The webhook address, sealed.
    sealed_url = Text()
    #: DingTalk's signing secret (SEC…), sealed; empty when the robot does not sign.
    sealed_secret = Text(default="")
    #: What is shown of the address: host and the key's last four characters.
    hint = Varchar(length=120)
    created_by = Integer()
    created_by_name = Varchar(length=50, default="")
    created_at = Timestamptz()
    #: The last delivery's outcome: ``""`` (none yet), ``sent`` or ``failed``, with when and why.
    last_status = Varchar(length=10, default="")
    last_at = Timestamptz(null=True, default=None)
    last_error = Varchar(length=300, default="")


class RobotMessage(Table):
    """One markdown message for one robot: pending → sending → sent, or failed at last.

    A sender claims a pending message with ``UPDATE … WHERE status = 'pending'`` and sends
    only when that update changed the row, so instances sharing a database never send a
    message twice. A failed attempt goes back to pending with ``next_at`` later (exponential
    back-off) until ``MAX_ATTEMPTS``.
    """

    id: Serial

    robot = ForeignKey(references=Robot, null=False, index=True, on_delete=OnDelete.cascade)
    #: The notice kind (``filing_returned`` …) or ``test``.
    kind = Varchar(length=30)
    title = Varchar(length=200)
    #: The markdown body without the link (the link is made absolute when sending).
    text = Text(default="")
    #: A path inside the site (``/exchanges/3``), or empty.
    link = Varchar(length=300, default="")
    status = Varchar(length=10, default="pending", index=True)
    attempts = Integer(default=0)
    next_at = Timestamptz()
    claimed_by = Varchar(length=100, default="")
    claimed_at = Timestamptz(null=True, default=None)
    sent_at = Timestamptz(null=True, default=None)
    #: Why the last attempt failed, in Chinese (never the address).
    error = Varchar(length=300, default="")
    created_at = Timestamptz()
