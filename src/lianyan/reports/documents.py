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

from lianyan.reports import content as c
from lianyan.reports.compose import Composer
from lianyan.reports.docx import ReportFonts, display_width, format_date_cn, outline_number

DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
NOT_FILLED = "（未填写）"
#: Characters of 二号 (22 pt) on a line of the 156 mm text block: 20, less a margin for the
#: digits, which run wider than half a character in most faces.
TITLE_CHARS_PER_LINE = 18


def _n(number: int, level: int) -> str:
    """An outline number; Chinese numerals stop at 99, so level 1–2 go on in Arabic."""
    if level <= 2 and number > 99:
        return f"{number}、" if level == 1 else f"（{number}）"
    return outline_number(number, level)


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


def leadership_roster(doc: Composer, report: c.LeadershipRoster) -> None:
    """附件1: the leadership group, 组长 and 副组长 first, with sign-off rows."""
    doc.attachment_label(1)
    doc.title(report.title)
    table = doc.table(
        ["序号", "组内职务", "姓名", "工作单位", "职务或职称", "联系电话"],
        [
            [str(number), m.position, m.name, m.unit, m.title, m.phone]
            for number, m in enumerate(report.members, start=1)
        ],
    )
    doc.writer.add_sign_off_rows(table)


def activity_filing(doc: Composer, report: c.ActivityFiling) -> None:
    """附件2: every filed activity of the year, with sign-off rows."""
    doc.attachment_label(2)
    doc.title(report.title)
    large = sum(1 for a in report.activities if a.is_large)
    doc.paragraph(
        f"共{len(report.activities)}项教研活动，其中大型专题活动{large}项"
        f"（大型专题活动须提前一周报市教育局备案）。备案状态：{report.filing_status}。"
    )
    table = doc.table(
        ["序号", "活动日期", "活动名称", "主题", "形式", "组织责任区", "地点", "预计人数",
         "大型专题活动"],
        (
            [
                str(number),
                _short_day(a.starts_on)
                + (f"—{_short_day(a.ends_on)}" if a.ends_on and a.ends_on != a.starts_on else ""),
                a.title, a.theme, a.form, a.zone, a.place, str(a.participants),
                "是" if a.is_large else "否",
            ]
            for number, a in enumerate(report.activities, start=1)
        ),
        widths=[Mm(w) for w in ACTIVITY_WIDTHS_MM],
    )
    doc.writer.add_sign_off_rows(table, filled_on=report.submitted_on)


#: Nine columns on 156 mm: the activity's name gets what the short columns leave.
ACTIVITY_WIDTHS_MM = (11, 19, 30, 17, 19, 21, 17, 11, 11)


