"""HTTP benchmark (issue 15): the app under ``wrk``, as a ratio to a bare Litestar endpoint.

For each configuration (engine × data size) the bench loads the data once (``lianyan demo`` or
``lianyan demo --scale``, kept under ``var/bench/`` and reused), starts ``lianyan serve`` (one
uvicorn worker) and ``tests/bench/bare_app.py`` (one uvicorn worker, 1 kB of JSON), then, for
each of three repeats, prints the load average and drives every endpoint with ``wrk`` (one
thread) at 1, 8 and 32 connections, right after the bare app at the same concurrency. The
figure that counts is the ratio of requests per second to the bare app's in the same repeat;
the table shows the median ratio and the median p50 / p99 latency of the repeats. Then 32
clients post comments for the same time: p99, the slowest write, and whether every answered
write is in the database.

Configurations: SQLite at city scale and PostgreSQL at province scale (the issue's table), and,
at 8 connections only, SQLite demo and PostgreSQL demo and city (how the cost grows).
PostgreSQL runs need ``LIANYAN_BENCH_POSTGRES_URL`` (or ``LIANYAN_TEST_POSTGRES_URL``), a
server URL whose user may create databases; without it only SQLite runs.

``--profile ENDPOINT`` instead profiles one request of an endpoint in-process (cProfile, the
20 functions with the most cumulative time) on the configuration given by ``--only``.

Run: ``.venv/bin/python tests/bench/bench_http.py [--seconds 3] [--repeats 3]
[--only sqlite-city] [--fresh] [--profile compliance]``. Nothing here asserts timings.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any, NamedTuple

ROOT = Path(__file__).resolve().parents[2]
BIN = ROOT / ".venv" / "bin"
VAR = ROOT / "var" / "bench"
PASSWORD = "lianyan2026"
SECRET = "bench-http-0123456789abcdef"


class Config(NamedTuple):
    """One engine with one data size, and how thoroughly to measure it."""

    engine: str
    scale: str
    concurrency: tuple[int, ...]
    repeats: int
    writes: bool

    @property
    def name(self) -> str:
        """``sqlite-city`` and the like."""
        return f"{self.engine}-{self.scale}"


def configs(repeats: int) -> list[Config]:
    """The issue's two configurations in full, then the growth runs at 8 connections."""
    return [
        Config("sqlite", "city", (1, 8, 32), repeats, True),
        Config("postgres", "province", (1, 8, 32), repeats, True),
        Config("sqlite", "demo", (8,), 1, False),
        Config("postgres", "demo", (8,), 1, False),
        Config("postgres", "city", (8,), 1, False),
    ]


def say(line: str = "") -> None:
    """Print at once."""
    print(line, flush=True)


def load_average() -> str:
    """The 1/5/15-minute load averages."""
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def _postgres_base() -> str | None:
    return os.environ.get("LIANYAN_BENCH_POSTGRES_URL") or os.environ.get(
        "LIANYAN_TEST_POSTGRES_URL")


def environment(config: Config) -> dict[str, str]:
    """The variables of ``lianyan`` for a configuration."""
    data_dir = VAR / config.name
    env = {**os.environ, "LIANYAN_DATA_DIR": str(data_dir), "LIANYAN_SECRET_KEY": SECRET,
           "PICCOLO_CONF": "lianyan.piccolo_conf"}
    env.pop("LIANYAN_S3_ENDPOINT", None)
    if config.engine == "postgres":
        base = _postgres_base()
        assert base is not None
        env["LIANYAN_DATABASE_URL"] = base.rsplit("/", 1)[0] + f"/lianyan_bench_{config.scale}"
    else:
        env["LIANYAN_DATABASE_URL"] = f"sqlite:///{data_dir / 'lianyan.db'}"
    return env


