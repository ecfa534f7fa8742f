"""A filter left on 「全部」 sends an empty value, which counts as not sent."""

from __future__ import annotations

from tests.builders import org as f


async def test_a_filter_left_on_all_lists_everything_instead_of_failing(client):
    county = await f.county()
    await f.kindergarten(county, name="一园")
    await f.user("city1", "city_admin")
    headers = await f.bearer(client, "city1")

    for path in ("/topics?year=&county_id=&status=", "/org/kindergartens?county_id=&q=",
                 "/evaluation/2026/scores?kind=zone&county_id=&q=",
                 "/api/v1/kindergartens?county_id="):
        response = await client.get(path, headers=headers)
        assert response.status_code == 200, (path, response.text[:300])
    listed = await client.get("/org/kindergartens?county_id=", headers=headers)
    assert "一园" in listed.text
    # A value that is there is still checked.
    bad = await client.get("/api/v1/kindergartens?county_id=abc", headers=headers)
    assert bad.status_code == 400
