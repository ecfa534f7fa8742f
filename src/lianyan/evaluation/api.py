"""JSON API of evaluation and awards: ``/api/v1/evaluations/{year}/...``."""

from __future__ import annotations

from typing import Annotated

from litestar import Controller, delete, get, post, put
from litestar.params import Parameter
from litestar.status_codes import HTTP_200_OK

from lianyan.evaluation import schemas as s
from lianyan.evaluation import services
from lianyan.evaluation.access import SCORERS
from lianyan.principal import Principal, Role
from lianyan.web.access import SIGNED_IN, access
from lianyan.web.params import YearParam

Limit = Annotated[int, Parameter(ge=1, le=200)]
Offset = Annotated[int, Parameter(ge=0)]


class EvaluationController(Controller):
    """``/api/v1/evaluations/{year}``: scheme, evaluators, scores, awards."""

    path = "/api/v1/evaluations/{year:int}"
    tags = ["evaluation"]

    @get("/scheme", opt=access(SIGNED_IN))
    async def get_scheme(self, actor: Principal, year: YearParam) -> s.SchemeOut:
        """The year's scheme: indicators with weights (summing to 100) and maximum scores."""
        return await services.get_scheme(actor, year)

    @put("/scheme", opt=access(Role.CITY_ADMIN))
    async def put_scheme(self, actor: Principal, year: YearParam, data: s.SchemeIn) -> s.SchemeOut:
        """Replace the scheme (``evaluation.weights`` unless the weights sum to 100)."""
        return await services.put_scheme(actor, year, data)

    @get("/evaluators", opt=access(Role.CITY_ADMIN))
    async def list_evaluators(self, actor: Principal, year: YearParam) -> list[s.EvaluatorOut]:
        """The experts named to score this year."""
        return await services.list_evaluators(actor, year)

    @put("/evaluators", opt=access(Role.CITY_ADMIN))
    async def put_evaluators(
        self, actor: Principal, year: YearParam, data: s.EvaluatorsIn
    ) -> list[s.EvaluatorOut]:
        """Name the experts who score this year."""
        return await services.put_evaluators(actor, year, data)

    @get("/scores", opt=access(*SCORERS))
    async def score_board(
        self,
        actor: Principal,
        year: YearParam,
        kind: s.CandidateKind = "zone",
        county_id: int | None = None,
        q: str | None = None,
        limit: Limit = 50,
        offset: Offset = 0,
    ) -> s.ScoreBoard:
        """Candidates of one kind with participation figures and scores."""
        return await services.score_board(
            actor, year, kind=kind, county_id=county_id, q=q, limit=limit, offset=offset
        )

    @put("/scores", opt=access(*SCORERS))
    async def put_scores(self, actor: Principal, year: YearParam, data: s.ScoresIn) -> s.ScoresSaved:
        """Save the caller's scores (``evaluation.score_range`` outside 0..max)."""
        return await services.put_scores(actor, year, data)

    @get("/awards", opt=access(SIGNED_IN))
    async def list_awards(self, actor: Principal, year: YearParam) -> s.AwardList:
        """The year's awards (everyone once published; the city before)."""
        return await services.list_awards(actor, year)

    @post("/awards", opt=access(Role.CITY_ADMIN))
    async def create_award(self, actor: Principal, year: YearParam, data: s.AwardIn) -> s.AwardOut:
        """Designate 先进责任区 / 先进幼儿园 / 先进个人 (``award.outside_city``)."""
        return await services.create_award(actor, year, data)

    @delete("/awards/{award_id:int}", opt=access(Role.CITY_ADMIN))
    async def delete_award(self, actor: Principal, year: YearParam, award_id: int) -> None:
        """Withdraw an award before publication."""
        await services.delete_award(actor, year, award_id)

    @post("/awards/publish", opt=access(Role.CITY_ADMIN), status_code=HTTP_200_OK)
    async def publish(self, actor: Principal, year: YearParam) -> s.AwardList:
        """Publish the year's award list."""
        return await services.publish_awards(actor, year)
