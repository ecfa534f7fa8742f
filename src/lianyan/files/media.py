"""Videos made watchable with FFmpeg: what a video is, a poster frame, a 720p H.264 preview.

FFmpeg comes from the ``imageio-ffmpeg`` wheel (a static build with libx264, pinned in
``constraints.txt``), so no system package is needed. Pure functions on local files; the jobs
that fetch a video from the store and keep the results are ``files/media_jobs.py``.

Every FFmpeg run is a child process with a time limit, killed when the limit passes or the
caller is cancelled; its output is parsed, never trusted to be complete.
"""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import anyio
import msgspec

#: Browsers play these video codecs in an MP4 (H.264 everywhere; VP9/AV1 in Chromium/Firefox).
PLAYABLE_CODECS = frozenset({"h264", "vp8", "vp9", "av1"})
#: Lines of the preview (720p), and its quality (x264 CRF: higher is smaller).
PREVIEW_HEIGHT = 720
PREVIEW_CRF = 28
#: Longest one FFmpeg run may take: probe and poster; the transcode of a 2 GB lesson.
PROBE_SECONDS = 60
TRANSCODE_SECONDS = 3 * 3600

_DURATION = re.compile(r"Duration:\s*(\d+):(\d\d):(\d\d(?:\.\d+)?)")
_VIDEO = re.compile(r"Stream #\S+.*?: Video: (\w+).*?(\d{2,5})x(\d{2,5})")


class MediaError(Exception):
    """FFmpeg could not read or convert the video; ``reason`` is for the person, in Chinese."""

    def __init__(self, reason: str, detail: str = "") -> None:
        super().__init__(f"{reason} {detail}".strip())
        self.reason = reason
        self.detail = detail


class MediaInfo(msgspec.Struct, frozen=True, kw_only=True):
    """What a video is: duration in whole seconds, size of the picture, video codec."""

    duration_seconds: int | None
    width: int | None
    height: int | None
    codec: str


def ffmpeg_binary() -> str:
    """The FFmpeg executable shipped in the ``imageio-ffmpeg`` wheel."""
    import imageio_ffmpeg  # type: ignore[import-untyped]

    return str(imageio_ffmpeg.get_ffmpeg_exe())


async def _run(args: list[str], *, seconds: float) -> tuple[int, str]:
    """Run FFmpeg with ``args``; (exit code, the tail of its log). Killed on time-out/cancel."""
    command = [ffmpeg_binary(), "-hide_banner", "-nostdin", *args]
    try:
        with anyio.fail_after(seconds):
            done = await anyio.run_process(command, check=False, stdin=subprocess.DEVNULL)
    except TimeoutError:
        raise MediaError("视频处理超时。", " ".join(args[:4])) from None
    log = done.stderr.decode("utf-8", "replace")
    return done.returncode, log[-20_000:]


def parse_info(log: str) -> MediaInfo:
    """Duration, picture size and codec from FFmpeg's description of its input."""
    duration = None
    if found := _DURATION.search(log):
        hours, minutes, secs = found.groups()
        duration = int(hours) * 3600 + int(minutes) * 60 + int(float(secs))
    video = _VIDEO.search(log)
    if video is None:
        return MediaInfo(duration_seconds=duration, width=None, height=None, codec="")
    return MediaInfo(duration_seconds=duration, width=int(video.group(2)),
                     height=int(video.group(3)), codec=video.group(1).lower())


async def probe(path: Path) -> MediaInfo:
    """What the video at ``path`` is; ``MediaError`` when FFmpeg finds no video in it."""
    _, log = await _run(["-i", str(path)], seconds=PROBE_SECONDS)
    info = parse_info(log)
    if not info.codec:
        raise MediaError("无法读取该视频的画面，文件可能已损坏。", log[-500:])
    return info


def preview_reason(
    info: MediaInfo, *, content_type: str, size: int, large_bytes: int
) -> str | None:
    """Why this video needs a browser-friendly preview, in Chinese; None when it plays as is."""
    if info.codec not in PLAYABLE_CODECS:
        name = {"hevc": "HEVC（H.265）"}.get(info.codec, info.codec.upper() or "未知")
        return f"视频编码为 {name}，部分浏览器无法播放，已转为 H.264 预览。"
    if content_type == "video/quicktime":
        return "视频为 .mov 格式，部分浏览器无法播放，已转为 MP4 预览。"
    if size > large_bytes:
        return f"视频较大（{size / 1024 / 1024:.0f} MB），已为手机网络准备 720p 预览。"
    if info.height is not None and info.height > 1080:
        return "视频分辨率很高，已为手机网络准备 720p 预览。"
    return None


async def poster(source: Path, target: Path, *, duration: int | None) -> None:
    """A JPEG of one frame (a second in, or the first frame of a shorter video)."""
    at = "1" if (duration or 0) >= 2 else "0"
    code, log = await _run(
        ["-y", "-ss", at, "-i", str(source), "-frames:v", "1",
         "-vf", f"scale=-2:'min({PREVIEW_HEIGHT},ih)'", "-q:v", "4", str(target)],
        seconds=PROBE_SECONDS,
    )
    if code != 0 or not target.exists() or target.stat().st_size == 0:
        raise MediaError("无法从视频中截取封面画面。", log[-500:])


async def transcode(source: Path, target: Path, *, threads: int = 1) -> None:
    """An H.264/AAC MP4 of at most 720 lines, ``faststart`` so it plays while it loads."""
    code, log = await _run(
        ["-y", "-i", str(source), "-map", "0:v:0", "-map", "0:a:0?",
         "-vf", f"scale=-2:'min({PREVIEW_HEIGHT},ih)'",
         "-c:v", "libx264", "-preset", "veryfast", "-crf", str(PREVIEW_CRF),
         "-profile:v", "main", "-pix_fmt", "yuv420p", "-threads", str(threads),
         "-c:a", "aac", "-b:a", "96k", "-ac", "2", "-movflags", "+faststart", str(target)],
        seconds=TRANSCODE_SECONDS,
    )
    if code != 0 or not target.exists() or target.stat().st_size == 0:
        raise MediaError("视频转码失败，文件可能已损坏；原视频仍可下载。", log[-500:])
