"""Looking at a design's files in the page: the classroom video with seeking and comments at a
moment, a PDF opened in the browser, a Word design read as HTML.

Arranged in-process on the demo city (teacher1's design in the current exchange, with a Word
document, PDF slides and an H.264 video stored in the session's real rclone store); an expert
drives Chromium at 1366 and at 390 px. The video is seekable because the app answers ranges
with 206 on the embedded store (rclone itself answers 200).
"""

from __future__ import annotations

import io
import os
from typing import Any

from lianyan import clock
from lianyan.exchanges import designs
from lianyan.exchanges.tables import Exchange
from lianyan.files import sniff
from tests.browser.conftest import sign_in
from tests.builders import org as f
from tests.builders.files import pdf_bytes
from tests.exchanges.test_document_view import rich_docx
from tests.videos import video

LIMITS = sniff.Limits()
SHOTS = os.environ.get("LIANYAN_SCREENSHOTS")


async def _design_with_files(store: Any) -> int:
    """teacher1's design in the demo's current exchange: document, PDF slides, a 20 s video."""
    exchange = await Exchange.select(Exchange.id).where(
        Exchange.comment_deadline > clock.now()
    ).first()
    teacher = await f.principal("teacher1")
    design_id = await designs.open_my_design(teacher, exchange["id"])
    for kind, name, data in (("document", "小兔乖乖教学设计.docx", rich_docx()),
                             ("slides", "小兔乖乖课件.pdf", pdf_bytes()),
                             ("video", "小兔乖乖课堂实录.mp4", video(20))):
        await designs.add_version(teacher, store, design_id, kind=kind,
                                  fileobj=io.BytesIO(data), filename=name, limits=LIMITS)
    return design_id


async def _expert(browser: Any, live_server: Any, width: int, height: int) -> Any:
    context = await browser.new_context(base_url=live_server.url, locale="zh-CN",
                                        viewport={"width": width, "height": height})
    context.set_default_timeout(20_000)
    page = await context.new_page()
    await sign_in(page, "expert1")
    return page


async def _time(page: Any) -> float:
    return float(await page.eval_on_selector("#lesson-video", "v => v.currentTime"))


async def test_expert_plays_seeks_comments_at_a_moment_and_clicks_it_to_seek(
    browser, live_server, demo_city, store, tmp_path
):
    design_id = await _design_with_files(store)

    for width, height in ((1366, 800), (390, 844)):
        page = await _expert(browser, live_server, width, height)
        await page.goto(f"/designs/{design_id}")
        await page.wait_for_selector("[data-testid=video]")
        # the browser loads the video's metadata and can seek over the whole of it
        await page.wait_for_function(
            "() => document.getElementById('lesson-video').readyState >= 1")
        duration = await page.eval_on_selector("#lesson-video", "v => v.duration")
        seekable = await page.eval_on_selector(
            "#lesson-video", "v => v.seekable.length ? v.seekable.end(0) : 0")
        assert 19.5 <= duration <= 20.5 and seekable >= duration - 0.5
        await page.eval_on_selector("#lesson-video", "v => { v.muted = true; return v.play(); }")
        await page.eval_on_selector("#lesson-video", "v => { v.currentTime = 12.4; }")
        await page.wait_for_function(
            "() => { const v = document.getElementById('lesson-video');"
            " return !v.seeking && v.readyState >= 2 && Math.abs(v.currentTime - 12.4) < 1; }")
        await page.screenshot(path=str(tmp_path / f"video-{width}.png"), full_page=True)
        if width != 1366:
            await page.context.close()
            continue

        # a moment typed wrong comes back in Chinese with the form still filled in
        await page.fill("[data-testid=at-seconds-comment]", "十二秒")
        await page.fill("[data-testid=comment-body]", "这里教师的提问很好。")
        await page.click("[data-testid=comment-submit]")
        await page.wait_for_selector("text=视频时间点应是从视频开头算起的秒数")
        assert await page.input_value("[data-testid=comment-body]") == "这里教师的提问很好。"
        assert await page.input_value("[data-testid=at-seconds-comment]") == "十二秒"

        # paused at 00:12, the expert takes the moment and comments on it
        await page.eval_on_selector("#lesson-video", "v => { v.currentTime = 12.4; }")
        await page.wait_for_function(
            "() => Math.abs(document.getElementById('lesson-video').currentTime - 12.4) < 0.5")
        await page.click("[data-testid=comment-form] [data-take-moment]")
        assert await page.input_value("[data-testid=at-seconds-comment]") == "00:12"
        await page.click("[data-testid=comment-submit]")
        moment = page.locator("button.moment", has_text="00:12")
        await moment.wait_for()

        # the comment shows its time; clicking it seeks the video there
        await page.eval_on_selector("#lesson-video", "v => { v.currentTime = 2; }")
        await moment.click()
        await page.wait_for_function(
            "() => Math.abs(document.getElementById('lesson-video').currentTime - 12) < 1")
        assert 11 <= await _time(page) <= 13.5
        await page.screenshot(path=str(tmp_path / "comment-moment-1366.png"), full_page=True)
        await page.context.close()


