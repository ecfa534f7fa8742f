"""Chinese text helpers: 书名号 without nesting, one full stop."""

from __future__ import annotations

from lianyan.labels import book


def test_book_wraps_a_plain_title_in_shuminghao():
    assert book("小兔乖乖") == "《小兔乖乖》"


def test_book_quotes_a_title_that_already_holds_shuminghao():
    assert book("中班语言《小兔乖乖》同研异构") == "“中班语言《小兔乖乖》同研异构”"


def test_sentence_ends_in_one_full_stop_whatever_was_typed():
    from lianyan.labels import sentence

    assert sentence("附件2缺少活动地点。") == "附件2缺少活动地点。"
    assert sentence("附件2缺少活动地点") == "附件2缺少活动地点。"
    assert sentence("请补充！") == "请补充！"
