"""Reading untrusted Office files (.docx/.pptx/.xlsx) within bounds.

An Office file is a ZIP of XML parts, and both layers can be hostile: a small ZIP can inflate
to gigabytes (a “zip bomb”), and XML can declare entities that expand without end. So:

* :func:`check_archive` reads only the ZIP's central directory and refuses, before anything is
  inflated, too many entries, an entry or a total too large once inflated, or an entry that
  inflates more than ``ratio`` times (bounds in ``OfficeBounds``, from the settings);
* :func:`refuse_doctype` refuses any XML part with a DOCTYPE (Word, WPS and Excel never write
  one; it is the only way to declare entities), and python-docx parses with
  ``resolve_entities=False`` and no network anyway;
* :func:`run_bounded` runs the parse itself in a child process (``python -m
  lianyan.files.office``, about 0.3 s to start) with a memory cap and a time limit. The child is killed when the time is up or the request is cancelled, so a
  crafted file costs at most ``parse_seconds`` of one core and never the app's memory, and
  shutdown never waits for it.

Every refusal is ``file.unreadable`` (400) with a Chinese message.
"""

from __future__ import annotations

import subprocess
import sys
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from typing import IO, Any

import anyio
import msgspec

from lianyan.errors import Conflict, InvalidInput, LianyanError, NotFound, TooLarge

MiB = 1024 * 1024

UNREADABLE = "无法读取该文件的内容，请用 Word、WPS 或 Excel 重新保存后再上传。"
BOMB = (
    "文件解压后的内容异常庞大（疑似“压缩炸弹”），无法读取。"
    "请用 Word、WPS 或 Excel 重新保存后再上传。"
)
#: Entries smaller than this are not held to the ratio: tiny XML parts compress very well.
RATIO_FROM_BYTES = 1 * MiB


@dataclass(frozen=True, slots=True)
class OfficeBounds:
    """How far an Office file may inflate, and how long and how much memory parsing may take."""

    entries: int = 5_000
    entry_bytes: int = 128 * MiB
    total_bytes: int = 512 * MiB
    ratio: int = 200
    parse_seconds: float = 20.0
    parse_memory_bytes: int = 1536 * MiB

    @classmethod
    def from_settings(cls, uploads: object) -> OfficeBounds:
        """The bounds in ``settings.uploads`` (``office_*`` fields); defaults for the rest."""
        names = {
            "entries": "office_entries", "entry_bytes": "office_entry_bytes",
            "total_bytes": "office_total_bytes", "ratio": "office_ratio",
            "parse_seconds": "office_parse_seconds",
        }  # fmt: skip
        return cls(**{k: getattr(uploads, v) for k, v in names.items() if hasattr(uploads, v)})


DEFAULT_BOUNDS = OfficeBounds()


def unreadable(problem: str, *, bomb: bool = False) -> InvalidInput:
    """The ``file.unreadable`` refusal, with what was wrong for the logs and the client."""
    return InvalidInput("file.unreadable", BOMB if bomb else UNREADABLE, problem=problem)


def bounds_problem(infos: list[zipfile.ZipInfo], bounds: OfficeBounds) -> str | None:
    """Why the central directory ``infos`` is out of bounds, or None when it is within them."""
    if len(infos) > bounds.entries:
        return f"{len(infos)} entries (at most {bounds.entries})"
    total = 0
    for info in infos:
        size, packed = info.file_size, info.compress_size
        if size > bounds.entry_bytes:
            return f"{info.filename} inflates to {size} bytes (at most {bounds.entry_bytes})"
        if size > RATIO_FROM_BYTES and size > bounds.ratio * max(packed, 1):
            return f"{info.filename} inflates {size / max(packed, 1):.0f} times"
        total += size
    if total > bounds.total_bytes:
        return f"entries inflate to {total} bytes (at most {bounds.total_bytes})"
    return None


def check_archive(fileobj: IO[bytes], bounds: OfficeBounds = DEFAULT_BOUNDS) -> None:
    """Refuse (``file.unreadable``) a ZIP that is broken or would inflate beyond ``bounds``.

    Reads the central directory only; nothing is decompressed. ``fileobj`` is rewound.
    """
    fileobj.seek(0)
    try:
        with zipfile.ZipFile(fileobj) as archive:
            problem = bounds_problem(archive.infolist(), bounds)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError, EOFError) as exc:
        raise unreadable(f"{type(exc).__name__}: {exc}") from None
    finally:
        fileobj.seek(0)
    if problem is not None:
        raise unreadable(problem, bomb=True)