async def test_pdf_slides_open_in_the_browser_and_the_word_design_reads_as_html(
    browser, live_server, demo_city, store, tmp_path
):
    design_id = await _design_with_files(store)
    for width, height in ((1366, 800), (390, 844)):
        page = await _expert(browser, live_server, width, height)
        await page.goto(f"/designs/{design_id}")

        # the PDF slides open in the browser's own viewer (inline, not a download)
        link = page.locator("[data-testid=versions] a", has_text="在浏览器中查看").first
        response = await page.request.get(await link.get_attribute("href"))
        assert response.status == 200
        assert response.headers["content-type"] == "application/pdf"
        assert response.headers["content-disposition"].startswith("inline;")

        # the Word design reads as HTML in the page
        await page.locator("[data-testid=versions] a", has_text="在线阅读").first.click()
        view = page.locator("[data-testid=document-view]")
        await view.wait_for()
        assert await view.locator("h3", has_text="一、活动目标").count() == 1
        assert "不给陌生人开门" in await view.inner_text()
        # a Word table is a table (a merged cell spans), a numbered list is numbered
        assert await view.locator("table td[colspan='2']", has_text="共 25 分钟").count() == 1
        assert await view.locator("ol > li").all_inner_texts() == ["谈话导入。", "分角色表演。"]
        assert await view.locator("ul > li").count() == 2
        assert await page.evaluate("document.documentElement.scrollWidth") <= width
        await page.screenshot(path=str(tmp_path / f"docx-{width}.png"), full_page=True)
        if SHOTS:
            await page.screenshot(path=f"{SHOTS}/docx-{width}.png", full_page=True)
        await page.context.close()


async def test_a_word_design_that_cannot_be_read_says_so_in_chinese(
    browser, live_server, demo_city, store, tmp_path
):
    from tests.exchanges.test_hostile_documents import BILLION_LAUGHS, with_document_xml

    design_id = await _design_with_files(store)
    teacher = await f.principal("teacher1")
    await designs.add_version(teacher, store, design_id, kind="document",
                              fileobj=io.BytesIO(with_document_xml(BILLION_LAUGHS)),
                              filename="坏的教学设计.docx", limits=LIMITS)
    page = await _expert(browser, live_server, 390, 844)

    await page.goto(f"/designs/{design_id}/versions/4/document")

    error = page.locator("[data-testid=document-error]")
    assert "无法在线阅读" in await error.inner_text()
    assert await page.locator("[data-testid=document-download]").count() == 1
    await page.screenshot(path=str(tmp_path / "docx-broken-390.png"), full_page=True)
    await page.context.close()


def _padded_video(size: int) -> bytes:
    """A real 20 s H.264 MP4 grown to ``size`` bytes by a trailing ``free`` box."""
    import struct

    data = video(20)
    return data + struct.pack(">I", size - len(data)) + b"free" + bytes(size - len(data) - 8)


