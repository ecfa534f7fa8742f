"""The home page's cards stand in a fixed order, whatever module registered its card first."""

from __future__ import annotations

from lianyan.web import sections


def test_cards_stand_in_their_places_not_in_import_order(app: object) -> None:
    # ``app`` builds every route, which imports every domain's pages (auth's first).
    assert [template for _, template, _ in sections.SECTIONS] == [
        "exchanges/_home.html", "filings/_home.html", "org/_accounts_home.html",
        "topics/_home.html",
    ]


def test_a_card_registered_late_still_takes_its_place(monkeypatch) -> None:
    async def build(actor: object) -> None:
        return None

    monkeypatch.setattr(sections, "SECTIONS", [])
    sections.register_section("late/_home.html", build, place=sections.TOPICS)
    sections.register_section("early/_home.html", build, place=sections.EXCHANGES)
    sections.register_section("late/_home.html", build, place=sections.TOPICS)  # once only

    assert [t for _, t, _ in sections.SECTIONS] == ["early/_home.html", "late/_home.html"]
