"""The nine reports written into Word, from the Structs of ``content``.

Pure and synchronous: no database, no network. ``build`` is CPU work (python-docx and lxml), so
the worker runs it in a thread; the CLI and the benchmarks call it directly. Every document is
written through ``ReportWriter`` (via ``compose.Composer``), so page set-up, fonts, header
rows and page numbers follow GB/T 9704 without a line of format code here.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from docx.shared import Mm

from lianyan import labels
from lianyan.reports import content as c
from lianyan.reports.compose import Composer
from lianyan.reports.docx import ReportFonts, display_width, format_date_cn, outline_number

DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
#: What an empty cell or field shows: a dash, as on a paper form (never a screen hint).
DASH = "—"
NOT_FILLED = DASH
#: Characters of 二号 (22 pt) on a line of the 156 mm text block: 20, less a margin for the
#: digits, which run wider than half a character in most faces.
TITLE_CHARS_PER_LINE = 18


def _n(number: int, level: int) -> str:
    """An outline number; Chinese numerals stop at 99, so level 1–2 go on in Arabic."""
    if level <= 2 and number > 99:
        return f"{number}、" if level == 1 else f"（{number}）"
    return outline_number(number, level)


def notice_title(issuer: str, subject: str, tail: str) -> str:
    """The title of a document a bureau issues, "<issuer>关于<subject><tail>", broken as GB/T
    9704 titles are: the issuer, then "关于…", then the kind of document, when it is too long for
    one line of 二号 (a line that is still too long wraps by itself)."""
    title = f"{issuer}关于{subject}{tail}"
    if display_width(title) <= TITLE_CHARS_PER_LINE:
        return title
    return f"{issuer}\n关于{subject}\n{tail}"


def title_lines(title: str, tail: str) -> str:
    """Break a title too long for one line of 二号 before ``tail`` (its last words)."""
    if display_width(title) <= TITLE_CHARS_PER_LINE or not title.endswith(tail):
        return title
    return title[: -len(tail)] + "\n" + tail


def _day(day: dt.date | None) -> str:
    return format_date_cn(day) if day else ""


def _short_day(day: dt.date) -> str:
    return f"{day.month}月{day.day}日"


def _when(moment: dt.datetime) -> str:
    return f"{format_date_cn(moment.date())} {moment:%H:%M}"


def _counted(pairs: list[tuple[str, int]]) -> str:
    return "、".join(f"{name}{count}项" for name, count in pairs)


# 附件1, 附件2, 附件3 ------------------------------------------------------------------------


def _sign_off(doc: Composer, table: Any, sign_off: c.SignOff) -> None:
    doc.writer.add_sign_off_rows(table, unit=sign_off.unit or None, filled_on=sign_off.filled_on,
                                 opinion=sign_off.opinion, reviewed_on=sign_off.reviewed_on)


def _or_dash(text: str) -> str:
    return text if text and text.strip() else DASH


def roster_rows(report: c.LeadershipRoster) -> list[list[str]]:
    """附件1's rows: the group (组长 and 副组长 first), then each zone's research officer."""
    rows = [[m.position, m.name, m.unit, m.title, m.phone] for m in report.members]
    rows += [["责任区教研员", officer, f"{zone}（核心园：{lead}）" if lead else zone, title, phone]
             for zone, lead, officer, title, phone in report.zones]
    return [[str(number), *(_or_dash(cell) for cell in row)]
            for number, row in enumerate(rows, start=1)]


ROSTER_HEADER = ["序号", "组内职务", "姓名", "工作单位", "职务或职称", "联系电话"]


def leadership_roster(doc: Composer, report: c.LeadershipRoster, number: int = 1, *,
                      new_page: bool = False) -> None:
    """附件1: the leadership group, 组长 and 副组长 first, the zones' officers, sign-off rows."""
    doc.attachment_label(number, new_page=new_page)
    doc.title(report.title)
    table = doc.table(ROSTER_HEADER, roster_rows(report),
                      widths=[Mm(w) for w in ROSTER_WIDTHS_MM])
    _sign_off(doc, table, report.sign_off)