def prepare(config: Config, *, fresh: bool) -> dict[str, str]:
    """Migrate and load the configuration's data unless an earlier run did."""
    env = environment(config)
    data_dir = Path(env["LIANYAN_DATA_DIR"])
    marker = data_dir / "loaded"
    if marker.exists() and not fresh:
        # Kept data, today's schema.
        subprocess.run([BIN / "lianyan", "migrate"], env=env, check=True, capture_output=True)
        return env
    shutil.rmtree(data_dir, ignore_errors=True)
    data_dir.mkdir(parents=True)
    if config.engine == "postgres":
        _recreate_postgres(env["LIANYAN_DATABASE_URL"])
    started = time.perf_counter()
    subprocess.run([BIN / "lianyan", "migrate"], env=env, check=True, capture_output=True)
    demo = [BIN / "lianyan", "demo"] + ([] if config.scale == "demo" else ["--scale", config.scale])
    done = subprocess.run(demo, env=env, check=True, capture_output=True, text=True)
    say(f"  loaded {config.name} in {time.perf_counter() - started:.0f} s "
        f"(load {load_average()}): {done.stdout.splitlines()[0][:160]}")
    marker.write_text("ok\n")
    return env


def _recreate_postgres(url: str) -> None:
    import asyncio

    import asyncpg

    name = url.rsplit("/", 1)[1]

    async def run() -> None:
        connection = await asyncpg.connect(url.rsplit("/", 1)[0] + "/postgres")
        try:
            await connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            await connection.execute(f'CREATE DATABASE "{name}"')
        finally:
            await connection.close()

    asyncio.run(run())


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


#: The process id of each running server, by base URL (for its CPU time).
PIDS: dict[str, int] = {}


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process and its threads so far (``/proc``)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


@contextlib.contextmanager
def serving(command: list[str], env: dict[str, str], port: int) -> Iterator[str]:
    """Run a server until the block ends; yields its base URL once it answers."""
    with tempfile.TemporaryFile() as log:
        process = subprocess.Popen(command, env=env, cwd=ROOT, stdout=log, stderr=log)
        url = f"http://127.0.0.1:{port}"
        probe = url + ("/health/live" if "lianyan" in command[0] else "/")
        try:
            for _ in range(600):
                if process.poll() is not None:
                    log.seek(0)
                    raise RuntimeError(f"server ended: {log.read().decode()[-2000:]}")
                with contextlib.suppress(OSError):
                    urllib.request.urlopen(probe, timeout=2)
                    break
                time.sleep(0.2)
            PIDS[url] = process.pid
            yield url
        finally:
            PIDS.pop(url, None)
            process.terminate()
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()


def call(url: str, *, token: str | None = None, body: Any = None) -> Any:
    """One JSON request; returns the decoded answer."""
    request = urllib.request.Request(url, method="POST" if body is not None else "GET")
    request.add_header("content-type", "application/json")
    if token:
        request.add_header("authorization", f"Bearer {token}")
    data = json.dumps(body).encode() if body is not None else None
    with urllib.request.urlopen(request, data=data, timeout=120) as response:
        return json.loads(response.read())


def login(base: str, username: str) -> str:
    """A bearer token of a login."""
    return str(call(base + "/api/v1/auth/login",
                    body={"username": username, "password": PASSWORD})["token"])


class Target(NamedTuple):
    """One endpoint to drive."""

    name: str
    path: str
    token: str


def targets(base: str, scale: str) -> tuple[list[Target], list[str], str]:
    """The endpoints of the issue's table and the heavy pages; the design paths to post
    comments to, and the expert's token."""
    city = login(base, "city")
    expert = login(base, "expert1")
    county = call(base + "/api/v1/counties", token=city)["items"][0]["id"]
    year = time.gmtime().tm_year
    exchanges = call(base + "/api/v1/exchanges?limit=200", token=expert)["items"]
    now = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime())
    exchange, designs = None, []
    for item in exchanges:
        found = call(base + f"/api/v1/exchanges/{item['id']}/designs", token=expert)
        rows = found["items"] if isinstance(found, dict) else found
        if rows:
            exchange, designs = item, rows
            if item["comment_deadline"] > now and scale != "demo":
                break
    assert exchange is not None, "no exchange with designs"
    design = designs[0]["id"]
    listed = [
        Target("health/live (token)", "/health/live", city),
        Target("kindergartens?county_id=", f"/api/v1/kindergartens?county_id={county}", city),
        Target("people?q=", "/api/v1/people?q=%E7%8E%8B%E8%8A%B3", city),
        Target("topics", "/api/v1/topics", city),
        Target("exchange's designs", f"/api/v1/exchanges/{exchange['id']}/designs", expert),
        Target("design's comments", f"/api/v1/designs/{design}/comments", expert),
        Target("compliance?year=", f"/api/v1/compliance?year={year}", city),
        Target("dashboard / (city)", "/", city),
        Target("exchange page", f"/exchanges/{exchange['id']}", city),
        Target("design page", f"/designs/{design}", expert),
        Target("reports page", "/reports", city),
        Target("statistics?year=", f"/api/v1/statistics?year={year}", city),
        Target("statistics page", "/statistics", city),
    ]
    # The writers post to the other designs, so that the read above measures the same list
    # in every run of a kept database.
    written = designs[1:] or designs
    return listed, [f"/api/v1/designs/{d['id']}/comments" for d in written], expert


