"""The lifecycle of a topic as data: its steps, who takes them, and the words for them.

Pure: nothing here reads the database. ``lifecycle`` applies these rules to rows; pages and
tests read them to know which steps exist. The diagram is domain.md §2.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from lianyan.labels import TOPIC_GRADE, TOPIC_STATUS

Side = Literal["county", "city"]


@dataclass(frozen=True, slots=True)
class Step:
    """One transition: its name in the API, its Chinese label, where it starts and ends."""

    name: str
    label: str
    sources: frozenset[str]
    target: str
    #: ``county``: the topic's own side (host, its kindergarten, the county; the city may act
    #: for them); ``city``: only the city bureau, which decides and grades.
    side: Side
    #: The document the step needs (a ``DOCUMENT_KINDS`` key), if any.
    needs_document: str | None = None


STEPS: dict[str, Step] = {
    s.name: s
    for s in (
        Step("submit", "提交申报", frozenset({"draft"}), "submitted", "county", "application"),
        Step("approve", "批准立项", frozenset({"submitted"}), "approved", "city"),
        Step("reject", "不予立项", frozenset({"submitted"}), "rejected", "city"),
        Step("return", "退回修改", frozenset({"submitted"}), "draft", "city"),
        Step("open", "开题", frozenset({"approved"}), "opened", "county", "opening"),
        Step("midterm", "中期检查", frozenset({"opened"}), "midterm", "county", "midterm"),
        Step("conclude", "结题", frozenset({"midterm"}), "concluded", "city", "final"),
        Step(
            "withdraw", "撤销",
            frozenset({"draft", "submitted", "approved", "opened", "midterm"}),
            "withdrawn", "county",
        ),
    )
}  # fmt: skip

STATUSES = tuple(TOPIC_STATUS)

#: Documents of a topic: API kind → (Chinese name, upload kind of ``files/sniff.py``).
DOCUMENT_KINDS: dict[str, tuple[str, str]] = {
    "application": ("申报书", "topic_document"),
    "opening": ("开题报告", "topic_document"),
    "midterm": ("中期报告", "topic_document"),
    "final": ("结题报告", "topic_document"),
    "result": ("成果", "topic_result"),
}

#: In which states each document may be uploaded: while its stage is current, before the
#: step that relies on it freezes it (the application is what experts score, so it is
#: frozen from submission on; a returned topic is a draft again and takes a new version).
DOCUMENT_STATES: dict[str, frozenset[str]] = {
    "application": frozenset({"draft"}),
    "opening": frozenset({"approved", "opened"}),
    "midterm": frozenset({"opened", "midterm"}),
    "final": frozenset({"midterm"}),
    "result": frozenset({"approved", "opened", "midterm", "concluded"}),
}

#: The expert score form (立项评审): field → Chinese name; each item is scored 0–25.
REVIEW_ITEMS: dict[str, str] = {
    "value": "选题价值",
    "design": "研究设计",
    "feasibility": "可行性",
    "outcomes": "预期成果",
}

GRADES = TOPIC_GRADE


def steps_from(status: str) -> list[Step]:
    """Every step the diagram allows from ``status``, whoever takes it."""
    return [s for s in STEPS.values() if status in s.sources]


def illegal_step_message(status: str, action: str) -> str:
    """Why ``action`` cannot be taken from ``status``, and what can be done instead."""
    label = STEPS[action].label if action in STEPS else action
    current = TOPIC_STATUS.get(status, status)
    possible = steps_from(status)
    if not possible:
        return f"课题当前状态为“{current}”，不能{label}；该状态下已不能再进行任何操作。"
    names = "、".join(f"“{s.label}”" for s in possible)
    return f"课题当前状态为“{current}”，不能{label}。当前可以进行的操作：{names}。"


def document_states_message(kind: str, status: str) -> str:
    """Why a document of ``kind`` cannot be uploaded in ``status``."""
    name = DOCUMENT_KINDS[kind][0]
    allowed = "、".join(f"“{TOPIC_STATUS[s]}”" for s in STATUSES if s in DOCUMENT_STATES[kind])
    return (
        f"课题当前状态为“{TOPIC_STATUS.get(status, status)}”，不能上传{name}；"
        f"{name}只能在课题为{allowed}状态时上传。"
    )