#: Six columns on 156 mm: 组内职务 and 职务或职称 hold six characters of 小四 on a line
#: ("责任区教研员", "学前教育专干"), 联系电话 eleven digits, 序号 its two characters.
ROSTER_WIDTHS_MM = (11, 28, 15, 46, 28, 28)
ACTIVITY_HEADER = ["序号", "活动日期", "活动名称", "主题", "形式", "组织责任区", "地点", "预计人数",
                   "大型专题活动"]


def activity_rows(report: c.ActivityFiling) -> list[list[str]]:
    """附件2's rows, by start date."""
    return [
        [
            str(number),
            _short_day(a.starts_on)
            + (f"—{_short_day(a.ends_on)}" if a.ends_on and a.ends_on != a.starts_on else ""),
            _or_dash(a.title), _or_dash(a.theme), a.form, _or_dash(a.zone), _or_dash(a.place),
            str(a.participants), "是" if a.is_large else "否",
        ]
        for number, a in enumerate(report.activities, start=1)
    ]


def activity_lead_in(report: c.ActivityFiling) -> str:
    """The sentence above 附件2's table."""
    large = sum(1 for a in report.activities if a.is_large)
    return (f"共{len(report.activities)}项教研活动，其中大型专题活动{large}项"
            "（大型专题活动须提前一周报市教育局备案）。")


def activity_filing(doc: Composer, report: c.ActivityFiling, number: int = 2, *,
                    new_page: bool = False) -> None:
    """附件2: every filed activity of the year, with sign-off rows."""
    doc.attachment_label(number, new_page=new_page)
    doc.title(report.title)
    doc.paragraph(activity_lead_in(report))
    table = doc.table(ACTIVITY_HEADER, activity_rows(report),
                      widths=[Mm(w) for w in ACTIVITY_WIDTHS_MM])
    _sign_off(doc, table, report.sign_off)


#: Nine columns on 156 mm: the name and the place get what the short columns leave; 形式 holds
#: four characters of 小四 on one line, 活动日期 "12月31日—1月2日" on two.
ACTIVITY_WIDTHS_MM = (11, 21, 27, 15, 19, 19, 22, 11, 11)
DIRECTIONS_HEADER = ["序号", "教研方向", "针对的问题", "预期成果"]


def direction_rows(report: c.ResearchDirections) -> list[list[str]]:
    """附件3's rows."""
    return [[str(number), _or_dash(d.direction), _or_dash(d.problem),
             _or_dash(d.expected_results)]
            for number, d in enumerate(report.directions, start=1)]


def research_directions(doc: Composer, report: c.ResearchDirections, number: int = 3, *,
                        new_page: bool = False) -> None:
    """附件3: the research-direction suggestions, with sign-off rows."""
    doc.attachment_label(number, new_page=new_page)
    doc.title(report.title)
    table = doc.table(DIRECTIONS_HEADER, direction_rows(report))
    _sign_off(doc, table, report.sign_off)


def filing_package(doc: Composer, report: c.FilingPackage) -> None:
    """The county's 报送 report to the city bureau, then 附件1–3 each from a new page."""
    if report.document_number:
        doc.document_number(report.document_number)
    doc.title(notice_title(report.issuer.name, f"报送{report.year}年学前教育区域联盟教研",
                           "备案材料的报告"))
    doc.addressee(report.addressee)
    doc.paragraph(
        f"根据市教育局关于开展学前教育区域联盟教研工作的要求，我局组建了{report.year}年区域教研"
        f"领导小组，制定了年度教研活动计划，提出了教研方向建议。现将{report.county_name}"
        f"{report.year}年区域教研领导小组名单、年度教研活动备案表和学前教育教研方向建议表"
        "以正式文件的形式报送你局，请予备案。"
    )
    doc.paragraph(
        f"{report.year}年，{report.county_name}区域教研领导小组共{len(report.roster.members)}人，"
        f"设教研责任区{len(report.roster.zones)}个；计划开展教研活动"
        f"{len(report.activities.activities)}项，其中大型专题活动"
        f"{sum(1 for a in report.activities.activities if a.is_large)}项（均按规定提前一周报市"
        f"教育局备案）；提出教研方向建议{len(report.directions.directions)}条。"
    )
    titles = [report.roster.title, report.activities.title, report.directions.title]
    doc.attachment_note(titles)
    doc.writer.add_signature(report.issuer.name, report.signed_on)
    for number, (build_part, part) in enumerate(
            ((leadership_roster, report.roster), (activity_filing, report.activities),
             (research_directions, report.directions)), start=1):
        build_part(doc, part, number, new_page=True)  # type: ignore[operator]
    doc.imprint(printed_by=f"{report.issuer.name}办公室", printed_on=report.signed_on)


