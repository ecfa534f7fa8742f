"""The site-wide search (docs/search.md): words inside Word documents, the owning domains'
visibility, title matches first, the index following edits and deletions, bad input."""

from __future__ import annotations

import io

import pytest

from lianyan import clock
from lianyan.exchanges import designs
from lianyan.exchanges import schemas as xs
from lianyan.search import index
from lianyan.topics import lifecycle
from lianyan.topics import schemas as ts
from tests.builders import topics as tb
from tests.builders.files import docx_bytes
from tests.exchanges.conftest import AFTER_DESIGN_DEADLINE, World, headers

#: A word that appears only in the body of t3's Word document, never in a title.
DOCX_WORD = "磁铁钓鱼"
DESIGN = [
    ("h", "活动目标"), ("p", "感知沉与浮。"),
    ("h", "活动过程"), ("p", "一、导入。"),
    ("h", "教学反思"), ("p", f"孩子们最喜欢{DOCX_WORD}的游戏，下次多准备几套材料。"),
]


async def _design(world: World, store, username: str, paragraphs=None, title: str = "") -> int:
    actor = await world.actor(username)
    design = await designs.create_design(actor, world.exchange_id, xs.DesignIn(title=title))
    await designs.add_version(
        actor, store, design.id, kind="document",
        fileobj=io.BytesIO(docx_bytes(paragraphs or DESIGN)), filename="教学设计.docx",
        limits=designs.sniff.DEFAULT_LIMITS,
    )
    return design.id


async def _search(client, username: str, **params) -> dict:
    response = await client.get("/api/v1/search", params=params,
                                headers=await headers(client, username))
    assert response.status_code == 200, response.text
    return response.json()


async def test_word_inside_a_designs_word_document_is_found(client, world, store):
    design_id = await _design(world, store, "t3")

    found = await _search(client, "t3", q=DOCX_WORD)

    assert [(h["type"], h["id"]) for h in found["items"]] == [("design", design_id)]
    hit = found["items"][0]
    assert f"<mark>{DOCX_WORD}</mark>" in hit["snippet_html"]
    assert hit["link"] == f"/designs/{design_id}"
    assert found["counts"]["design"] == 1


async def test_blind_design_is_not_found_by_another_groups_teacher_before_the_deadline(
    client, world, store
):
    design_id = await _design(world, store, "t3")  # group 2

    other_group = await _search(client, "t1", q=DOCX_WORD)  # group 1
    same_group = await _search(client, "t4", q=DOCX_WORD)  # group 2, other county
    organiser = await _search(client, "lingbao", q=DOCX_WORD)
    outsider = await _search(client, "t5", q=DOCX_WORD)

    assert other_group["items"] == [] and other_group["total"] == 0
    assert [h["id"] for h in same_group["items"]] == [design_id]
    assert [h["id"] for h in organiser["items"]] == [design_id]
    assert outsider["total"] == 0
    with clock.pinned(AFTER_DESIGN_DEADLINE):
        after = await _search(client, "t1", q=DOCX_WORD)
    assert [h["id"] for h in after["items"]] == [design_id]


async def test_county_officer_does_not_find_another_countys_draft_topic(client, world):
    title = "农村幼儿园自然教育课程的实践研究"
    lushi_topic = await tb.topic(world.counties["lushi"], title=title, status="draft")
    own_topic = await tb.topic(world.counties["lingbao"], title=title + "（灵宝）",
                               status="draft")
    await index.refresh("topic", [lushi_topic, own_topic])

    lingbao = await _search(client, "lingbao", q="自然教育", type="topic")
    lushi = await _search(client, "lushi", q="自然教育", type="topic")

    assert [h["id"] for h in lingbao["items"]] == [own_topic]
    assert lingbao["total"] == 1
    assert [h["id"] for h in lushi["items"]] == [lushi_topic]


