"""``lianyan demo`` gives every report something to say: each kind generates from the demo city."""

from __future__ import annotations

from lianyan import clock, demo
from lianyan.exchanges.tables import Exchange
from lianyan.org.tables import County
from lianyan.reports import services
from lianyan.reports.content import Context
from lianyan.reports.docx import ReportFonts
from lianyan.reports.kinds import KINDS, SPREADSHEET_KINDS
from lianyan.reports.schemas import ReportParams
from lianyan.topics.tables import Topic


async def test_every_report_kind_generates_from_the_demo_city(clean_db: None) -> None:
    await demo.load()
    year = clock.today().year
    lingbao = await County.select(County.id, County.bureau).where(County.code == "411282").first()
    topic = await Topic.select(Topic.id).where(Topic.county == lingbao["id"]).first()
    exchange = await Exchange.select(Exchange.id).first()
    params = {"county": {"county_id": lingbao["id"], "year": year}, "city": {"year": year},
              "county_or_city": {"year": year}, "topic": {"topic_id": topic["id"]},
              "exchange": {"exchange_id": exchange["id"]}}
    context = Context(city_name="三门峡市", city_bureau="三门峡市教育局", today=clock.today())

    names = []
    for kind in KINDS.values():
        for fmt in ("docx", "xlsx") if kind.code in SPREADSHEET_KINDS else ("docx",):
            name, data = await services.generate(
                services.system_principal(), kind.code,
                ReportParams(**params[kind.scope], format=fmt), context=context,
                fonts=ReportFonts())
            assert data, kind.code
            names.append(name)

    assert lingbao["bureau"] == "灵宝市教育体育局"
    assert len(names) == len(KINDS) + len(SPREADSHEET_KINDS)
    assert f"三门峡市{year}年学前教育区域联盟教研表彰决定.docx" in names
    assert any(n.endswith(".pptx") for n in names)