# Topics ---------------------------------------------------------------------------------------


def topic_list(doc: Composer, report: c.TopicList) -> None:
    """课题一览表, then each county's topic count with the counties at zero first."""
    doc.title(report.title)
    at_zero = report.at_zero
    doc.paragraph(
        f"截至{format_date_cn(report.as_of)}，全市{len(report.counties)}个县（市、区）"
        f"{report.year}年共申报课题{len(report.topics)}项。"
    )
    doc.heading(_n(1, 1) + "课题一览", 1)
    if report.topics:
        doc.table(
            ["序号", "县（市、区）", "课题名称", "研究方向", "级别", "主持人", "成员数", "状态"],
            [
                [str(number), t.county_name, t.title, t.direction, t.level, t.host,
                 str(t.members), t.status]
                for number, t in enumerate(report.topics, start=1)
            ],
        )
    else:
        doc.paragraph(f"{report.year}年尚无申报的课题。")
    doc.heading(_n(2, 1) + "各县（市、区）课题开展情况", 1)
    deadline = format_date_cn(report.due_on)
    days = report.days_to_deadline
    timing = (f"距年度备案截止（{deadline}）还有{days}天" if days > 0
              else f"今天是年度备案截止日（{deadline}）" if days == 0
              else f"年度备案截止日（{deadline}）已过{-days}天")
    if at_zero:
        doc.paragraph(
            f"按照“每个县（市、区）每年至少开展1项课题研究”的要求，尚无立项课题的县（市、区）"
            f"共{len(at_zero)}个：{'、'.join(at_zero)}，{timing}，请抓紧申报。"
            "已申报、尚待市教育局立项的课题不计入。"
        )
    else:
        doc.paragraph("各县（市、区）均已有立项课题，达到“每个县（市、区）每年至少开展1项课题研究”的要求。")
    doc.table(
        ["序号", "县（市、区）", "立项课题", "待立项", "年度备案", "是否达标"],
        [
            [str(number), row.county_name, str(row.approved), str(row.submitted),
             row.filing_status, "达标" if row.approved > 0 else "未达标"]
            for number, row in enumerate(report.counties, start=1)
        ],
    )


def _period(start: dt.date | None, end: dt.date | None) -> str:
    if start and end:
        return f"{format_date_cn(start)}至{format_date_cn(end)}"
    return _day(start) or _day(end) or NOT_FILLED


