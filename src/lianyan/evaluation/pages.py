"""Pages of evaluation and awards (being written)."""

from __future__ import annotations

from litestar import Controller


class EvaluationPages(Controller):
    """``/evaluation/...``."""

    path = "/evaluation"
    include_in_schema = False
