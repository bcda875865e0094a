"""schemathesis against the live server's OpenAPI schema: no input makes the server fail (5xx).

Every operation gets generated requests (valid and invalid bodies, paths and queries) with an
admin token, which reaches every route; the only check is that no response is a server error.
Operations are driven one by one with hypothesis (schemathesis's pytest plugin does not support
this pytest version).
"""

from __future__ import annotations

import schemathesis
from api_helpers import ApiServer
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error

from hashwarden.accounts.models import Role

EXAMPLES_PER_OPERATION = 30


def test_no_request_makes_the_server_fail(server: ApiServer) -> None:
    token = server.token(Role.ADMIN)
    headers = {"Authorization": f"Bearer {token}"}
    admin = server.client(secret=token)
    assert admin.post("/v1/lists", json={"name": "known"}).status_code == 201
    schema = schemathesis.openapi.from_url(f"{server.base_url}/openapi.json")
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 15

    failures: list[str] = []
    statuses: list[int] = []
    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(
            max_examples=EXAMPLES_PER_OPERATION,
            deadline=None,
            suppress_health_check=list(HealthCheck),
            database=None,
        )
        def exercise(case: schemathesis.Case) -> None:
            response = case.call(headers=headers)
            statuses.append(response.status_code)
            try:
                case.validate_response(response, checks=[not_a_server_error])
            except Exception as exc:  # collect every failing operation, not just the first
                failures.append(f"{case.method} {case.path}: {exc}"[:500])

        exercise()
    assert not failures, "\n".join(failures[:10])
    assert len(statuses) >= 5 * len(operations)
    # Both accepted and refused requests were generated.
    assert any(code < 300 for code in statuses)
    assert any(400 <= code < 500 for code in statuses)