def topic_application(doc: Composer, report: c.TopicApplication) -> None:
    """课题申报书: the topic, its host and members, its content, promise and sign-off rows."""
    doc.title(f"{report.year}年度学前教育研究课题申报书")
    doc.heading(_n(1, 1) + "课题基本情况", 1)
    doc.table(
        ["项目", "内容"],
        [
            ["课题名称", report.topic_title],
            ["研究方向", report.direction or NOT_FILLED],
            ["课题级别", report.level],
            ["所属县（市、区）", report.county_name],
            ["牵头单位", report.lead_unit or NOT_FILLED],
            ["研究时间", _period(report.planned_start, report.planned_end)],
            ["关键词", "、".join(report.keywords) or NOT_FILLED],
        ],
        align=["center", "left"],
    )
    doc.heading(_n(2, 1) + "课题主持人", 1)
    host = report.host
    if host is not None:
        doc.table(["姓名", "工作单位", "职务", "职称", "联系电话"],
                  [[_or_dash(v) for v in (host.name, host.unit, host.job_title,
                                          host.professional_title, host.phone)]])
    else:
        doc.paragraph("尚未确定课题主持人。")
    doc.heading(_n(3, 1) + "课题组成员", 1)
    if report.members:
        doc.table(
            ["序号", "姓名", "工作单位", "职称", "课题分工"],
            [[str(number), *(_or_dash(v) for v in (m.name, m.unit, m.professional_title, m.role))]
             for number, m in enumerate(report.members, start=1)],
        )
    else:
        doc.paragraph("尚未确定课题组成员。")
    doc.heading(_n(4, 1) + "研究内容", 1)
    if report.abstract.strip():
        doc.paragraphs(report.abstract)
    else:
        doc.paragraph(NOT_FILLED)
    doc.heading(_n(5, 1) + "承诺与审核", 1)
    table = doc.table(
        ["项目", "内容"],
        [["主持人承诺", "本人承诺申报书所填内容真实；如获立项，将按计划开展研究，按时开题、中期检查和结题。"]],
        align=["center", "left"],
    )
    doc.writer.add_sign_off_rows(table, unit=report.lead_unit or None,
                                 filled_on=report.submitted_on)


# Exchanges ------------------------------------------------------------------------------------

SCORE_HEADER = ["专家", "目标", "内容", "过程", "幼儿表现", "教师素养", "总分"]


def _exchange_title(title: str) -> str:
    tail = "活动记录" if "同研异构" in title else "同研异构活动记录"
    return title_lines(title + tail, tail)


def exchange_record(doc: Composer, report: c.ExchangeRecord) -> None:
    """同研异构活动记录: overview, groups, each design by section with scores and comments,
    and the organiser's summary."""
    doc.title(_exchange_title(report.exchange_title))
    doc.heading(_n(1, 1) + "活动概况", 1)
    experts = "、".join(
        name + (f"（{'，'.join(p for p in (unit, title) if p)}）" if unit or title else "")
        for name, unit, title in report.experts
    )
    overview = [
        ["活动名称", report.exchange_title],
        ["教学内容", report.content],
        ["年龄班与领域", f"{report.age_group} · {report.domain}"],
        ["活动形式", report.mode],
        ["活动时间", _when(report.starts_at)],
        ["活动地点", report.place or "—"],
    ]
    if report.meeting_link:
        overview.append(["线上会议", report.meeting_link])
    overview += [
        ["组织单位", report.organiser],
        ["主持人", report.host or "—"],
        ["点评专家", experts or "—"],
    ]
    doc.table(["项目", "内容"], overview, align=["center", "left"])

    doc.heading(_n(2, 1) + "分组情况", 1)
    if report.groups:
        doc.table(
            ["组别", "幼儿园", "县（市、区）", "执教教师", "分组说明"],
            [
                [str(g.number), kindergarten, county, teacher, g.reason]
                for g in report.groups
                for kindergarten, county, teacher in g.members
            ],
        )
    else:
        doc.paragraph("本次活动尚未确定分组。")

    doc.heading(_n(3, 1) + "教学设计与专家点评", 1)
    if not report.designs:
        doc.paragraph("本次活动尚无教学设计。")
    groups: dict[int | None, list[c.DesignEntry]] = {}
    for design in report.designs:
        groups.setdefault(design.group_number, []).append(design)
    for group_index, (number, designs) in enumerate(groups.items(), start=1):
        label = f"第{number}组" if number is not None else "未分组"
        doc.heading(_n(group_index, 2) + label, 2)
        for design_index, design in enumerate(designs, start=1):
            _design(doc, design_index, design)

    doc.heading(_n(4, 1) + "活动总结", 1)
    if report.summary:
        doc.paragraphs(report.summary)
    else:
        doc.paragraph("无。")