def refuse_doctype(archive: zipfile.ZipFile) -> None:
    """Refuse an archive with a DOCTYPE in any XML part (entities can only be declared there).

    Runs in the parse child, after :func:`check_archive`, so each part is bounded in size.
    """
    for info in archive.infolist():
        if not info.filename.lower().endswith((".xml", ".rels", ".vml")):
            continue
        with archive.open(info) as member:
            head = member.read(2)
            data = head + member.read()
        text = data.decode("utf-16", "replace") if head in (b"\xff\xfe", b"\xfe\xff") else data
        needle: Any = "<!DOCTYPE" if isinstance(text, str) else b"<!DOCTYPE"
        if needle in text or needle.lower() in text:
            raise unreadable(f"{info.filename} has a DOCTYPE")


# --------------------------------------------------------------------------- the child process


def _child_main() -> None:
    """In the child (``python -m lianyan.files.office``): cap memory, run, answer as JSON.

    Reads a pickle of ``(fn, data, memory_bytes)`` from the parent on stdin (trusted: our own
    parent wrote it) and writes ``["ok", result]``, ``["refused", class name, code, detail,
    extra]`` or ``["error", text]`` as JSON, so the parent never unpickles what a parser that
    read a hostile file produced.
    """
    import pickle
    import resource
    import sys

    fn, data, memory_bytes = pickle.loads(sys.stdin.buffer.read())
    resource.setrlimit(resource.RLIMIT_AS, (memory_bytes, memory_bytes))
    answer: list[Any]
    try:
        answer = ["ok", fn(data)]
    except LianyanError as exc:
        answer = ["refused", type(exc).__name__, exc.code, exc.detail, exc.extra]
    except MemoryError:
        answer = ["error", "MemoryError: over the parse memory cap"]
    except BaseException as exc:  # anything a hostile file provokes is "unreadable"
        answer = ["error", f"{type(exc).__name__}: {exc}"[:500]]
    sys.stdout.buffer.write(msgspec.json.encode(answer))


async def run_bounded(
    fn: Callable[[bytes], Any], data: bytes, bounds: OfficeBounds = DEFAULT_BOUNDS
) -> Any:
    """``fn(data)`` in a child process with the memory cap and time limit of ``bounds``.

    ``fn`` must be picklable (a module-level function or a ``functools.partial`` of one) and
    return JSON-able data (tuples come back as lists). A ``LianyanError`` it raises is raised
    here again; any other failure, running out of memory or time is ``file.unreadable``. The
    child is killed when the time is up or the caller is cancelled (shutdown never waits).
    """
    import pickle

    payload = pickle.dumps((fn, data, bounds.parse_memory_bytes))
    process = await anyio.open_process(
        [sys.executable, "-m", "lianyan.files.office"],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        with anyio.move_on_after(bounds.parse_seconds) as timer:
            assert process.stdin is not None and process.stdout is not None
            await process.stdin.send(payload)
            await process.stdin.aclose()
            out = bytearray()
            async for chunk in process.stdout:
                out += chunk
            await process.wait()
    finally:
        if process.returncode is None:
            process.kill()
            with anyio.CancelScope(shield=True):
                await process.wait()
    if timer.cancelled_caught:
        raise unreadable(f"parsing took longer than {bounds.parse_seconds} s")
    try:
        answer = msgspec.json.decode(bytes(out))
    except msgspec.DecodeError:
        raise unreadable(f"the parser died (exit status {process.returncode})") from None
    if answer[0] == "ok":
        return answer[1]
    if answer[0] == "refused":
        _, kind, code, detail, extra = answer
        raise _ERRORS.get(kind, InvalidInput)(code, detail, **extra)
    raise unreadable(answer[1])


_ERRORS: dict[str, type[LianyanError]] = {
    cls.__name__: cls for cls in (InvalidInput, TooLarge, Conflict, NotFound)
}


if __name__ == "__main__":
    _child_main()