class Run(NamedTuple):
    """What one ``wrk`` run measured."""

    rps: float
    p50: float
    p99: float
    slowest: float
    answered: int
    failed: int
    cpu_ms: float = float("nan")
    """The server's CPU time per answered request (its own process; not PostgreSQL's)."""


_UNIT = {"us": 1e-3, "ms": 1.0, "s": 1000.0, "m": 60000.0}


def _ms(text: str) -> float:
    found = re.fullmatch(r"([\d.]+)([a-z]+)", text)
    if found is None:  # no request finished in the run
        return float("nan")
    return float(found.group(1)) * _UNIT[found.group(2)]


def wrk(url: str, connections: int, seconds: int, *, token: str | None = None,
        script: str | None = None) -> Run:
    """Drive ``url`` with one wrk thread and ``connections`` connections."""
    command = ["wrk", "-t1", f"-c{connections}", f"-d{seconds}s", "--latency", "--timeout", "30s"]
    if token:
        command += ["-H", f"Authorization: Bearer {token}"]
    if script:
        command += ["-s", script]
    pid = next((p for base, p in PIDS.items() if url.startswith(base)), None)
    cpu_before = cpu_seconds(pid) if pid is not None else 0.0
    out = subprocess.run([*command, url], check=True, capture_output=True, text=True).stdout
    latency = re.search(r"Latency\s+(\S+)\s+(\S+)\s+(\S+)", out)
    p50 = re.search(r"50%\s+(\S+)", out)
    p99 = re.search(r"99%\s+(\S+)", out)
    total = re.search(r"(\d+) requests in", out)
    rps = re.search(r"Requests/sec:\s+([\d.]+)", out)
    bad = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    errors = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    failed = int(bad.group(1)) if bad else 0
    if errors:
        failed += sum(int(g) for g in errors.groups())
    assert latency and p50 and p99 and total and rps, out
    answered = int(total.group(1))
    cpu_ms = float("nan")
    if pid is not None and answered:
        cpu_ms = (cpu_seconds(pid) - cpu_before) * 1000 / answered
    return Run(float(rps.group(1)), _ms(p50.group(1)), _ms(p99.group(1)),
               _ms(latency.group(3)), answered, failed, cpu_ms)