def _design(doc: Composer, index: int, design: c.DesignEntry) -> None:
    doc.heading(f"{_n(index, 3)}{design.kindergarten}（{design.county}） 执教：{design.teacher}",
                3)
    if design.version:
        doc.paragraph(f"设计题目：{design.title}（第{design.version}版）。{design.sections_note}")
    else:
        doc.paragraph(design.sections_note)
    part = 0
    for name, text in design.sections:
        part += 1
        doc.heading(_n(part, 4) + name, 4)
        if text and text.strip():
            doc.paragraphs(text)
        else:
            doc.paragraph("教学设计中未找到该环节。")
    part += 1
    doc.heading(_n(part, 4) + "专家评分（评课量表，每项1—5分）", 4)
    if design.scores:
        rows: list[list[Any]] = [
            [s.expert, *map(str, s.items), str(s.total)] for s in design.scores
        ]
        count = len(design.scores)
        averages = [sum(s.items[i] for s in design.scores) / count for i in range(5)]
        rows.append(["平均", *(f"{a:.1f}" for a in averages),
                     f"{sum(s.total for s in design.scores) / count:.1f}"])
        doc.table(SCORE_HEADER, rows)
    else:
        doc.paragraph("暂无专家评分。")
    part += 1
    doc.heading(_n(part, 4) + "专家点评", 4)
    if design.comments:
        for comment in design.comments:
            who = ("执教教师回复" if comment.role == "teacher" else f"{comment.author}回复") \
                if comment.reply else f"{comment.author}点评"
            moment = (f"，课堂视频 {labels.moment(comment.at_seconds)}"
                      if comment.at_seconds is not None else "")
            doc.paragraph(
                f"{who}（{format_date_cn(comment.on)}，第{comment.version}版{moment}）："
                f"{comment.body}"
            )
    else:
        doc.paragraph("暂无专家点评。")


# The year ------------------------------------------------------------------------------------


def _filing_sentence(status: str) -> str:
    return {
        "已备案": "年度备案材料已由市教育局备案",
        "已报送": "年度备案材料已报送，尚待市教育局备案",
        "已退回": "年度备案材料被市教育局退回，正在修改",
        "草稿": "年度备案材料尚未报送",
    }.get(status, "尚未建立年度备案")


def _count(n: int, unit: str) -> str:
    """"3项", or "无" for none: an official table does not print "0项"."""
    return f"{n}{unit}" if n else "无"


