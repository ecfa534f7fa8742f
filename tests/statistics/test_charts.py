"""The SVG charts as documents: well-formed, labelled, scaled by viewBox, long lists fitting."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from lianyan.statistics.charts import WIDTH, Chart, Series, nice_ticks, render

SVG = "{http://www.w3.org/2000/svg}"


def bars(names: list[str]) -> Chart:
    return Chart("counties", "各县（市、区）教研活动", "按县区统计。", "bars", "县（市、区）",
                 tuple(names), (Series("备案活动", tuple(range(len(names)))),
                                Series("同研异构活动", tuple(1 for _ in names))))


def test_nice_ticks_are_round_steps_reaching_the_top():
    assert nice_ticks(0) == [0, 1]
    assert nice_ticks(4) == [0, 1, 2, 3, 4]
    assert nice_ticks(7) == [0, 2, 4, 6, 8]
    assert nice_ticks(4321)[-1] >= 4321
    assert len(nice_ticks(4321)) <= 7


def test_a_hundred_counties_grow_the_chart_downwards_not_sideways():
    names = [f"第{i}县" for i in range(100)]

    root = ET.fromstring(render(bars(names)))

    _, _, width, height = (float(v) for v in root.get("viewBox").split())
    assert width == WIDTH
    assert height > 100 * 20
    assert all(float(r.get("x")) + float(r.get("width")) <= WIDTH
               for r in root.iter(f"{SVG}rect") if r.get("x"))


def test_long_county_names_wrap_onto_two_lines_and_text_is_escaped():
    chart = bars(["三门峡经济技术开发区管理委员会", "A&B<县>"])

    root = ET.fromstring(render(chart))

    label = next(t for t in root.iter(f"{SVG}text") if len(list(t)) == 2)
    assert "".join(s.text for s in label) == "三门峡经济技术开发区管理委员会"
    assert any(s.text == "A&B<县>" for s in root.iter(f"{SVG}tspan"))


def test_month_lines_and_columns_have_twelve_labelled_months():
    months = tuple(f"{m}月" for m in range(1, 13))
    for kind in ("columns", "lines"):
        chart = Chart("months", "各月", "按月份。", kind, "月份", months,  # type: ignore[arg-type]
                      (Series("教学设计", tuple(range(12))),))

        root = ET.fromstring(render(chart))

        texts = [t.text for t in root.iter(f"{SVG}text")]
        assert all(m in texts for m in months)
        assert root.find(f"{SVG}title").text == "各月"
        assert root.find(f"{SVG}desc").text == "按月份。"
