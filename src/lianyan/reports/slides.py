"""工作开展情况总结汇报: the year-end presentation (.pptx, python-pptx) of a county or the city.

Built from the same ``figures.YearFigures`` as the 年度工作总结, so a slide and the summary never
disagree. Charts are native PowerPoint charts (an embedded workbook each), so a clerk can edit
their figures in PowerPoint or WPS. Slides, 16:9:

1. title; 2. the year in figures; 3. the counties side by side (city) or the county's work;
4. the year month by month; 5. topics by stage; 6. urban–rural pairings; 7. highlights;
8. awards.

Chinese text names its face on the East-Asian slot (``a:ea``), as the Word reports do.
"""

from __future__ import annotations

import datetime as dt
import io
import math
from collections.abc import Sequence
from typing import cast

from lxml import etree
from pptx import Presentation
from pptx.chart.data import CategoryChartData
from pptx.dml.color import RGBColor
from pptx.enum.chart import XL_CHART_TYPE, XL_LEGEND_POSITION
from pptx.enum.text import PP_ALIGN
from pptx.oxml.ns import qn
from pptx.presentation import Presentation as PresentationType
from pptx.shapes.graphfrm import GraphicFrame
from pptx.slide import Slide
from pptx.util import Emu, Pt

from lianyan.reports import content as c
from lianyan.reports.docx import format_date_cn

HEADING_FONT = "黑体"
BODY_FONT = "黑体"
RED = RGBColor(0xC0, 0x00, 0x00)
DARK = RGBColor(0x26, 0x26, 0x26)
GREY = RGBColor(0x59, 0x59, 0x59)
WIDTH, HEIGHT = Emu(12192000), Emu(6858000)  # 16:9, 33.867 × 19.05 cm
MARGIN = Emu(457200)
MONTHS = [f"{m}月" for m in range(1, 13)]
#: Rows a table slide holds before the rest goes to a continuation slide.
ROWS_PER_SLIDE = 10


def _east_asian(run_properties: etree._Element, font: str) -> None:
    """Name ``font`` on the Latin and East-Asian slots of an ``a:rPr`` / ``a:defRPr``."""
    for tag in ("a:latin", "a:ea"):
        slot = run_properties.find(qn(tag))
        if slot is None:
            slot = etree.SubElement(run_properties, qn(tag))
        slot.set("typeface", font)


def _text(slide: Slide, text: str, left: int, top: int, width: int, height: int, *,
          size: int = 18, bold: bool = False, color: RGBColor = DARK, font: str = BODY_FONT,
          align: PP_ALIGN = PP_ALIGN.LEFT) -> None:
    """A text box; "\\n" starts a new paragraph."""
    box = slide.shapes.add_textbox(Emu(left), Emu(top), Emu(width), Emu(height))
    frame = box.text_frame
    frame.word_wrap = True
    for index, line in enumerate(text.split("\n")):
        paragraph = frame.paragraphs[0] if index == 0 else frame.add_paragraph()
        paragraph.alignment = align
        run = paragraph.add_run()
        run.text = line
        run.font.size, run.font.bold = Pt(size), bold
        run.font.color.rgb = color
        _east_asian(run._r.get_or_add_rPr(), font)


def _slide(deck: PresentationType, title: str) -> Slide:
    """A blank slide with its title at the top and a red rule under it."""
    slide = deck.slides.add_slide(deck.slide_layouts[6])
    _text(slide, title, MARGIN, Emu(300000), WIDTH - 2 * MARGIN, Emu(700000), size=28,
          bold=True, font=HEADING_FONT)
    rule = slide.shapes.add_shape(1, MARGIN, Emu(1000000), WIDTH - 2 * MARGIN, Emu(36000))
    rule.fill.solid()
    rule.fill.fore_color.rgb = RED
    rule.line.fill.background()
    return slide