def annual_summary(doc: Composer, report: c.AnnualSummary) -> None:
    """年度工作总结: one county's report to the city bureau, or the city's, with the figures of
    ``figures.year_figures`` (accepted filings, held exchanges, approved topics)."""
    figures = report.figures
    total = figures.total
    if report.document_number:
        doc.document_number(report.document_number)
    doc.title(title_lines(report.title, "学前教育区域联盟教研工作总结"))
    doc.addressee(report.addressee)
    as_of = format_date_cn(figures.as_of)
    doc.heading(_n(1, 1) + "基本情况", 1)
    if report.is_city:
        counties = figures.counties
        complete = sum(1 for row in counties if row.roster_complete)
        accepted = sum(1 for row in counties if row.filing_status == "已备案")
        doc.paragraph(
            f"{report.year}年，全市{len(counties)}个县（市、区）共有幼儿园{total.kindergartens}所，"
            f"划分教研责任区{total.zones}个，已纳入责任区的幼儿园{total.covered}所，"
            f"覆盖率{total.coverage_percent}%。{complete}个县（市、区）的区域教研领导小组组建完整，"
            f"{accepted}个县（市、区）的年度备案材料已由市教育局备案。"
        )
    else:
        row = total
        group = (f"区域教研领导小组共{row.roster_members}人"
                 + ("，组成完整" if row.roster_complete else "，组成尚不完整")
                 if row.roster_members else "区域教研领导小组尚未组建")
        doc.paragraph(
            f"{report.year}年，{report.place}共有幼儿园{row.kindergartens}所，划分教研责任区"
            f"{row.zones}个，已纳入责任区的幼儿园{row.covered}所，覆盖率{row.coverage_percent}%。"
            f"{group}；{_filing_sentence(figures.counties[0].filing_status)}。"
        )
    doc.heading(_n(2, 1) + "主要工作", 1)
    doc.heading(_n(1, 2) + "教研活动", 2)
    forms = _counted(list(total.activities_by_form))
    if total.activities:
        doc.paragraph(
            f"全年经市教育局备案的教研活动{total.activities}项，其中大型专题活动"
            f"{total.large_activities}项" + (f"；按形式分，{forms}" if forms else "")
            + (f"。提出教研方向建议{total.directions}条。" if total.directions else "。")
        )
    else:
        doc.paragraph("年度备案尚未经市教育局备案，暂无备案的教研活动。")
    doc.heading(_n(2, 2) + "同研异构", 2)
    organised = figures.exchanges_organised
    if organised or total.participations:
        doc.paragraph(
            f"截至{as_of}，"
            + (f"组织同研异构活动{organised}次"
               + (f"（其中市级{figures.city_exchanges}次）" if figures.city_exchanges else "")
               + "，" if organised else "")
            + f"幼儿园参加交流{total.participations}园次，提交教学设计{total.designs}份，"
            f"专家点评{total.expert_comments}条。"
        )
    else:
        doc.paragraph(f"截至{as_of}，尚未开展同研异构活动。")
    doc.heading(_n(3, 2) + "课题研究", 2)
    if total.topics_approved:
        parts = [f"{name}{n}项" for name, n in (("在研", total.topics_under_way),
                                                ("已结题", total.topics_concluded)) if n]
        topics = f"立项课题{total.topics_approved}项，" + (
            "其中" + "、".join(parts) if len(parts) > 1 else parts[0])
    else:
        topics = "尚无立项课题"
    if total.topics_submitted:
        topics += f"；另有{total.topics_submitted}项已申报，待市教育局立项"
    topics += "。"
    if report.is_city:
        zero = [row.county_name for row in figures.counties if not row.has_topic]
        topics += (f"尚无立项课题的县（市、区）：{'、'.join(zero)}。" if zero
                   else "各县（市、区）均已开展课题研究。")
    doc.paragraph(topics)
    doc.heading(_n(4, 2) + "评估表彰", 2)
    if report.awards:
        kinds: dict[str, int] = {}
        for award in report.awards:
            kinds[award.kind] = kinds.get(award.kind, 0) + 1
        doc.paragraph("获评" + "、".join(f"{name}{kinds[kind]}{unit}"
                                       for kind, name, unit, _ in AWARD_SECTIONS
                                       if kinds.get(kind)) + "。")
        doc.table(["序号", "类别", "名称", "单位"],
                  [[str(number), a.award_name, a.name, _or_dash(a.unit)]
                   for number, a in enumerate(report.awards, start=1)])
    else:
        doc.paragraph("本年度的表彰名单尚未公布。")
    doc.heading(_n(3, 1) + "主要数据", 1)
    doc.paragraph(f"以下数据截至{as_of}，只计经市教育局备案的活动、已举行的同研异构活动和已立项的课题。")
    if report.is_city:
        rows = [summary_row(row) for row in figures.counties]
        rows.append(summary_row(total))
        doc.table(SUMMARY_HEADER, rows)
        if figures.city_exchanges:
            doc.paragraph(f"注：市级组织的同研异构活动{figures.city_exchanges}次未计入各县（市、区）。")
    else:
        doc.table(["指标", "数值"], county_figure_rows(total, figures.counties[0].filing_status))
    doc.writer.add_signature(report.issuer.name, report.signed_on)
    doc.imprint(printed_by=f"{report.issuer.name}办公室", printed_on=report.signed_on)


#: A filing's state as the summary's table says it.
FILING_STATE = {"草稿": "尚未报送", "已报送": "已报送，待备案", "已退回": "已退回修改",
                "未建立": "尚未建立"}
SUMMARY_HEADER = ["县（市、区）", "幼儿园", "覆盖率", "备案活动", "大型活动", "立项课题",
                  "组织同研异构（次）", "参加交流（园次）", "年度备案"]


def summary_row(row: Any) -> list[str]:
    """A county's (or the 合计) row of the city summary's table."""
    return [
        row.county_name, str(row.kindergartens), f"{row.coverage_percent}%",
        str(row.activities), str(row.large_activities), str(row.topics_approved),
        str(row.exchanges_organised), str(row.participations), row.filing_status or DASH,
    ]