def measure(config: Config, seconds: int, fresh: bool) -> dict[str, Any]:
    """Every endpoint of a configuration; prints the table and returns the figures."""
    say(f"\n== {config.name} (load {load_average()})")
    env = prepare(config, fresh=fresh)
    app_port, bare_port = _free_port(), _free_port()
    app_cmd = [str(BIN / "lianyan"), "serve", "--port", str(app_port)]
    bare_cmd = [str(BIN / "python"), "-m", "uvicorn", "tests.bench.bare_app:app",
                "--port", str(bare_port)]
    figures: dict[str, Any] = {}
    with serving(app_cmd, env, app_port) as base, serving(bare_cmd, env, bare_port) as bare:
        listed, comment_paths, expert = targets(base, config.scale)
        for t in listed:  # warm every path once (templates, statement caches)
            urllib.request.urlopen(urllib.request.Request(
                base + t.path, headers={"authorization": f"Bearer {t.token}"}), timeout=120)
        runs: dict[tuple[str, int], list[tuple[float, Run]]] = {}
        for repeat in range(config.repeats):
            say(f"  repeat {repeat + 1}: load average {load_average()}")
            for c in config.concurrency:
                baseline = wrk(bare + "/", c, seconds)
                runs.setdefault(("bare", c), []).append((1.0, baseline))
                for t in listed:
                    run = wrk(base + t.path, c, seconds, token=t.token)
                    runs.setdefault((t.name, c), []).append((run.rps / baseline.rps, run))
        say(f"  {'endpoint':<26}" + "".join(
            f"{f'c={c} ratio':>12}{'p50 ms':>9}{'p99 ms':>9}" for c in config.concurrency)
            + f"{'failed':>8}{'CPU ms/req':>11}{'CPU ratio':>10}")
        bare_cpu = statistics.median(run.cpu_ms for key, measured in runs.items()
                                     if key[0] == "bare" for _, run in measured)
        for name in ["bare", *(t.name for t in listed)]:
            line = f"  {name:<26}"
            failed = 0
            for c in config.concurrency:
                measured = runs[(name, c)]
                ratio = statistics.median(r for r, _ in measured)
                p50 = statistics.median(run.p50 for _, run in measured)
                p99 = statistics.median(run.p99 for _, run in measured)
                failed += sum(run.failed for _, run in measured)
                line += f"{ratio:>12.3f}{p50:>9.1f}{p99:>9.1f}"
                figures[f"{name} c={c}"] = {"ratio": ratio, "p50": p50, "p99": p99,
                                            "rps": statistics.median(r.rps for _, r in measured)}
            cpu = statistics.median(run.cpu_ms for c in config.concurrency
                                    for _, run in runs[(name, c)])
            figures[f"{name} cpu"] = {"ms": cpu, "ratio": bare_cpu / cpu}
            say(line + f"{failed:>8}{cpu:>11.2f}{bare_cpu / cpu:>10.3f}")
        if config.writes:
            figures["writes"] = writes(base, comment_paths, expert, seconds * 3)
    return figures


def writes(base: str, paths: list[str], token: str, seconds: int) -> dict[str, Any]:
    """32 clients post comments round-robin over one exchange's designs."""
    def total() -> int:
        return sum(int(call(base + p + "?limit=1", token=token)["total"]) for p in paths)

    before = total()
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write(
            'wrk.method = "POST"\n'
            'wrk.headers["Content-Type"] = "application/json"\n'
            'wrk.body = \'{"body": "压测点评：目标清楚，过程可以再给幼儿多一些操作的时间。"}\'\n'
            f"local paths = {{{', '.join(json.dumps(p) for p in paths)}}}\n"
            "local i = 0\n"
            "request = function()\n"
            "  i = i % #paths + 1\n"
            "  return wrk.format(nil, paths[i])\n"
            "end\n"
        )
    try:
        run = wrk(base + paths[0], 32, seconds, token=token, script=script.name)
    finally:
        os.unlink(script.name)
    time.sleep(1)
    added = total() - before
    ok = run.answered - run.failed
    say(f"  32 writers, {seconds} s: {run.rps:.1f} writes/s, p50 {run.p50:.0f} ms, "
        f"p99 {run.p99:.0f} ms, slowest {run.slowest:.0f} ms, {run.failed} failed, "
        f"{ok} answered 2xx, {added} rows added ({'nothing lost' if added >= ok else 'LOST'})")
    return {"rps": run.rps, "p99": run.p99, "slowest": run.slowest, "failed": run.failed,
            "answered": ok, "added": added}


