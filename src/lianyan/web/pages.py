"""Helpers shared by every HTML page."""

from __future__ import annotations

from typing import Any

from litestar import MediaType
from litestar.response import Template

from lianyan.principal import Principal


def page(template: str, actor: Principal | None, status_code: int = 200, **context: Any) -> Template:
    """Render a page with the signed-in user available to the layout.

    The page is always ``text/html``: a handler annotated ``-> Any`` would otherwise send it as
    ``application/json`` and the browser would show its source.
    """
    return Template(
        template, context={"user": actor, **context}, status_code=status_code,
        media_type=MediaType.HTML,
    )


def pager(total: int, limit: int, offset: int) -> dict[str, Any]:
    """Previous / next offsets for a list page."""
    return {
        "total": total,
        "limit": limit,
        "offset": offset,
        "prev": max(0, offset - limit) if offset > 0 else None,
        "next": offset + limit if offset + limit < total else None,
    }