def _chart(slide: Slide, kind: XL_CHART_TYPE, categories: Sequence[str],
           series: Sequence[tuple[str, Sequence[int]]], *, top: int = 1200000) -> None:
    """A native chart filling the slide under its title, legend at the bottom."""
    data = CategoryChartData()
    data.categories = list(categories)
    for name, values in series:
        data.add_series(name, list(values))
    # python-pptx annotates add_chart as returning the Chart; it returns the frame holding it.
    frame = cast(GraphicFrame, slide.shapes.add_chart(
        kind, MARGIN, Emu(top), Emu(WIDTH - 2 * MARGIN), Emu(HEIGHT - top - 300000),
        data,  # type: ignore[arg-type]
    ))
    chart = frame.chart
    chart.has_legend = len(series) > 1
    if chart.has_legend:
        chart.legend.position = XL_LEGEND_POSITION.BOTTOM
        chart.legend.include_in_layout = False
    chart.font.size = Pt(14)
    _east_asian(chart.font._rPr, BODY_FONT)
    # Counts: whole numbers on the value axis, never "0.2".
    axis = chart.value_axis
    axis.tick_labels.number_format = "0"
    axis.tick_labels.number_format_is_linked = False
    axis.major_unit = max(1, math.ceil(max((max(v, default=0) for _, v in series), default=0) / 5))
    plot = chart.plots[0]
    plot.has_data_labels = True
    plot.data_labels.font.size = Pt(12)
    plot.data_labels.show_value = True
    # Zeros are left unlabelled: a row of "0"s hides the bars that matter.
    plot.data_labels.number_format = '0;-0;;@'
    plot.data_labels.number_format_is_linked = False


def _table(slide: Slide, header: Sequence[str], rows: Sequence[Sequence[str]],
           widths: Sequence[float]) -> None:
    """A table under the title; ``widths`` are shares of the slide's width."""
    total = Emu(WIDTH - 2 * MARGIN)
    shape = slide.shapes.add_table(len(rows) + 1, len(header), MARGIN, Emu(1250000), total,
                                   Emu(400000 * (len(rows) + 1)))
    table = shape.table
    for index, share in enumerate(widths):
        table.columns[index].width = Emu(int(total * share))
    for r, row in enumerate([header, *rows]):
        for col, value in enumerate(row):
            cell = table.cell(r, col)  # a few dozen cells: python-pptx's cell() is fine here
            cell.text = value
            for paragraph in cell.text_frame.paragraphs:
                for run in paragraph.runs:
                    run.font.size = Pt(14)
                    run.font.bold = r == 0
                    _east_asian(run._r.get_or_add_rPr(), HEADING_FONT if r == 0 else BODY_FONT)


#: A highlight photo's box on the slide (4:3, 1.6 M EMU tall).
PHOTO_WIDTH, PHOTO_HEIGHT = Emu(2133000), Emu(1600000)


def _picture(slide: Slide, data: bytes, left: int, top: int) -> None:
    """A photo fitted into its box, keeping its proportions; one python-pptx cannot read (not
    a JPEG or PNG after all) is left out."""
    try:
        picture = slide.shapes.add_picture(io.BytesIO(data), Emu(left), Emu(top))
    except Exception:  # a broken upload must not cost the whole presentation
        return
    scale = min(PHOTO_WIDTH / picture.width, PHOTO_HEIGHT / picture.height)
    picture.width, picture.height = Emu(int(picture.width * scale)), Emu(
        int(picture.height * scale))


def _chunks(rows: list[list[str]]) -> list[list[list[str]]]:
    return [rows[i:i + ROWS_PER_SLIDE] for i in range(0, len(rows), ROWS_PER_SLIDE)] or [[]]


