"""The reports: their codes, Chinese names, what each covers and which parameters it needs.

Nothing here touches the database or python-docx, so pages, the API and the CLI can list the
kinds cheaply. Loading a report's data is ``content``; writing the document is ``documents``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

Scope = Literal["county", "city", "county_or_city", "topic", "exchange"]


@dataclass(frozen=True, slots=True)
class ReportKind:
    """One kind of report."""

    code: str
    #: As the pages and the job list name it ("附件2 年度教研活动备案表").
    name: str
    scope: Scope
    #: One line for the reports page: what the document holds.
    description: str

    @property
    def params(self) -> tuple[str, ...]:
        """The parameters a request must give (``annual_summary`` may add ``county_id``)."""
        return _PARAMS[self.scope]

    @property
    def optional_params(self) -> tuple[str, ...]:
        """Parameters a request may give."""
        return ("county_id",) if self.scope == "county_or_city" else ()

    @property
    def formats(self) -> tuple[str, ...]:
        """The file formats it comes in, the default first."""
        if self.code == "year_end_slides":
            return ("pptx",)
        if self.code in SPREADSHEET_KINDS:
            return ("docx", "xlsx")
        return ("docx",)

    @property
    def city_only(self) -> bool:
        """Only the city generates it."""
        return self.scope == "city"


#: The filing forms (附件1–3), which also come as spreadsheets.
SPREADSHEET_KINDS = ("leadership_roster", "activity_filing", "research_directions")
#: Kinds issued as documents of a bureau, which take a document number (发文字号).
NUMBERED_KINDS = ("annual_summary", "award_list", "filing_package")

_PARAMS: dict[str, tuple[str, ...]] = {
    "county": ("county_id", "year"),
    "city": ("year",),
    "county_or_city": ("year",),
    "topic": ("topic_id",),
    "exchange": ("exchange_id",),
}

KINDS: dict[str, ReportKind] = {
    k.code: k
    for k in (
        ReportKind("leadership_roster", "附件1 区域教研领导小组名单", "county",
                   "本县（市、区）当年的领导小组：组长、副组长和成员，含填报单位签章栏。"),
        ReportKind("activity_filing", "附件2 年度教研活动备案表", "county",
                   "当年备案的全部教研活动（日期、名称、主题、形式、责任区、地点、人数、是否大型专题活动），含签章栏。"),
        ReportKind("research_directions", "附件3 学前教育教研方向建议表", "county",
                   "当年的教研方向建议：方向、针对的问题和预期成果，含签章栏。"),
        ReportKind("topic_list", "课题一览表", "city",
                   "全市当年的课题一览，以及各县（市、区）课题开展情况（尚无课题的县区列在最前）。"),
        ReportKind("topic_application", "课题申报书", "topic",
                   "一项课题的申报书：基本信息、主持人、课题组成员、研究内容和审核意见栏。"),
        ReportKind("exchange_record", "同研异构活动记录", "exchange",
                   "一次同研异构活动：教学内容、分组、各教学设计的环节、专家点评与评分、活动总结。"),
        ReportKind("annual_summary", "年度工作总结", "county_or_city",
                   "本县（市、区）或全市当年的工作总结和主要数据（不选县区即为全市）。"),
        ReportKind("results_compilation", "成果汇编", "city",
                   "全市当年收录的同研异构亮点活动和已结题课题，带目录。"),
        ReportKind("award_list", "表彰决定及表彰名单", "city",
                   "市教育局的表彰决定（发文字号、主送机关、版记），附件为先进责任区、先进幼儿园和先进个人名单。"),
        ReportKind("filing_package", "年度备案报送文件", "county",
                   "以正式文件形式报送市教育局：报送报告（发文字号、主送机关、版记）及附件1—3。"),
        ReportKind("year_end_slides", "工作开展情况总结汇报（PPT）", "county_or_city",
                   "年终总结汇报演示文稿：主要数据、各县区和各月份图表、城乡结对、亮点活动和表彰。"),
    )
}

STATUS_NAMES = {"queued": "排队中", "running": "生成中", "done": "已完成", "failed": "生成失败"}
PARAM_NAMES = {"county_id": "县（市、区）", "year": "年度", "topic_id": "课题",
               "exchange_id": "同研异构活动"}

# Characters Windows and macOS refuse in file names, and control characters.
_UNSAFE = re.compile(r'[\\/:*?"<>|\x00-\x1f]')
#: Longest title kept in a file name (a topic's title can be 200 characters).
TITLE_CHARS = 60


def file_title(text: str) -> str:
    """A report title made safe as a file name: no path or reserved characters, not too long."""
    cleaned = _UNSAFE.sub("_", text).strip(" .")
    return cleaned[:TITLE_CHARS].rstrip() or "报表"


def title_for(kind: str, *, place: str = "", year: int | None = None, subject: str = "") -> str:
    """The Chinese title of a report, which is also its file name without the extension.

    ``place`` is the county or the city, ``subject`` the topic's or exchange's title.
    """
    titles = {
        "leadership_roster": f"{place}{year}年区域教研领导小组名单",
        "activity_filing": f"{place}{year}年教研活动备案表",
        "research_directions": f"{place}{year}年学前教育教研方向建议表",
        "topic_list": f"{place}{year}年课题一览表",
        "topic_application": f"课题申报书（{subject}）",
        "exchange_record": f"同研异构活动记录（{subject}）",
        "annual_summary": f"{place}{year}年学前教育区域联盟教研工作总结",
        "results_compilation": f"{place}{year}年学前教育区域联盟教研成果汇编",
        "award_list": f"{place}{year}年学前教育区域联盟教研表彰决定",
        "filing_package": f"{place}{year}年学前教育区域联盟教研备案材料报送文件",
        "year_end_slides": f"{place}{year}年学前教育区域联盟教研工作开展情况总结汇报",
    }
    return file_title(titles[kind])
