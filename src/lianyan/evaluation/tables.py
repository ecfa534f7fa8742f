"""Tables of evaluation and awards."""

from __future__ import annotations

from piccolo.columns import (
    DoublePrecision,
    ForeignKey,
    Integer,
    Serial,
    Text,
    Timestamptz,
    Varchar,
)
from piccolo.table import Table

from lianyan.org.tables import County, Person


class EvaluationYear(Table):
    """One year's evaluation: when its award list was published (表彰名单)."""

    id: Serial

    year = Integer(unique=True)
    published_at = Timestamptz(null=True, default=None)
    published_by = Integer(null=True, default=None)
    updated_at = Timestamptz()


class EvaluationIndicator(Table):
    """One indicator of a year's scheme: its weight (of 100) and its maximum score."""

    id: Serial

    year = Integer(index=True)
    name = Varchar(length=100)
    description = Text(default="")
    weight = Integer()
    max_score = Integer()
    sort = Integer(default=0)


class EvaluationEvaluator(Table):
    """An expert the city named to score a year's candidates."""

    id: Serial

    year = Integer(index=True)
    person = ForeignKey(references=Person, null=False)
    created_at = Timestamptz()


class EvaluationScore(Table):
    """One evaluator's score of one candidate on one indicator."""

    id: Serial

    year = Integer(index=True)
    evaluator = ForeignKey(references=Person, null=False)
    #: ``zone``, ``kindergarten`` or ``person``; ``candidate_id`` is that row's id.
    candidate_kind = Varchar(length=20)
    candidate_id = Integer()
    indicator = ForeignKey(references=EvaluationIndicator, null=False, index=True)
    score = DoublePrecision()
    comment = Text(default="")
    updated_at = Timestamptz()


class EvaluationAward(Table):
    """An award the city designates: 先进责任区, 先进幼儿园 or 先进个人."""

    id: Serial

    year = Integer(index=True)
    kind = Varchar(length=20)
    candidate_id = Integer()
    #: Names as they were when the award was made: the list is an official record.
    candidate_name = Varchar(length=100)
    unit = Varchar(length=100, default="")
    county = ForeignKey(references=County, null=True)
    note = Text(default="")
    created_by = Integer(null=True, default=None)
    created_at = Timestamptz()
