"""Form numbers: ASCII digits only; "²" or "٣" is a 400 with a Chinese message, never a 500."""

from __future__ import annotations

import pytest

from lianyan.errors import InvalidInput
from lianyan.web.forms import int_or_none


@pytest.mark.parametrize(("value", "expected"), [("42", 42), (" 7 ", 7), ("", None), (None, None)])
def test_int_or_none_reads_ascii_digits_and_empty_fields(value, expected):
    assert int_or_none(value) == expected


@pytest.mark.parametrize("value", ["²", "٣", "１２", "-1", "1.5", "abc"])
def test_int_or_none_refuses_anything_else_with_a_chinese_message(value):
    with pytest.raises(InvalidInput) as raised:
        int_or_none(value)
    assert raised.value.code == "request.invalid"
    assert "不是有效的数字" in raised.value.detail


async def test_topic_and_report_forms_refuse_non_ascii_digits_without_500(client):
    from tests.builders import org as f

    await f.user("city_forms", "city_admin")
    login = await client.post("/api/v1/auth/login",
                              json={"username": "city_forms", "password": f.PASSWORD})
    assert login.status_code == 200
    page = await client.get("/reports")
    token = client.cookies.get("csrftoken")
    for path, form in (
        ("/reports", {"kind": "topic_list", "year": "２０２６", "_csrf_token": token}),
        ("/topics/new", {"title": "课题", "county_id": "²", "year": "2026", "_csrf_token": token}),
    ):
        response = await client.post(path, data=form)
        assert response.status_code == 400, (path, response.status_code)
        assert "阿拉伯数字" in response.text
    assert page.status_code == 200
