"""Statistics benchmark (issue 14): the 统计 API and page at city and province scale, in-process,
as a ratio to a keyword-less list (``kindergartens?county_id=``, 50 rows) timed in the same run.

For each configuration (SQLite at city scale, PostgreSQL at province scale: 100 counties,
20,150 kindergartens, 5,000 exchanges, 50,000 designs, 500,000 comments) the data is loaded
once with ``lianyan demo --scale`` under ``var/bench/statistics-*`` (PostgreSQL: database
``lianyan_bench_statistics_<scale>``), then a subprocess builds the app and sends requests
through httpx's ASGI transport (no network, no server): after two warm-up requests, ``--n``
requests of each endpoint in turn, p50 / p95 in ms, the ratio of p50 to the baseline's, and
the number of SQL statements of one request. Repeated requests reuse the figures while nothing
is committed (``db.reused``), so the figures' grouped queries are also timed on their own
("figures computed": what the first request after a commit pays). Nothing here asserts timings.

Run: ``.venv/bin/python tests/bench/bench_statistics.py [--n 20] [--only sqlite-city]
[--fresh]``; PostgreSQL needs ``LIANYAN_BENCH_POSTGRES_URL`` (or ``LIANYAN_TEST_POSTGRES_URL``).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
BIN = ROOT / ".venv" / "bin"
VAR = ROOT / "var" / "bench"
PASSWORD = "lianyan2026"
CONFIGS = {"sqlite-city": ("sqlite", "city"), "postgres-province": ("postgres", "province")}


def say(line: str = "") -> None:
    """Print at once."""
    print(line, flush=True)


def _postgres_base() -> str | None:
    return os.environ.get("LIANYAN_BENCH_POSTGRES_URL") or os.environ.get(
        "LIANYAN_TEST_POSTGRES_URL")


def environment(name: str) -> dict[str, str]:
    """The variables of ``lianyan`` for a configuration."""
    engine, scale = CONFIGS[name]
    data_dir = VAR / f"statistics-{name}"
    env = {**os.environ, "LIANYAN_DATA_DIR": str(data_dir), "PICCOLO_CONF": "lianyan.piccolo_conf",
           "LIANYAN_SECRET_KEY": "bench-statistics-0123456789abcdef"}
    env.pop("LIANYAN_S3_ENDPOINT", None)
    if engine == "postgres":
        base = _postgres_base()
        assert base, "PostgreSQL needs LIANYAN_BENCH_POSTGRES_URL"
        env["LIANYAN_DATABASE_URL"] = base.rsplit("/", 1)[0] + f"/lianyan_bench_statistics_{scale}"
    else:
        env["LIANYAN_DATABASE_URL"] = f"sqlite:///{data_dir / 'lianyan.db'}"
    return env


def _recreate_postgres(url: str) -> None:
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


def prepare(name: str, *, fresh: bool) -> dict[str, str]:
    """Migrate and load the configuration's data unless an earlier run did."""
    env = environment(name)
    data_dir = Path(env["LIANYAN_DATA_DIR"])
    marker = data_dir / "loaded"
    if marker.exists() and not fresh:
        subprocess.run([BIN / "lianyan", "migrate"], env=env, check=True, capture_output=True)
        return env
    shutil.rmtree(data_dir, ignore_errors=True)
    data_dir.mkdir(parents=True)
    if CONFIGS[name][0] == "postgres":
        _recreate_postgres(env["LIANYAN_DATABASE_URL"])
    started = time.perf_counter()
    subprocess.run([BIN / "lianyan", "migrate"], env=env, check=True, capture_output=True)
    subprocess.run([BIN / "lianyan", "demo", "--scale", CONFIGS[name][1]], env=env, check=True,
                   capture_output=True)
    say(f"  loaded {name} in {time.perf_counter() - started:.0f} s")
    marker.write_text("ok\n")
    return env


