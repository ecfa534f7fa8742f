"""Font names and Chinese point sizes of the official document format (GB/T 9704)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, fields
from enum import Enum
from types import MappingProxyType


class ChineseFontSize(float, Enum):
    """Chinese type sizes (字号) in points."""

    ER = 22.0  # 二号
    XIAO_ER = 18.0  # 小二
    SAN = 16.0  # 三号
    XIAO_SAN = 15.0  # 小三
    SI = 14.0  # 四号
    XIAO_SI = 12.0  # 小四
    WU = 10.5  # 五号


@dataclass(frozen=True, slots=True, kw_only=True)
class ReportFonts:
    """Font names written into a report; the field names match ``settings.ReportFontSettings``.

    The attachment label and table header rows use ``heading1`` (黑体 in the standard).
    """

    title: str = "方正小标宋简体"
    body: str = "仿宋_GB2312"
    heading1: str = "黑体"
    heading2: str = "楷体_GB2312"
    page_number: str = "宋体"
    #: 仿宋 rather than 仿宋_GB2312: table cells hold people's names, which may fall outside
    #: the 6,763 characters GB 2312 covers.
    table_body: str = "仿宋"

    def __post_init__(self) -> None:
        for field in fields(self):
            value = getattr(self, field.name)
            if not isinstance(value, str) or not value.strip():
                raise ValueError(f"ReportFonts.{field.name} must be a non-empty font name")

    @classmethod
    def from_attributes(cls, source: object) -> ReportFonts:
        """Build from any object carrying some of the fields (a settings Struct); others default."""
        names = {field.name for field in fields(cls)}
        return cls(**{name: getattr(source, name) for name in names if hasattr(source, name)})

    def names(self) -> tuple[str, ...]:
        """Every distinct font name, in field order."""
        return tuple(dict.fromkeys(getattr(self, field.name) for field in fields(self)))


#: Alternate names written to the font table (``w:altName``). ECMA-376 says a consumer that
#: cannot find the primary font should try this one, so a machine without 方正小标宋简体 or the
#: ``_GB2312`` faces falls back to the 宋体 / 仿宋 / 楷体 that every Chinese Windows has. One name
#: each, as Word itself writes them: LibreOffice takes the value as a single family name.
FONT_FALLBACKS: Mapping[str, str] = MappingProxyType({
    "方正小标宋简体": "宋体",
    "方正小标宋_GBK": "宋体",
    "仿宋_GB2312": "仿宋",
    "楷体_GB2312": "楷体",
    "仿宋": "FangSong",
    "楷体": "KaiTi",
    "黑体": "SimHei",
    "宋体": "SimSun",
})
