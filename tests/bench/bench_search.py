"""Search benchmark (issue 14): ``GET /api/v1/search`` beside a keyword-less list and a bare
Litestar endpoint, measured in the same run.

Reuses ``bench_http``'s harness: the data is ``lianyan demo --scale`` (city on SQLite, province
on PostgreSQL: 50,000 designs, each with a generated Word text of a lesson plan's sentences,
indexed by the generator), one ``lianyan serve`` worker and ``bare_app.py``. For each target,
one client sends requests one after another for ``--seconds`` (p50 / p95 / p99 of those), then
``wrk`` drives it with 8 connections right after the bare app (requests per second as a ratio
to the bare app's). The PostgreSQL database is ``lianyan_bench_search_<scale>``, so the HTTP
benchmark's own databases are never dropped by this one.

Run: ``.venv/bin/python tests/bench/bench_search.py [--seconds 5] [--only sqlite-city]
[--fresh] [--database NAME]`` (``--database``: another PostgreSQL database, loaded already or
not, so that two worktrees never share one). Nothing here asserts timings.
"""

from __future__ import annotations

import argparse
import http.client
import statistics
import sys
import time
import urllib.parse
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import bench_http as h

QUERIES = [
    ("city", "沉与浮", {}),
    ("city", "自然教育", {}),
    ("city", "磁铁", {"type": "design"}),
    ("city", "王", {}),
    ("teacher1", "自然教育", {}),
    ("county1", "游戏", {}),
    ("county1", "种子发芽", {"type": "design", "domain": "science"}),
]


_HTTP_ENVIRONMENT = h.environment
#: ``--database``: the PostgreSQL database's name, when not the default.
DATABASE: dict[str, str] = {}


def environment(config: h.Config) -> dict[str, str]:
    """``bench_http``'s variables, with this benchmark's own data folder and database."""
    env = _HTTP_ENVIRONMENT(config)
    data_dir = h.VAR / f"search-{config.name}"
    env["LIANYAN_DATA_DIR"] = str(data_dir)
    if config.engine == "postgres":
        env["LIANYAN_DATABASE_URL"] = env["LIANYAN_DATABASE_URL"].rsplit("/", 1)[0] + (
            "/" + DATABASE.get("name", f"lianyan_bench_search_{config.scale}"))
    else:
        env["LIANYAN_DATABASE_URL"] = f"sqlite:///{data_dir / 'lianyan.db'}"
    return env


def sequential(base: str, path: str, token: str | None, seconds: float) -> dict[str, float]:
    """One keep-alive client, one request after another: latency percentiles in ms."""
    parts = urllib.parse.urlsplit(base)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=60)
    headers = {"authorization": f"Bearer {token}"} if token else {}
    took: list[float] = []
    end = time.perf_counter() + seconds
    while time.perf_counter() < end or len(took) < 20:
        started = time.perf_counter()
        connection.request("GET", path, headers=headers)
        response = connection.getresponse()
        response.read()
        took.append((time.perf_counter() - started) * 1000)
        assert response.status == 200, (path, response.status)
    connection.close()
    cuts = statistics.quantiles(took, n=100)
    return {"n": len(took), "p50": cuts[49], "p95": cuts[94], "p99": cuts[98]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=int, default=5)
    parser.add_argument("--only", help="sqlite-city or postgres-province")
    parser.add_argument("--fresh", action="store_true")
    parser.add_argument("--database", help="PostgreSQL database name")
    args = parser.parse_args()
    if args.database:
        DATABASE["name"] = args.database
    h.environment = environment  # prepare() loads into this benchmark's own database
    wanted = [h.Config("sqlite", "city", (8,), 1, False)]
    if h._postgres_base():
        wanted.append(h.Config("postgres", "province", (8,), 1, False))
    for config in wanted:
        if args.only and config.name != args.only:
            continue
        measure(config, args.seconds, args.fresh)


def measure(config: h.Config, seconds: int, fresh: bool) -> None:
    """Every target of one configuration; prints the table."""
    h.say(f"\n== search {config.name} (load {h.load_average()})")
    env = h.prepare(config, fresh=fresh)
    app_port, bare_port = h._free_port(), h._free_port()
    app_cmd = [str(h.BIN / "lianyan"), "serve", "--port", str(app_port)]
    bare_cmd = [str(h.BIN / "python"), "-m", "uvicorn", "tests.bench.bare_app:app",
                "--port", str(bare_port)]
    with h.serving(app_cmd, env, app_port) as base, h.serving(bare_cmd, env, bare_port) as bare:
        tokens = {u: h.login(base, u) for u in ("city", "teacher1", "county1")}
        county = h.call(base + "/api/v1/counties", token=tokens["city"])["items"][0]["id"]
        targets = [("bare Litestar", bare, "/", None),
                   ("list (no keyword)", base, f"/api/v1/kindergartens?county_id={county}",
                    tokens["city"])]
        for user, q, extra in QUERIES:
            query = urllib.parse.urlencode({"q": q, **extra})
            found = h.call(base + f"/api/v1/search?{query}", token=tokens[user])
            label = f"search {q} {','.join(extra.values())} ({user}: {found['total']})"
            targets.append((label, base, f"/api/v1/search?{query}", tokens[user]))
        h.say(f"  {'target':<44}{'p50 ms':>8}{'p95 ms':>8}{'p99 ms':>8}{'n':>6}"
              f"{'c=8 rps':>9}{'ratio':>7}")
        baseline = None
        for label, server, path, token in targets:
            one = sequential(server, path, token, seconds)
            bare_run = h.wrk(bare + "/", 8, seconds)
            run = h.wrk(server + path, 8, seconds, token=token)
            baseline = bare_run.rps
            h.say(f"  {label:<44}{one['p50']:>8.1f}{one['p95']:>8.1f}{one['p99']:>8.1f}"
                  f"{one['n']:>6}{run.rps:>9.0f}{run.rps / baseline:>7.3f}")


if __name__ == "__main__":
    main()