def county_figure_rows(row: Any, filing_status: str) -> list[list[str]]:
    """The county summary's table of figures."""
    return [
        ["幼儿园", f"{row.kindergartens}所"],
        ["教研责任区", _count(row.zones, "个")],
        ["全面覆盖", f"{row.covered}/{row.kindergartens}所（{row.coverage_percent}%）"],
        ["领导小组", f"{row.roster_members}人" if row.roster_members else "尚未组建"],
        ["年度备案", FILING_STATE.get(filing_status, filing_status)],
        ["备案教研活动", f"{row.activities}项（大型专题活动{row.large_activities}项）"
         if row.activities else "无"],
        ["教研方向建议", _count(row.directions, "条")],
        ["立项课题", f"{row.topics_approved}项（" + "、".join(
            f"{name}{n}项" for name, n in (("在研", row.topics_under_way),
                                          ("已结题", row.topics_concluded)) if n) + "）"
         if row.topics_approved else "无"],
        ["待立项课题", _count(row.topics_submitted, "项")],
        ["组织同研异构活动", _count(row.exchanges_organised, "次")],
        ["参加同研异构", _count(row.participations, "园次")],
        ["提交教学设计", _count(row.designs, "份")],
        ["专家点评", _count(row.expert_comments, "条")],
        ["获得表彰", _count(row.awards, "项")],
    ]


def results_compilation(doc: Composer, report: c.ResultsCompilation) -> None:
    """成果汇编: a table of contents, the highlighted exchanges and the concluded topics."""
    doc.title(title_lines(report.title, "学前教育区域联盟教研成果汇编"))
    doc.table_of_contents()
    doc.heading(_n(1, 1) + "同研异构亮点活动", 1)
    if not report.exchanges:
        doc.paragraph(f"{report.year}年尚无收录到资源库的同研异构活动。")
    for index, exchange in enumerate(report.exchanges, start=1):
        doc.heading(_n(index, 2) + exchange.title, 2)
        doc.paragraph(
            f"组织单位：{exchange.organiser}；教学内容：{exchange.content}（{exchange.age_group}"
            f" · {exchange.domain}）；活动时间：{format_date_cn(exchange.starts_at.date())}；"
            f"教学设计{len(exchange.designs)}份。"
        )
        if exchange.summary.strip():
            doc.paragraphs("活动总结：" + exchange.summary.strip())
        for number, design in enumerate(exchange.designs, start=1):
            doc.heading(f"{_n(number, 3)}{design.kindergarten}（{design.county}） "
                        f"执教：{design.teacher}", 3)
            if design.average is not None:
                doc.paragraph(f"{design.experts}位专家评分，平均{design.average:.1f}分（满分25分）。")
            part = 0
            for name, text in design.sections:
                if text and text.strip():
                    part += 1
                    doc.heading(_n(part, 4) + name, 4)
                    doc.paragraphs(text)
    doc.heading(_n(2, 1) + "课题研究成果", 1)
    if not report.topics:
        doc.paragraph(f"{report.year}年尚无已结题的课题。")
    for index, topic in enumerate(report.topics, start=1):
        doc.heading(_n(index, 2) + topic.title, 2)
        doc.paragraph(
            f"所属县（市、区）：{topic.county_name}；课题级别：{topic.level}；主持人：{topic.host or '—'}；"
            f"课题组成员：{'、'.join(topic.members) or '—'}；结题等级：{topic.grade or '—'}。"
        )
        if topic.keywords:
            doc.paragraph("关键词：" + "、".join(topic.keywords))
        if topic.abstract.strip():
            doc.paragraphs(topic.abstract)
        if topic.results:
            doc.paragraph("成果材料：" + "、".join(topic.results))
    doc.writer.add_signature(report.compiled_by, report.compiled_on)