_WATCH_PROGRESS = """() => {
  const seen = (v) => console.log('lianyan-progress ' + v);
  new MutationObserver((changes) => {
    for (const c of changes) {
      if (c.target.tagName === 'PROGRESS') seen(c.target.getAttribute('value'));
    }
  }).observe(document.body, {subtree: true, attributes: true, attributeFilter: ['value']});
}"""


async def test_teacher_uploads_a_30_mb_video_through_the_plain_control_and_sees_progress(
    browser, live_server, demo_city, tmp_path
):
    exchange = await Exchange.select(Exchange.id).where(
        Exchange.comment_deadline > clock.now()
    ).first()
    design_id = await designs.open_my_design(await f.principal("teacher1"), exchange["id"])
    big = tmp_path / "小兔乖乖课堂实录.mp4"
    big.write_bytes(_padded_video(30 * 1024 * 1024))
    small = tmp_path / "小兔乖乖教学设计.docx"
    small.write_bytes(rich_docx())
    context = await browser.new_context(base_url=live_server.url, locale="zh-CN",
                                        viewport={"width": 390, "height": 844})
    context.set_default_timeout(60_000)
    page = await context.new_page()
    progress: list[float] = []
    page.on("console", lambda m: progress.append(float(m.text.split()[1]))
            if m.text.startswith("lianyan-progress ") else None)
    await sign_in(page, "teacher1")

    # a small document goes with the form, and its bar moves too
    await page.goto(f"/designs/{design_id}")
    await page.evaluate(_WATCH_PROGRESS)
    await page.set_input_files("[data-testid=upload-file]", str(small))
    await page.click("[data-testid=upload-submit]")
    await page.wait_for_selector("[data-testid=done]")
    assert "生成第 1 版" in await page.inner_text("[data-testid=done]")
    assert progress and max(progress) == 100

    # the 30 MB video goes through the same control; the bar moves through the parts
    progress.clear()
    await page.evaluate(_WATCH_PROGRESS)
    await page.select_option("[data-testid=upload-kind]", "video")
    await page.set_input_files("[data-testid=upload-file]", str(big))
    await page.click("[data-testid=upload-submit]")
    await page.wait_for_selector("[data-testid=upload-progress]:not([hidden])")
    await page.screenshot(path=str(tmp_path / "uploading-390.png"), full_page=True)
    await page.locator("[data-testid=done]", has_text="生成第 2 版").wait_for()
    moving = sorted({p for p in progress if 0 < p < 100})
    assert len(moving) >= 2, progress
    assert max(progress) == 100
    await page.wait_for_selector("[data-testid=video]")
    await page.screenshot(path=str(tmp_path / "uploaded-390.png"), full_page=True)

    # the file went the resumable way (it is an adopted upload), the user never chose it
    from lianyan.files.tables import Upload

    assert await Upload.count().where(Upload.status == "completed") == 1
    await context.close()


async def test_a_refused_file_through_the_control_comes_back_with_the_message_by_the_field(
    browser, live_server, demo_city, tmp_path
):
    exchange = await Exchange.select(Exchange.id).where(
        Exchange.comment_deadline > clock.now()
    ).first()
    design_id = await designs.open_my_design(await f.principal("teacher1"), exchange["id"])
    fake = tmp_path / "安装程序.docx"
    fake.write_bytes(b"MZ" + bytes(4000))
    page = await _expert(browser, live_server, 1366, 800)  # signs in as expert1: switch
    await page.context.clear_cookies()
    await sign_in(page, "teacher1")

    await page.goto(f"/designs/{design_id}")
    await page.set_input_files("[data-testid=upload-file]", str(fake))
    await page.click("[data-testid=upload-submit]")

    await page.wait_for_selector("text=不是 Word 文档")
    assert await page.locator("[data-testid=upload-form]").count() == 1
    await page.screenshot(path=str(tmp_path / "refused-1366.png"), full_page=True)
    await page.context.close()