async def test_title_match_ranks_before_body_match(client, world, store):
    word = "沉与浮"
    body_only = await _design(world, store, "t3", title="有趣的科学小实验")
    in_title = await _design(world, store, "t4", title=f"大班科学《{word}》")

    found = await _search(client, "lingbao", q=word)

    assert [h["id"] for h in found["items"]] == [in_title, body_only]
    assert "<mark>沉与浮</mark>" in found["items"][0]["title_html"]


async def test_index_follows_topic_edit_and_delete(client, world, store):
    county = world.counties["lingbao"]
    actor = await world.actor("lingbao")
    created = await lifecycle.create_topic(actor, ts.TopicIn(
        county_id=county, year=2026, title="幼儿园户外游戏的研究", direction="户外游戏",
        level="county",
    ))
    assert (await _search(client, "lingbao", q="户外游戏"))["total"] == 1

    await lifecycle.update_topic(actor, created.id, ts.TopicPatch(title="绘本阅读的研究"))
    assert (await _search(client, "lingbao", q="绘本阅读"))["total"] == 1
    after_edit = await _search(client, "lingbao", q="户外", type="topic")
    assert [h["title"] for h in after_edit["items"]] == ["绘本阅读的研究"]  # direction still

    await lifecycle.delete_topic(actor, created.id, store=store)
    assert (await _search(client, "lingbao", q="绘本阅读"))["total"] == 0


async def test_new_design_version_replaces_the_indexed_text(client, world, store):
    design_id = await _design(world, store, "t3")
    actor = await world.actor("t3")
    await designs.add_version(
        actor, store, design_id, kind="document",
        fileobj=io.BytesIO(docx_bytes([("h", "活动目标"), ("p", "学习垃圾分类。")])),
        filename="第二版.docx", limits=designs.sniff.DEFAULT_LIMITS,
    )

    assert (await _search(client, "t3", q=DOCX_WORD))["total"] == 0
    assert (await _search(client, "t3", q="垃圾分类"))["total"] == 1


async def test_filters_by_type_county_domain_and_age_group(client, world, store):
    design_id = await _design(world, store, "t3")
    lingbao = world.counties["lingbao"]

    assert (await _search(client, "city", q=DOCX_WORD, county_id=lingbao,
                          domain="language", age_group="middle"))["total"] == 1
    assert (await _search(client, "city", q=DOCX_WORD, domain="art"))["total"] == 0
    assert (await _search(client, "city", q=DOCX_WORD, type="topic"))["total"] == 0
    assert (await _search(client, "city", q=DOCX_WORD,
                          county_id=world.counties["lushi"]))["total"] == 0
    assert design_id


async def test_people_and_kindergartens_within_the_callers_scope(client, world):
    await index.reindex_all()  # the world's rows were written directly

    lushi = await _search(client, "lushi", q="幼儿园", type="kindergarten")
    names = {h["title"] for h in lushi["items"]}

    assert names == {"卢氏县杜关东村幼儿园", "卢氏县范里西村幼儿园", "灵宝市实验幼儿园",
                     "灵宝市尹庄镇中心幼儿园", "湖滨区第一幼儿园"}  # officers read every one
    teacher = await _search(client, "t1", q="专干", type="person")
    assert teacher["total"] == 0
    own = await _search(client, "t1", q="实验幼儿园", type="kindergarten")
    assert [h["title"] for h in own["items"]] == ["灵宝市实验幼儿园"]
    assert own["items"][0]["link"] is None  # the kindergarten list is not a teacher's page
    assert lushi["items"][0]["link"].startswith("/org/kindergartens?")
    city = await _search(client, "city", q="专干", type="person")
    assert {h["title"] for h in city["items"]} == {"灵宝专干", "卢氏专干", "湖滨专干"}


