"""Real videos for tests, made with the FFmpeg of the ``imageio-ffmpeg`` wheel (cached)."""

from __future__ import annotations

import functools
import subprocess
import tempfile
from pathlib import Path

_DIR = Path(tempfile.mkdtemp(prefix="lianyan-test-videos-"))


@functools.cache
def video(seconds: int = 15, *, codec: str = "h264", container: str = "mp4",
          size: str = "320x240", rate: int = 10, audio: bool = True) -> bytes:
    """A test-pattern video of ``seconds`` with a tone: H.264 MP4 by default.

    ``container="mov"`` gives a QuickTime file (an iPhone's .mov); ``codec="vp8"`` with
    ``container="webm"`` a WebM.
    """
    from lianyan.files.media import ffmpeg_binary

    out = _DIR / f"{seconds}-{codec}-{size}-{rate}-{audio}.{container}"
    if not out.exists():
        encoder = {"h264": ["-c:v", "libx264", "-pix_fmt", "yuv420p", "-g", str(rate)],
                   "vp8": ["-c:v", "libvpx", "-b:v", "300k", "-g", str(rate)]}[codec]
        sound = (["-f", "lavfi", "-i", f"sine=frequency=440:duration={seconds}"]
                 if audio else [])
        audio_codec = (["-c:a", "libvorbis" if container == "webm" else "aac"]
                       if audio else [])
        subprocess.run(
            [ffmpeg_binary(), "-hide_banner", "-loglevel", "error", "-y", "-f", "lavfi",
             "-i", f"testsrc=duration={seconds}:size={size}:rate={rate}", *sound,
             *encoder, *audio_codec, "-shortest", str(out)],
            check=True, stdin=subprocess.DEVNULL,
        )
    return out.read_bytes()
