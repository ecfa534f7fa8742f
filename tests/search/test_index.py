"""The index itself: grams (pure), and on PostgreSQL the gram look-up is an index scan."""

from __future__ import annotations

import pytest

from lianyan import db
from lianyan.search import index
from lianyan.search.grams import doc_grams, query_words, word_grams
from lianyan.search.index import Doc
from tests.conftest import ENGINE


def test_doc_grams_are_characters_and_adjacent_pairs_of_each_run():
    assert doc_grams("自然教育，ABC") == {
        "自", "然", "教", "育", "自然", "然教", "教育", "a", "b", "c", "ab", "bc",
    }


def test_query_words_split_on_punctuation_and_spaces_and_fold_width():
    assert query_words("自然教育  ＡＢ，自然教育") == ["自然教育", "ab"]


def test_word_grams_of_a_long_word_cover_it_with_few_pairs():
    assert word_grams("自然教育") == ["自然", "教育"]
    assert word_grams("沉与浮") == ["沉与", "与浮"]
    assert word_grams("王") == ["王"]


@pytest.mark.skipif(ENGINE != "postgres", reason="EXPLAIN of PostgreSQL's planner")
async def test_gram_lookup_uses_the_index_on_postgres(clean_db):
    async with db.atomic():
        await index.write(
            Doc("topic", n, f"第{n}号课题：幼儿园游戏研究", "正文" * 20) for n in range(1, 3001)
        )
        await index.write([Doc("topic", 9999, "自然教育的研究")])
    await db.engine().run_ddl("ANALYZE search_gram")
    await db.engine().run_ddl("ANALYZE search_doc")

    plan = await db.engine().run_querystring(_explain("自然", "教育"))
    text = "\n".join(row["QUERY PLAN"] for row in plan)

    assert "search_gram_gram" in text, text
    assert "Seq Scan on search_gram" not in text, text


def _explain(*grams: str):
    from piccolo.querystring import QueryString

    from lianyan.search.services import _hits

    return QueryString("EXPLAIN {}", _hits(["".join(grams)]))


@pytest.mark.skipif(ENGINE != "postgres", reason="EXPLAIN of PostgreSQL's planner")
async def test_a_teachers_search_checks_visibility_on_the_index_not_on_every_row(clean_db):
    """A common word, a restricted caller: who may see each hit comes from the index
    ``search_doc_filters`` (no row read), and only the visible documents' rows are read;
    never a scan of every document (docs/search.md, "The index")."""
    from piccolo.querystring import QueryString

    from lianyan.principal import Grant, Principal, Role
    from lianyan.search import services
    from lianyan.search.index import KINDS

    async with db.atomic():
        await index.write(
            Doc("person", n, f"教师{n}", "幼儿园游戏研究" * 5, county_id=n % 7 + 1)
            for n in range(1, 4001)
        )
    await db.engine().run_ddl("VACUUM ANALYZE search_doc")
    await db.engine().run_ddl("ANALYZE search_gram")
    teacher = Principal(account_id=1, person_id=1, username="t", name="t",
                        grants=(Grant(role=Role.TEACHER, county_id=1, kindergarten_id=1),))
    statement = services.page_statement(
        ["游戏"], services.visibility(teacher, list(KINDS)), None, 20, 0
    )

    plan = await db.engine().run_querystring(QueryString("EXPLAIN {}", statement))
    text = "\n".join(row["QUERY PLAN"] for row in plan)

    assert "Index Only Scan using search_doc_filters" in text, text
    assert "Seq Scan on search_doc" not in text, text