def research_directions(doc: Composer, report: c.ResearchDirections) -> None:
    """附件3: the research-direction suggestions, with sign-off rows."""
    doc.attachment_label(3)
    doc.title(report.title)
    table = doc.table(
        ["序号", "教研方向", "针对的问题", "预期成果"],
        [
            [str(number), d.direction, d.problem, d.expected_results]
            for number, d in enumerate(report.directions, start=1)
        ],
    )
    doc.writer.add_sign_off_rows(table, filled_on=report.submitted_on)


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
            f"按照“每个县（市、区）每年至少开展1项课题研究”的要求，尚无在研课题的县（市、区）"
            f"共{len(at_zero)}个：{'、'.join(at_zero)}，{timing}，请抓紧申报。"
        )
    else:
        doc.paragraph("各县（市、区）均已开展课题研究，达到“每个县（市、区）每年至少开展1项课题研究”的要求。")
    doc.table(
        ["序号", "县（市、区）", "在研课题数", "年度备案", "是否达标"],
        [
            [str(number), row.county_name, str(row.active_topics), row.filing_status,
             "达标" if row.active_topics > 0 else "未达标"]
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
            ["当前状态", report.status],
        ],
        align=["center", "left"],
    )
    doc.heading(_n(2, 1) + "课题主持人", 1)
    host = report.host
    if host is not None:
        doc.table(["姓名", "工作单位", "职务", "职称", "联系电话"],
                  [[host.name, host.unit, host.job_title, host.professional_title, host.phone]])
    else:
        doc.paragraph("尚未确定课题主持人。")
    doc.heading(_n(3, 1) + "课题组成员", 1)
    if report.members:
        doc.table(
            ["序号", "姓名", "工作单位", "职称", "课题分工"],
            [[str(number), m.name, m.unit, m.professional_title, m.role]
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
        doc.paragraph("组织单位尚未填写活动总结（推送亮点活动时填写）。")


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
            doc.paragraph(
                f"{who}（{format_date_cn(comment.on)}，第{comment.version}版）：{comment.body}"
            )
    else:
        doc.paragraph("暂无专家点评。")


# The year ------------------------------------------------------------------------------------


def annual_summary(doc: Composer, report: c.AnnualSummary) -> None:
    """年度工作总结 with the year's figures: one county, or every county of the city."""
    doc.title(title_lines(report.title, "学前教育区域联盟教研工作总结"))
    counties = report.counties
    total = _totals(counties)
    doc.heading(_n(1, 1) + "基本情况", 1)
    if report.is_city:
        complete = sum(1 for row in counties if row.roster_complete)
        accepted = sum(1 for row in counties if row.filing_status == "已备案")
        doc.paragraph(
            f"{report.year}年，全市{len(counties)}个县（市、区）共有幼儿园{total.kindergartens}所，"
            f"划分教研责任区{total.zones}个，已纳入责任区的幼儿园{total.covered}所，"
            f"覆盖率{total.coverage_percent}%。{complete}个县（市、区）的区域教研领导小组名单完整，"
            f"{accepted}个县（市、区）的年度备案已由市教育局备案。"
        )
    else:
        row = counties[0]
        doc.paragraph(
            f"{report.year}年，{report.place}共有幼儿园{row.kindergartens}所，划分教研责任区"
            f"{row.zones}个，已纳入责任区的幼儿园{row.covered}所，覆盖率{row.coverage_percent}%。"
            f"区域教研领导小组共{row.roster_members}人"
            f"{'，名单完整' if row.roster_complete else '，名单尚不完整'}；"
            f"年度备案状态：{row.filing_status}。"
        )
    doc.heading(_n(2, 1) + "主要工作", 1)
    doc.heading(_n(1, 2) + "教研活动", 2)
    forms = _counted(total.activities_by_form)
    doc.paragraph(
        f"全年备案教研活动{total.activities}项，其中大型专题活动{total.large_activities}项"
        + (f"；按形式分，{forms}" if forms else "")
        + f"。提出教研方向建议{total.directions}条。"
    )
    doc.heading(_n(2, 2) + "同研异构", 2)
    organised = total.exchanges_organised + report.city_exchanges
    doc.paragraph(
        f"组织同研异构活动{organised}次"
        + (f"（其中市级{report.city_exchanges}次）" if report.city_exchanges else "")
        + f"，幼儿园参与交流{total.participations}园次，提交教学设计{total.designs}份，"
        f"专家点评{total.expert_comments}条。"
    )
    doc.heading(_n(3, 2) + "课题研究", 2)
    topics = f"在研课题{total.topics_active}项，其中已结题{total.topics_concluded}项。"
    if report.is_city:
        zero = [row.county_name for row in counties if row.topics_active == 0]
        topics += (f"尚无在研课题的县（市、区）：{'、'.join(zero)}。" if zero
                   else "各县（市、区）均已开展课题研究。")
    doc.paragraph(topics)
    doc.heading(_n(4, 2) + "评估表彰", 2)
    if report.awards:
        kinds: dict[str, int] = {}
        for award in report.awards:
            kinds[award.award_name] = kinds.get(award.award_name, 0) + 1
        doc.paragraph("获评" + "、".join(f"{name}{n}个" for name, n in kinds.items()) + "。")
        doc.table(["序号", "类别", "名称", "单位"],
                  [[str(number), a.award_name, a.name, a.unit]
                   for number, a in enumerate(report.awards, start=1)])
    else:
        doc.paragraph("本年度的表彰名单尚未公布。")
    doc.heading(_n(3, 1) + "主要数据", 1)
    if report.is_city:
        rows = [_county_row(row) for row in counties]
        rows.append(_county_row(total, name="合计"))
        doc.table(["县（市、区）", "幼儿园", "覆盖率", "教研活动", "大型活动", "在研课题",
                   "同研异构", "教学设计", "年度备案"], rows)
    else:
        row = counties[0]
        doc.table(["指标", "数值"], [
            ["幼儿园", f"{row.kindergartens}所"],
            ["教研责任区", f"{row.zones}个"],
            ["全面覆盖", f"{row.covered}/{row.kindergartens}（{row.coverage_percent}%）"],
            ["领导小组", f"{row.roster_members}人"],
            ["年度备案", row.filing_status],
            ["备案教研活动", f"{row.activities}项（大型专题活动{row.large_activities}项）"],
            ["教研方向建议", f"{row.directions}条"],
            ["在研课题", f"{row.topics_active}项（已结题{row.topics_concluded}项）"],
            ["组织同研异构活动", f"{row.exchanges_organised}次"],
            ["参与同研异构", f"{row.participations}园次"],
            ["提交教学设计", f"{row.designs}份"],
            ["专家点评", f"{row.expert_comments}条"],
            ["获得表彰", f"{row.awards}项"],
        ])
    doc.writer.add_signature(report.signed_by, report.signed_on)


def _totals(rows: list[c.CountyYear]) -> c.CountyYear:
    forms: dict[str, int] = {}
    for row in rows:
        for name, n in row.activities_by_form:
            forms[name] = forms.get(name, 0) + n

    def total(field: str) -> int:
        return sum(getattr(row, field) for row in rows)

    return c.CountyYear(
        county_name="合计", zones=total("zones"), kindergartens=total("kindergartens"),
        covered=total("covered"), roster_members=total("roster_members"),
        roster_complete=all(row.roster_complete for row in rows), filing_status="",
        activities=total("activities"), large_activities=total("large_activities"),
        activities_by_form=list(forms.items()), directions=total("directions"),
        topics_active=total("topics_active"), topics_concluded=total("topics_concluded"),
        exchanges_organised=total("exchanges_organised"),
        participations=total("participations"), designs=total("designs"),
        expert_comments=total("expert_comments"), awards=total("awards"),
    )


def _county_row(row: c.CountyYear, name: str | None = None) -> list[str]:
    return [
        name or row.county_name, str(row.kindergartens), f"{row.coverage_percent}%",
        str(row.activities), str(row.large_activities), str(row.topics_active),
        str(row.participations), str(row.designs), row.filing_status or "—",
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
    """表彰名单: 先进责任区, 先进幼儿园 and 先进个人, each a table."""
    doc.title(title_lines(report.title, "学前教育区域联盟教研表彰名单"))
    by_kind: dict[str, list[c.AwardRow]] = {}
    for award in report.awards:
        by_kind.setdefault(award.kind, []).append(award)
    granted = "、".join(
        f"{len(by_kind[kind])}{unit}“{name}”" for kind, name, unit, _ in AWARD_SECTIONS
        if by_kind.get(kind)
    )
    doc.paragraph(
        f"根据{report.year}年度学前教育区域联盟教研工作专项调研评估结果，经研究，评选出{granted}，"
        "现予以表彰。"
    )
    if report.published_on is None:
        doc.paragraph("（本名单尚未公布，仅供审核。）")
    section = 0
    for kind, name, unit, header in AWARD_SECTIONS:
        awards = by_kind.get(kind)
        if not awards:
            continue
        section += 1
        doc.heading(f"{_n(section, 1)}{name}（{len(awards)}{unit}）", 1)
        if kind == "kindergarten":
            rows = [[str(i), a.name, a.county_name] for i, a in enumerate(awards, start=1)]
        else:
            rows = [[str(i), a.name, a.unit, a.county_name] for i, a in enumerate(awards, start=1)]
        doc.table(header, rows)
    doc.writer.add_signature(report.issued_by, report.issued_on)


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
}


def build(report: c.ReportData, fonts: ReportFonts | None = None) -> bytes:
    """Write ``report`` as a .docx in the official format and return its bytes."""
    doc = Composer(fonts)
    BUILDERS[type(report)](doc, report)
    return doc.to_bytes()