async def measure(n: int) -> dict[str, Any]:
    """Time the endpoints in this process (the environment names the database)."""
    import httpx

    from lianyan import db
    from lianyan.settings import Settings
    from lianyan.web.app import create_app

    app = create_app(Settings.from_env())
    await db.start()
    transport = httpx.ASGITransport(app=app, client=("127.0.0.1", 50000))  # type: ignore[arg-type]
    results: dict[str, Any] = {}
    async with httpx.AsyncClient(transport=transport, base_url="http://bench.local",
                                 timeout=600) as client:
        tokens = {}
        for user in ("city", "county1"):
            client.cookies.clear()
            answer = await client.post("/api/v1/auth/login",
                                       json={"username": user, "password": PASSWORD})
            assert answer.status_code == 200, answer.text
            tokens[user] = {"Authorization": f"Bearer {answer.json()['token']}"}
        # the page is read with the city's session cookie, set by the last login above
        client.cookies.clear()
        await client.post("/api/v1/auth/login", json={"username": "city", "password": PASSWORD})
        counties = (await client.get("/api/v1/counties", headers=tokens["city"])).json()
        county = counties["items"][0]["id"] if isinstance(counties, dict) else counties[0]["id"]
        targets = [
            ("kindergartens?county_id= (baseline)",
             f"/api/v1/kindergartens?county_id={county}&limit=50", "city"),
            ("statistics (city)", "/api/v1/statistics", "city"),
            ("statistics (county officer)", "/api/v1/statistics", "county1"),
            ("/statistics page (city)", "/statistics", None),
            ("chart counties.svg (city)", "/api/v1/statistics/charts/counties/svg", "city"),
        ]
        for label, path, user in targets:
            headers = tokens[user] if user else {}
            for _ in range(2):
                answer = await client.get(path, headers=headers)
                assert answer.status_code == 200, (path, answer.status_code, answer.text[:300])
            with db.count_queries() as counted:
                await client.get(path, headers=headers)
            times = []
            for _ in range(n):
                started = time.perf_counter()
                await client.get(path, headers=headers)
                times.append((time.perf_counter() - started) * 1000)
            times.sort()
            results[label] = {"p50": statistics.median(times),
                              "p95": times[min(len(times) - 1, int(len(times) * 0.95))],
                              "queries": counted[0]}
        # The figures computed afresh (what a request pays after a commit): the grouped queries.
        from lianyan import clock
        from lianyan.statistics import queries

        for label, county_ids in (("figures computed (city)", None),
                                  ("figures computed (one county)", [county])):
            with db.count_queries() as counted:
                await queries._figures(clock.today().year, county_ids=county_ids, zone_ids=None,
                                       now=clock.now())
            times = []
            for _ in range(n):
                started = time.perf_counter()
                await queries._figures(clock.today().year, county_ids=county_ids, zone_ids=None,
                                       now=clock.now())
                times.append((time.perf_counter() - started) * 1000)
            times.sort()
            results[label] = {"p50": statistics.median(times),
                              "p95": times[min(len(times) - 1, int(len(times) * 0.95))],
                              "queries": counted[0]}
    await db.stop()
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--n", type=int, default=20)
    parser.add_argument("--only", action="append", help="sqlite-city or postgres-province")
    parser.add_argument("--fresh", action="store_true", help="reload the data")
    parser.add_argument("--measure", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure:
        print(json.dumps(asyncio.run(measure(args.n))))
        return
    for name in args.only or list(CONFIGS):
        if CONFIGS[name][0] == "postgres" and not _postgres_base():
            say(f"{name}: skipped (no LIANYAN_BENCH_POSTGRES_URL)")
            continue
        env = prepare(name, fresh=args.fresh)
        load = " ".join(f"{x:.1f}" for x in os.getloadavg())
        done = subprocess.run([sys.executable, __file__, "--measure", "--n", str(args.n)],
                              env=env, check=True, capture_output=True, text=True)
        results = json.loads(done.stdout.strip().splitlines()[-1])
        base = next(iter(results.values()))["p50"]
        say(f"\n{name} (load average {load}, n={args.n})\n")
        say("| endpoint | p50 ms | p95 ms | p50 / baseline | SQL statements |")
        say("| --- | --- | --- | --- | --- |")
        for label, r in results.items():
            say(f"| {label} | {r['p50']:.1f} | {r['p95']:.1f} | {r['p50'] / base:.1f} | "
                f"{r['queries']} |")


if __name__ == "__main__":
    main()