def build(report: c.YearEndSlides, *, author: str, on: dt.date) -> bytes:
    """Write the year-end presentation and return the .pptx bytes."""
    deck = Presentation()
    deck.slide_width, deck.slide_height = WIDTH, HEIGHT
    figures = report.figures
    total = figures.total

    cover = deck.slides.add_slide(deck.slide_layouts[6])
    _text(cover, report.title, MARGIN, Emu(2000000), WIDTH - 2 * MARGIN, Emu(1600000), size=36,
          bold=True, color=RED, font=HEADING_FONT, align=PP_ALIGN.CENTER)
    _text(cover, f"{report.presented_by}\n{format_date_cn(report.presented_on)}", MARGIN,
          Emu(4300000), WIDTH - 2 * MARGIN, Emu(1000000), size=20, color=GREY,
          align=PP_ALIGN.CENTER)

    numbers = _slide(deck, f"{report.year}年工作概览（截至{format_date_cn(figures.as_of)}）")
    tiles = [
        (f"{total.kindergartens}所", "幼儿园"), (f"{total.coverage_percent}%", "责任区覆盖率"),
        (f"{total.activities}项", "备案教研活动"), (f"{total.large_activities}项", "大型专题活动"),
        (f"{figures.exchanges_organised if report.is_city else total.exchanges_organised}次",
         "组织同研异构"),
        (f"{total.participations}园次", "参加同研异构"), (f"{total.designs}份", "教学设计"),
        (f"{total.topics_approved}项", "立项课题"),
    ]
    tile_width = (WIDTH - 2 * MARGIN) // 4
    for index, (value, label) in enumerate(tiles):
        left = MARGIN + tile_width * (index % 4)
        top = Emu(1500000 + 2300000 * (index // 4))
        _text(numbers, value, left, top, tile_width, Emu(1000000), size=40, bold=True,
              color=RED, align=PP_ALIGN.CENTER)
        _text(numbers, label, left, top + Emu(1000000), tile_width, Emu(600000), size=18,
              color=GREY, align=PP_ALIGN.CENTER)

    counties = figures.counties
    if report.is_city:
        chart_slide = _slide(deck, "各县（市、区）工作开展情况")
        _chart(chart_slide, XL_CHART_TYPE.COLUMN_CLUSTERED, [r.county_name for r in counties], [
            ("备案教研活动", [r.activities for r in counties]),
            ("组织同研异构", [r.exchanges_organised for r in counties]),
            ("参加交流（园次）", [r.participations for r in counties]),
            ("教学设计", [r.designs for r in counties]),
            ("专家点评", [r.expert_comments for r in counties]),
        ])
    months = _slide(deck, "各月份工作开展情况")
    _chart(months, XL_CHART_TYPE.COLUMN_CLUSTERED, MONTHS, [
        ("教研活动", figures.monthly.activities), ("同研异构", figures.monthly.exchanges),
        ("教学设计", figures.monthly.designs), ("专家点评", figures.monthly.expert_comments),
    ])
    topics = _slide(deck, "课题研究进展")
    _chart(topics, XL_CHART_TYPE.BAR_STACKED, [r.county_name for r in counties], [
        ("已申报待立项", [r.topics_submitted for r in counties]),
        ("在研", [r.topics_under_way for r in counties]),
        ("已结题", [r.topics_concluded for r in counties]),
    ])

    pair_rows = [[exchange, f"第{number}组",
                  "；".join(f"{kg}（{county}，{locale}）" for kg, county, locale in members)]
                 for exchange, number, members in report.pairings]
    for part, chunk in enumerate(_chunks(pair_rows)):
        slide = _slide(deck, "城乡结对" + ("（续）" if part else ""))
        if chunk:
            _table(slide, ["同研异构活动", "组别", "结对幼儿园"], chunk, (0.3, 0.1, 0.6))
        else:
            _text(slide, "本年度尚无城区园与镇区、乡村园结对的同研异构活动。", MARGIN,
                  Emu(1500000), WIDTH - 2 * MARGIN, Emu(800000), size=20)

    for part, start in enumerate(range(0, max(1, len(report.highlights)), 3)):
        slide = _slide(deck, "亮点活动" + ("（续）" if part else ""))
        shown = report.highlights[start:start + 3]
        if not shown:
            _text(slide, "本年度尚无收录到资源库的亮点活动。", MARGIN, Emu(1500000),
                  WIDTH - 2 * MARGIN, Emu(800000), size=20)
        for index, (title, organiser, day, summary, designs) in enumerate(shown):
            top = Emu(1300000 + 1750000 * index)
            keys = report.photo_keys[start + index] if start + index < len(report.photo_keys) \
                else []
            photos = [report.photos[k] for k in keys if k in report.photos]
            text_width = WIDTH - 2 * MARGIN - (PHOTO_WIDTH + Emu(100000)) * len(photos)
            _text(slide, title, MARGIN, top, text_width, Emu(500000), size=20, bold=True)
            first = summary.strip().split("\n")[0] if summary.strip() else ""
            _text(slide, f"{organiser} · {format_date_cn(day)} · 教学设计{designs}份"
                  + (f"\n{first[:90]}" if first else ""), MARGIN, top + Emu(500000),
                  text_width, Emu(1150000), size=16, color=GREY)
            for number, photo in enumerate(photos):
                left = MARGIN + text_width + Emu(100000) + (PHOTO_WIDTH + Emu(100000)) * number
                _picture(slide, photo, left, top)

    award_rows = [[a.award_name, a.name, a.unit or "—", a.county_name or "—"]
                  for a in report.awards]
    for part, chunk in enumerate(_chunks(award_rows)):
        slide = _slide(deck, "评估表彰" + ("（续）" if part else ""))
        if chunk:
            _table(slide, ["类别", "名称", "单位", "县（市、区）"], chunk, (0.2, 0.3, 0.3, 0.2))
        else:
            _text(slide, "本年度的表彰名单尚未公布。", MARGIN, Emu(1500000), WIDTH - 2 * MARGIN,
                  Emu(800000), size=20)

    props = deck.core_properties
    created = dt.datetime.combine(on, dt.time(8, 0))
    props.title, props.author, props.last_modified_by = report.title, author, author
    props.created = props.modified = created
    props.revision = 1
    buffer = io.BytesIO()
    deck.save(buffer)
    return buffer.getvalue()
