"""Every answer carries the security headers; pages run no inline script; 405 names the methods."""

from __future__ import annotations

import re
from pathlib import Path

import lianyan

PACKAGE = Path(lianyan.__file__).parent


async def test_pages_send_a_strict_content_security_policy(client):
    page = await client.get("/login")
    policy = page.headers["content-security-policy"]
    directives = dict(part.strip().split(" ", 1) for part in policy.split(";"))
    assert directives["script-src"] == "'self'"
    assert directives["frame-ancestors"] == "'none'"
    assert directives["default-src"] == "'self'"
    assert directives["object-src"] == "'none'"
    assert page.headers["x-content-type-options"] == "nosniff"
    assert page.headers["referrer-policy"] == "same-origin"
    assert page.headers["x-frame-options"] == "DENY"


async def test_api_and_error_answers_carry_the_headers(client):
    for response in (await client.get("/api/v1/me"), await client.get("/no-such-page")):
        assert response.status_code in (401, 404)
        assert response.headers["x-content-type-options"] == "nosniff"
        assert "frame-ancestors 'none'" in response.headers["content-security-policy"]


async def test_csp_names_the_object_store_for_uploads_and_downloads(client, store):
    policy = (await client.get("/login")).headers["content-security-policy"]
    connect = next(p for p in policy.split(";") if p.strip().startswith("connect-src"))
    assert store.public_origin in connect


def test_templates_have_no_inline_script_or_event_handler():
    offenders = []
    for template in PACKAGE.rglob("templates/**/*.html"):
        text = template.read_text(encoding="utf-8")
        for match in re.finditer(r"<script(?![^>]*\bsrc=)[^>]*>|\son[a-z]+\s*=|javascript:", text):
            offenders.append(f"{template.relative_to(PACKAGE)}: {match.group(0)}")
    assert offenders == []


async def test_method_not_allowed_names_the_allowed_methods(client):
    response = await client.delete("/api/v1/auth/login")
    assert response.status_code == 405
    assert response.json()["code"] == "request.method"
    assert "POST" in response.headers["allow"]


async def test_page_scripts_are_served_from_this_origin(client):
    for path in ("/static/lianyan.js", "/static/exchanges/video.js"):
        script = await client.get(path)
        assert script.status_code == 200, path
        assert "addEventListener" in script.text
