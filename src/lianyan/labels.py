"""Chinese names of every enumeration code; pages and reports show these."""

from __future__ import annotations

COUNTY_KIND = {"county": "县", "county_city": "县级市", "district": "区"}
LOCALE = {"urban": "城区", "town": "镇区", "rural": "乡村"}
OWNERSHIP = {"public": "公办", "private_inclusive": "普惠性民办", "private": "民办"}
KINDERGARTEN_LEVEL = {
    "provincial_model": "省级示范",
    "city_model": "市级示范",
    "grade1": "一级",
    "grade2": "二级",
    "grade3": "三级",
    "unrated": "未定级",
}
POSITION = {"leader": "组长", "deputy": "副组长", "member": "成员"}
ACTIVITY_FORM = {
    "expert_led": "专业引领",
    "seminar": "专题研讨",
    "expert_forum": "专家论坛",
    "online": "网络教研",
    "exchange": "同研异构",
}
TOPIC_LEVEL = {"city": "市级", "county": "县级", "kindergarten": "园级"}
TOPIC_STATUS = {
    "draft": "草稿",
    "submitted": "已申报",
    "approved": "已立项",
    "rejected": "未立项",
    "opened": "已开题",
    "midterm": "中期检查",
    "concluded": "已结题",
    "withdrawn": "已撤销",
}
TOPIC_GRADE = {"excellent": "优秀", "good": "良好", "pass": "合格", "fail": "不合格"}
AGE_GROUP = {"small": "小班", "middle": "中班", "large": "大班"}
DOMAIN = {"health": "健康", "language": "语言", "social": "社会", "science": "科学", "art": "艺术"}
MODE = {"onsite": "现场", "online": "线上", "hybrid": "混合"}
FILING_STATUS = {"draft": "草稿", "submitted": "已报送", "accepted": "已备案", "returned": "已退回"}


def reverse(mapping: dict[str, str]) -> dict[str, str]:
    """Chinese name → code, for imports."""
    return {v: k for k, v in mapping.items()}


def book(title: str) -> str:
    """A title in 书名号 for running text: 《小兔乖乖》, but “中班语言《小兔乖乖》同研异构” when the
    title already holds 《》 (nested 《《》》 reads as an error in Chinese)."""
    return f"“{title}”" if "《" in title or "》" in title else f"《{title}》"


def sentence(text: str) -> str:
    """``text`` ending in exactly one full stop (。), however the writer ended it."""
    text = text.strip()
    if not text or text[-1] in "。！？!?":
        return text
    return text.rstrip(".．") + "。"


_KIB = 1024


def human_size(size: int, *, round_up: bool = False) -> str:
    """A byte count as users read it: ``512 字节``, ``3.5 MB``, ``2 GB`` (binary units)."""
    if size < _KIB:
        return f"{size} 字节"
    units = ("KB", "MB", "GB", "TB")
    exponent = 1
    while exponent < len(units) and size >= _KIB ** (exponent + 1):
        exponent += 1
    unit = _KIB**exponent
    # Whole tenths in integers, so that 2 GiB never prints as 2.0000001 or rounds the wrong way.
    tenths = -(-size * 10 // unit) if round_up else (size * 10 + unit // 2) // unit
    if tenths >= 10 * _KIB and exponent < len(units):
        exponent += 1
        tenths = -(-tenths // _KIB) if round_up else (tenths + _KIB // 2) // _KIB
    whole, tenth = divmod(tenths, 10)
    number = f"{whole}" if tenth == 0 else f"{whole}.{tenth}"
    return f"{number} {units[exponent - 1]}"


def moment(seconds: int | float | None) -> str:
    """A moment of a video as people read it: 332 → "05:32", 3723 → "1:02:03"; None → ""."""
    if seconds is None:
        return ""
    whole = max(0, int(seconds))
    hours, rest = divmod(whole, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes:02d}:{secs:02d}"