AWARD_SECTIONS = (
    ("zone", "先进责任区", "个", ["序号", "责任区", "单位", "所属县（市、区）"]),
    ("kindergarten", "先进幼儿园", "所", ["序号", "幼儿园", "所属县（市、区）"]),
    ("person", "先进个人", "名", ["序号", "姓名", "工作单位", "所属县（市、区）"]),
)


def award_list(doc: Composer, report: c.AwardList) -> None:
    """表彰决定: 发文字号, title, 主送机关, the decision, 附件说明, signature; then the attachment,
    the 表彰名单 (先进责任区, 先进幼儿园, 先进个人, each a table), and the 版记."""
    by_kind: dict[str, list[c.AwardRow]] = {}
    for award in report.awards:
        by_kind.setdefault(award.kind, []).append(award)
    granted = "、".join(
        f"{len(by_kind[kind])}{unit}“{name}”" for kind, name, unit, _ in AWARD_SECTIONS
        if by_kind.get(kind)
    )
    list_title = f"{report.year}年度学前教育区域联盟教研先进集体和先进个人名单"
    if report.document_number:
        doc.document_number(report.document_number)
    doc.title(notice_title(report.issuer.name, f"表彰{report.year}年度学前教育区域联盟教研",
                           "先进集体和先进个人的决定"))
    doc.addressee(report.addressee)
    doc.paragraph(
        f"{report.year}年，各县（市、区）认真落实学前教育区域联盟教研工作要求，组建区域教研领导小组，"
        "划分教研责任区，开展同研异构、专题研讨和课题研究，涌现出一批工作扎实、成效明显的先进集体和个人。"
    )
    doc.paragraph(
        f"根据{report.year}年度学前教育区域联盟教研工作专项调研评估结果，经研究，决定授予{granted}"
        "称号，予以表彰。"
    )
    doc.paragraph("希望受到表彰的单位和个人珍惜荣誉，再接再厉，充分发挥示范引领作用。各县（市、区）"
                  "要以先进为榜样，持续深化区域联盟教研，推动全市学前教育保教质量不断提升。")
    if report.published_on is None:
        doc.paragraph("（本决定尚未印发，名单仅供审核。）")
    doc.attachment_note([list_title])
    doc.writer.add_signature(report.issuer.name, report.issued_on)
    doc.attachment_label("附件", new_page=True)
    doc.title(title_lines(list_title, "先进集体和先进个人名单"))
    section = 0
    for kind, name, unit, header in AWARD_SECTIONS:
        awards = by_kind.get(kind)
        if not awards:
            continue
        section += 1
        doc.heading(f"{_n(section, 1)}{name}（{len(awards)}{unit}）", 1)
        if kind == "kindergarten":
            rows = [[str(i), a.name, _or_dash(a.county_name)]
                    for i, a in enumerate(awards, start=1)]
        else:
            rows = [[str(i), a.name, _or_dash(a.unit), _or_dash(a.county_name)]
                    for i, a in enumerate(awards, start=1)]
        doc.table(header, rows)
    doc.imprint(copy_to=report.copy_to, printed_by=f"{report.issuer.name}办公室",
                printed_on=report.issued_on)


BUILDERS: dict[type, Callable[[Composer, Any], None]] = {
    c.LeadershipRoster: leadership_roster,
    c.ActivityFiling: activity_filing,
    c.ResearchDirections: research_directions,
    c.TopicList: topic_list,
    c.TopicApplication: topic_application,
    c.ExchangeRecord: exchange_record,
    c.AnnualSummary: annual_summary,
    c.ResultsCompilation: results_compilation,
    c.AwardList: award_list,
    c.FilingPackage: filing_package,
}


def build(report: c.ReportData, fonts: ReportFonts | None = None, *, author: str = "",
          on: dt.date | None = None) -> bytes:
    """Write ``report`` as a .docx in the official format and return its bytes.

    ``author`` (the issuing unit) and ``on`` (the day) go into the file's properties.
    """
    doc = Composer(fonts)
    BUILDERS[type(report)](doc, report)
    doc.properties(title=report.title, author=author or "学前教育区域联盟教研平台",
                   on=on or dt.date.today())
    return doc.to_bytes()