@pytest.mark.parametrize(
    ("params", "code"),
    [
        ({"q": ""}, "search.q_empty"),
        ({"q": "  ，。 "}, "search.q_empty"),
        ({"q": "%_"}, "search.q_empty"),
        ({"q": "字" * 51}, "search.q_too_long"),
        ({"q": "游戏", "type": "video"}, "search.type"),
        ({"q": "游戏", "county_id": "abc"}, "search.county"),
        ({"q": "游戏", "county_id": "999999"}, "search.county"),
        ({"q": "游戏", "year": "1999"}, "search.year"),
        ({"q": "游戏", "year": "二〇二六"}, "search.year"),
        ({"q": "游戏", "domain": "music"}, "search.domain"),
        ({"q": "游戏", "age_group": "baby"}, "search.age_group"),
    ],
)
async def test_bad_query_is_problem_json_with_a_stable_code(client, world, params, code):
    response = await client.get("/api/v1/search", params=params,
                                headers=await headers(client, "t1"))

    assert response.status_code == 400
    assert response.headers["content-type"].startswith("application/problem+json")
    body = response.json()
    assert body["code"] == code
    assert any("\u4e00" <= ch <= "\u9fff" for ch in body["detail"])


async def test_paging_keeps_counts_right_under_visibility(client, world, store):
    for username in ("t1", "t2", "t3", "t4"):
        await _design(world, store, username)

    first = await _search(client, "t1", q=DOCX_WORD, limit=1)
    second = await _search(client, "t1", q=DOCX_WORD, limit=1, offset=1)

    assert first["total"] == 2  # t1's own group: t1 and t2
    assert len(first["items"]) == 1 and len(second["items"]) == 1
    assert first["items"][0]["id"] != second["items"][0]["id"]


async def test_search_page_shows_highlighted_results_and_keeps_the_form_on_error(
    client, world, store
):
    await _design(world, store, "t3")
    auth = await headers(client, "t3")

    page = await client.get("/search", params={"q": DOCX_WORD}, headers=auth)
    wrong = await client.get("/search", params={"q": "游戏", "year": "abcd"}, headers=auth)

    assert page.status_code == 200
    assert f"<mark>{DOCX_WORD}</mark>" in page.text
    assert wrong.status_code == 400
    assert "年份应为" in wrong.text and 'value="abcd"' in wrong.text


async def test_search_page_with_filters_but_no_word_asks_for_one(client, world):
    auth = await headers(client, "t3")

    filtered = await client.get("/search", params={"q": "", "type": "design"}, headers=auth)
    untouched = await client.get("/search", headers=auth)

    assert filtered.status_code == 200
    assert 'data-testid="search-hint"' in filtered.text and "输入要找的词" in filtered.text
    assert 'value="design" selected' in filtered.text  # the filter is kept for the word
    assert 'data-testid="search-hint"' not in untouched.text



async def test_regrouping_moves_what_a_blind_reader_finds(client, world, store):
    from lianyan.exchanges import services as exchanges

    design_id = await _design(world, store, "t3")  # group 2, with t4
    assert (await _search(client, "t2", q=DOCX_WORD))["total"] == 0  # t2: group 1

    await exchanges.put_groups(await world.actor("lingbao"), world.exchange_id, xs.GroupsIn(
        groups=[
            xs.GroupIn(members=[
                xs.MemberIn(kindergarten_id=world.kgs["A"], teacher_id=world.people["t1"]),
                xs.MemberIn(kindergarten_id=world.kgs["D"], teacher_id=world.people["t4"]),
            ]),
            xs.GroupIn(members=[
                xs.MemberIn(kindergarten_id=world.kgs["C"], teacher_id=world.people["t3"]),
                xs.MemberIn(kindergarten_id=world.kgs["B"], teacher_id=world.people["t2"]),
            ]),
        ]
    ))

    assert [h["id"] for h in (await _search(client, "t2", q=DOCX_WORD))["items"]] == [design_id]
    assert (await _search(client, "t4", q=DOCX_WORD))["total"] == 0
