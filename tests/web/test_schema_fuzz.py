"""A bounded schemathesis run over every operation of the API, as three roles.

Part of ``make test`` on PostgreSQL (the engine that refuses what SQLite lets through): each
operation gets a few generated requests per role, with a fixed seed and a time cap, against
a real ``lianyan serve`` on the demo city. No answer may be a 5xx, and every answer the schema
documents must match it.
"""

from __future__ import annotations

import time
import urllib.request

import hypothesis
import pytest
import requests
import schemathesis
from hypothesis import HealthCheck, given
from schemathesis.checks import not_a_server_error
from schemathesis.core.failures import FailureGroup
from schemathesis.specs.openapi.checks import response_schema_conformance

from tests.browser.conftest import live_server  # noqa: F401  (the real server fixture)

#: Examples per operation and role, the seed, and the cap on the whole run (seconds).
EXAMPLES = 3
SEED = 20261125
TIME_CAP = 150
#: One login of each kind of caller (the demo city's).
ROLES = ("city", "lingbao", "teacher1")
#: Logging out would end the token the rest of the run uses.
SKIPPED = {("POST", "/api/v1/auth/logout")}


@pytest.fixture
async def demo_tokens(clean_db, live_server):  # noqa: F811
    from lianyan import demo

    await demo.load()
    tokens = {}
    for username in ROLES:
        response = requests.post(f"{live_server.url}/api/v1/auth/login", timeout=30,
                                 json={"username": username, "password": demo.DEMO_PASSWORD})
        assert response.status_code == 200, response.text
        tokens[username] = response.json()["token"]
    return tokens


def test_generated_requests_get_no_server_error_and_match_the_schema(live_server, demo_tokens):  # noqa: F811
    # Arrange
    with urllib.request.urlopen(f"{live_server.url}/schema/openapi.json", timeout=30) as answer:
        import json

        document = json.loads(answer.read())
    schema = schemathesis.openapi.from_dict(document)
    operations = [r.ok() for r in schema.get_all_operations()]
    operations = [op for op in operations if (op.method.upper(), op.path) not in SKIPPED]
    session = requests.Session()
    failures: list[str] = []
    started = time.monotonic()
    ran = 0
    # Act
    callers = {u: {"Authorization": f"Bearer {t}"} for u, t in demo_tokens.items()}
    for operation in operations:
        if time.monotonic() - started > TIME_CAP:
            break
        ran += 1
        _probe(operation, live_server.url, session, callers, failures)()
    # Assert
    assert failures == []
    assert ran == len(operations), f"time cap reached after {ran} of {len(operations)}"


def _probe(operation, base_url, session, callers, failures):
    """A hypothesis test of one operation; each generated request is sent as every caller.

    Failures are collected, not raised, so one run lists every operation that fails.
    """

    @hypothesis.seed(SEED)
    @hypothesis.settings(max_examples=EXAMPLES, deadline=None, database=None,
                         phases=[hypothesis.Phase.explicit, hypothesis.Phase.generate],
                         suppress_health_check=list(HealthCheck))
    @given(case=operation.as_strategy())
    def probe(case):
        for username, headers in callers.items():
            response = case.call(base_url=base_url, session=session, headers=headers,
                                 timeout=30)
            try:
                case.validate_response(
                    response, checks=[not_a_server_error, response_schema_conformance]
                )
            except (Exception, FailureGroup) as exc:
                failures.append(f"{username} {case.method} {case.formatted_path}: "
                                f"{response.status_code} {str(exc)[:300]}")

    return probe
