"""API schemas of evaluation and awards."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from msgspec import Meta

from lianyan.schemas import Id, Input, Name, Output

CandidateKind = Literal["zone", "kindergarten", "person"]
#: What each award is called on the list the city publishes.
AWARD_NAMES = {"zone": "先进责任区", "kindergarten": "先进幼儿园", "person": "先进个人"}
CANDIDATE_NAMES = {"zone": "教研责任区", "kindergarten": "幼儿园", "person": "个人"}
Text = Annotated[str, Meta(max_length=1000)]


class IndicatorIn(Input, kw_only=True):
    """One indicator: its weight (the weights of a scheme sum to 100) and maximum score."""

    name: Annotated[Name, Meta(title="指标名称")]
    description: Annotated[Text, Meta(title="说明")] = ""
    weight: Annotated[int, Meta(ge=1, le=100, title="权重")]
    max_score: Annotated[int, Meta(ge=1, le=1000, title="满分")] = 100


class SchemeIn(Input, kw_only=True):
    """A year's scheme, replacing the one before (only while nobody has scored)."""

    indicators: Annotated[list[IndicatorIn], Meta(min_length=1, max_length=30, title="评估指标")]


class IndicatorOut(Output, kw_only=True):
    """An indicator of a scheme."""

    id: int
    name: str
    description: str
    weight: int
    max_score: int


class SchemeOut(Output, kw_only=True):
    """A year's scheme; ``locked`` once scores exist, ``published`` once awards are out."""

    year: int
    indicators: list[IndicatorOut]
    total_weight: int
    locked: bool
    published: bool


class EvaluatorsIn(Input, kw_only=True):
    """The experts the city names to score a year's candidates (replaces the list)."""

    person_ids: Annotated[list[Id], Meta(max_length=200, title="评估专家")]


class EvaluatorOut(Output, kw_only=True):
    """A named evaluator."""

    person_id: int
    name: str
    unit: str


class ScoreIn(Input, kw_only=True):
    """One score: a candidate on one indicator, between 0 and the indicator's maximum."""

    candidate_kind: Annotated[CandidateKind, Meta(title="评估对象类别")]
    candidate_id: Annotated[Id, Meta(title="评估对象")]
    indicator_id: Annotated[Id, Meta(title="指标")]
    score: Annotated[float, Meta(title="得分")]
    comment: Annotated[Text, Meta(title="评语")] = ""


class ScoresIn(Input, kw_only=True):
    """The caller's scores to save (each replaces the caller's earlier score of that item)."""

    scores: Annotated[list[ScoreIn], Meta(max_length=5000, title="评分表")]


class ScoresSaved(Output, kw_only=True):
    """How many scores were saved."""

    saved: int


class ScoreOut(Output, kw_only=True):
    """A score of one indicator."""

    indicator_id: int
    score: float
    comment: str


class AverageOut(Output, kw_only=True):
    """The evaluators' average on one indicator."""

    indicator_id: int
    average: float
    evaluators: int


class Participation(Output, kw_only=True):
    """What a candidate did this year, counted by the platform to support the judgement."""

    activities: int
    designs: int
    comments: int
    topics: int


class CandidateOut(Output, kw_only=True):
    """A candidate with participation, the caller's scores and (for the city) the averages."""

    kind: str
    id: int
    name: str
    unit: str
    county_id: int | None
    county_name: str | None
    participation: Participation
    my_scores: list[ScoreOut]
    averages: list[AverageOut] | None
    total: float | None


class ScoreBoard(Output, kw_only=True):
    """One page of candidates of one kind, with the scheme and notes on the figures."""

    year: int
    kind: str
    indicators: list[IndicatorOut]
    items: list[CandidateOut]
    total: int
    notes: list[str]


class AwardIn(Input, kw_only=True):
    """An award to designate."""

    kind: Annotated[CandidateKind, Meta(title="表彰类别")]
    candidate_id: Annotated[Id, Meta(title="表彰对象")]
    note: Annotated[Text, Meta(title="备注")] = ""


class AwardOut(Output, kw_only=True):
    """A designated award."""

    id: int
    year: int
    kind: str
    award_name: str
    candidate_id: int
    candidate_name: str
    unit: str
    county_id: int | None
    county_name: str | None
    note: str
    created_at: dt.datetime


class AwardList(Output, kw_only=True):
    """A year's awards; before publication only the city sees them."""

    year: int
    published: bool
    published_at: dt.datetime | None
    items: list[AwardOut]
    total: int