def profile(config: Config, endpoint: str, fresh: bool) -> None:
    """cProfile of one request of ``endpoint`` (a name fragment), in-process."""
    import asyncio
    import cProfile
    import pstats

    env = prepare(config, fresh=fresh)
    os.environ.update(env)
    sys.path[:0] = [str(ROOT), str(ROOT / "src")]

    async def run() -> None:
        import httpx

        from lianyan import db
        from lianyan.settings import Settings
        from lianyan.web.app import create_app

        app = create_app(Settings.from_env())
        app.state.store = None
        await db.start()
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://bench") as client:
            async def login_as(username: str) -> str:
                answer = await client.post("/api/v1/auth/login",
                                           json={"username": username, "password": PASSWORD})
                assert answer.status_code == 200, answer.text
                client.cookies.clear()  # bearer only: a session cookie would ask for CSRF
                return str(answer.json()["token"])

            tokens = {"city": await login_as("city"), "expert1": await login_as("expert1")}
            county = (await client.get("/api/v1/counties", headers={
                "authorization": f"Bearer {tokens['city']}"})).json()["items"][0]["id"]
            year = time.gmtime().tm_year
            paths = {"compliance": (f"/api/v1/compliance?year={year}", "city"),
                     "dashboard": ("/", "city"), "reports": ("/reports", "city"),
                     "statistics": (f"/api/v1/statistics?year={year}", "city"),
                     "statistics-page": ("/statistics", "city"),
                     "kindergartens": (f"/api/v1/kindergartens?county_id={county}", "city"),
                     "topics": ("/api/v1/topics", "city"),
                     "health": ("/health/live", "city")}
            if endpoint in ("designs", "comments", "exchange", "design"):
                auth = {"authorization": f"Bearer {tokens['expert1']}"}
                listed = (await client.get("/api/v1/exchanges?limit=200", headers=auth)).json()
                for item in listed["items"]:
                    found = (await client.get(f"/api/v1/exchanges/{item['id']}/designs",
                                              headers=auth)).json()
                    rows = found["items"] if isinstance(found, dict) else found
                    if rows:
                        break
                paths["designs"] = (f"/api/v1/exchanges/{item['id']}/designs", "expert1")
                paths["comments"] = (f"/api/v1/designs/{rows[0]['id']}/comments", "expert1")
                paths["exchange"] = (f"/exchanges/{item['id']}", "city")
                paths["design"] = (f"/designs/{rows[0]['id']}", "expert1")
            path, who = paths[endpoint]
            headers = {"authorization": f"Bearer {tokens[who]}"}
            await client.get(path, headers=headers)
            if os.environ.get("BENCH_SQL"):  # the statements of one request
                engine = db.engine()
                original = engine.run_querystring

                async def logged(querystring: Any, in_pool: bool = False) -> Any:
                    say(f"  SQL {str(querystring)[:220]}")
                    return await original(querystring, in_pool)

                engine.run_querystring = logged  # type: ignore[method-assign]
                await client.get(path, headers=headers)
                engine.run_querystring = original  # type: ignore[method-assign]
            cpu = time.process_time()
            for _ in range(50):
                await client.get(path, headers=headers)
            cpu = (time.process_time() - cpu) / 50 * 1000
            profiler = cProfile.Profile()
            started = time.perf_counter()
            profiler.enable()
            for _ in range(20):
                await client.get(path, headers=headers)
            profiler.disable()
            say(f"{endpoint} on {config.name}: {cpu:.2f} ms CPU per request in-process, "
                f"{(time.perf_counter() - started) / 20 * 1000:.1f} ms wall profiled")
            stats = pstats.Stats(profiler).sort_stats(os.environ.get("PSORT", "cumulative"))
            stats.print_stats(int(os.environ.get("PN", "25")))
            if os.environ.get("PCALLERS"):
                stats.print_callers(os.environ["PCALLERS"])
        await db.stop()

    asyncio.run(run())


def main() -> None:
    """Parse the options and run."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seconds", type=int, default=3)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--only", action="append", help="configuration name, e.g. sqlite-city")
    parser.add_argument("--fresh", action="store_true", help="reload the data")
    parser.add_argument("--clients", help="concurrency levels instead of 1,8,32, e.g. 8")
    parser.add_argument("--profile", help="profile one request of an endpoint instead")
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        sys.exit("bench_http: needs wrk (Debian package wrk)")
    chosen = [c for c in configs(args.repeats)
              if (not args.only or c.name in args.only)
              and (c.engine == "sqlite" or _postgres_base())]
    if args.clients:
        levels = tuple(int(c) for c in args.clients.split(","))
        chosen = [c._replace(concurrency=levels) for c in chosen]
    if args.profile:
        profile(chosen[0], args.profile, args.fresh)
        return
    say(f"bench_http: {args.seconds} s per run, load average {load_average()}, "
        f"{os.cpu_count()} CPUs")
    results = {c.name: measure(c, args.seconds, args.fresh) for c in chosen}
    (VAR / "results.json").write_text(json.dumps(results, indent=1, ensure_ascii=False))
    say(f"\nfigures saved to {VAR / 'results.json'} (load average {load_average()})")


if __name__ == "__main__":
    main()
