#!/usr/bin/env python3
"""Turns scripts/bench's results.tsv into Markdown, prints it, and (when asked) puts it
into docs/benchmarks.md between the bench:results markers (appending a load-benchmark
section with the markers when they are missing)."""

import csv
import os
import subprocess
import sys

START = "<!-- bench:results:start -->"
END = "<!-- bench:results:end -->"

results, run_dir, doc, write_doc, connections, threads, duration, query, note = sys.argv[1:10]


def sh(cmd):
    try:
        return subprocess.run(cmd, shell=True, capture_output=True, text=True).stdout.strip()
    except OSError:
        return ""


rows = list(csv.DictReader(open(results), delimiter="\t"))
groups = {}
for r in rows:
    groups.setdefault((r["db"], int(r["discussions"]), int(r["comments"])), {})[r["endpoint"]] = r


def num(v):
    try:
        return float(v)
    except (TypeError, ValueError):
        return float("nan")


model = sh("grep -m1 'model name' /proc/cpuinfo | cut -d: -f2-").strip() or "unknown"
mhz = sh("grep -m1 'cpu MHz' /proc/cpuinfo | cut -d: -f2-").strip()
cache = sh("grep -m1 'cache size' /proc/cpuinfo | cut -d: -f2-").strip()
mem = sh("awk '/MemTotal/ {printf \"%.1f GiB (MemTotal %d kB)\", $2/1048576, $2}' /proc/meminfo")
rustc = sh("rustc --version")
meta = {}
meta_file = os.path.join(run_dir, "meta.txt")
if os.path.exists(meta_file):
    for line in open(meta_file):
        key, _, value = line.strip().partition("=")
        meta[key] = value
code = meta.get("commit") or sh("git rev-parse --short HEAD")
load = sh("cat /proc/loadavg | cut -d' ' -f1-3")
pg = sh("psql -tA postgres://postgres@127.0.0.1:5432/postgres -c 'show server_version' 2>/dev/null")
sqlite = sh("python3 -c 'import sqlite3; print(sqlite3.sqlite_version)'")

out = []
out.append(f"Run `{os.path.basename(run_dir)}` (raw wrk output in `{run_dir}`).")
out.append("")
out.append("| | |")
out.append("|---|---|")
out.append(f"| CPU | {sh('nproc')} cores (`nproc`), `{model}`, {mhz} MHz, {cache} cache |")
out.append(f"| Memory | {mem} |")
out.append(f"| Toolchain | {rustc}, release profile |")
out.append(f"| Code | commit `{code}` |")
out.append(f"| Started | {meta.get('started', '?')}, load average then {meta.get('load_start', '?')} |")
out.append(f"| Databases | SQLite {sqlite} (bundled with sqlx: see Cargo.lock), PostgreSQL {pg or '?'} on 127.0.0.1 |")
out.append(f"| wrk | {connections} connections, {threads} threads, {duration} per run, on loopback, same machine |")
out.append(f"| Load average at the end | {load} |")
out.append(f"| Else running | {note or 'not recorded'} |")
out.append("")

def lat(v):
    return "> 2,000 (all timed out)" if v != v else f"{v:.2f}"


TARGETS = {"page": 0.40, "page_member": 0.20, "zone": 0.40, "zone_member": 0.20, "json": 0.25}
for (db, d, c), g in sorted(groups.items(), key=lambda kv: (kv[0][0] != "sqlite", kv[0][0], -kv[0][1])):
    ceiling = num(g.get("ceiling", {}).get("rps"))
    out.append(f"#### {db}, {d:,} discussions, {c:,} comments")
    out.append("")
    out.append("| endpoint | requests/s | p50 ms | p99 ms | errors | of ceiling | target | load avg after |")
    out.append("|---|---:|---:|---:|---:|---:|---|---:|")
    for name, label in [
        ("ceiling", "ceiling: Fortunes (actix-web + tera + SQLite, 12 rows)"),
        ("page", "discussion page, 100 comments, visitor"),
        ("page_member", "discussion page, 100 comments, signed in"),
        ("zone", "zone listing page, visitor"),
        ("zone_member", "zone listing page, signed in"),
        ("json", "JSON discussion (`/api/v1/discussions/ID`)"),
        ("search", f"search (`/api/v1/search?q={query}`)"),
        ("vote", "vote POSTs, one discussion"),
        ("comment", "comment POSTs, spread over discussions"),
    ]:
        r = g.get(name)
        if not r:
            continue
        rps, p50, p99 = num(r["rps"]), num(r["p50_ms"]), num(r["p99_ms"])
        # wrk leaves requests over its 2 s timeout out of the latencies: with none under
        # it there is no latency to show.
        if p50 == 0 and p99 == 0:
            p50 = p99 = float("nan")
        ratio = rps / ceiling if ceiling == ceiling and ceiling > 0 else float("nan")
        target = ""
        if name in TARGETS:
            ok = ratio >= TARGETS[name]
            target = f"≥ {TARGETS[name]:.0%} {'✅' if ok else '❌'}"
            if name == "page":
                target += f"; p99 < 25 ms {'✅' if p99 < 25 else '❌'}"
            if name == "page_member":
                target += f"; p99 < 50 ms {'✅' if p99 < 50 else '❌'}"
        elif name == "vote" or (name == "comment" and db == "sqlite"):
            target = f"≥ 1,000/s {'✅' if rps >= 1000 else '❌'}"
        out.append(
            f"| {label} | {rps:,.0f} | {lat(p50)} | {lat(p99)} | {r['errors']} of {int(num(r['requests'])):,} "
            f"| {'' if name == 'ceiling' else f'{ratio:.0%}'} | {target} | {r['extra']} |"
        )
    out.append("")
    extra = []
    if "cold_start_ms" in g:
        ms = num(g["cold_start_ms"]["extra"])
        extra.append(f"cold start to the first 200 on `/healthz`: **{ms:.0f} ms** (target < 1,000 {'✅' if ms < 1000 else '❌'})")
    if "peak_rss_mb" in g:
        mb = num(g["peak_rss_mb"]["extra"])
        extra.append(f"server peak RSS (VmHWM) after all runs: **{mb:.1f} MB** (target < 150 {'✅' if mb < 150 else '❌'})")
    if "ceiling_rss" in g:
        extra.append(f"ceiling peak RSS: {num(g['ceiling_rss']['extra']):.1f} MB")
    if "vote_check" in g:
        extra.append(f"votes afterwards: {g['vote_check']['extra']}")
    if "comment_check" in g:
        extra.append(f"comments afterwards: {g['comment_check']['extra']}")
    if "seed_s" in g:
        extra.append(f"seeding (`quorum seed-bench`, including the search index): {g['seed_s']['extra']} s")
    for e in extra:
        out.append(f"- {e}")
    out.append("")

# The factor-of-1.5 target: the page at the largest size against the smallest, per database.
for db in sorted({k[0] for k in groups}, key=lambda x: x != "sqlite"):
    sizes = sorted(k for k in groups if k[0] == db and "page" in groups[k])
    if len(sizes) >= 2:
        small, large = groups[sizes[0]]["page"], groups[sizes[-1]]["page"]
        a, b = num(small["rps"]), num(large["rps"])
        factor = a / b if b else float("nan")
        p = num(large["p99_ms"]) / num(small["p99_ms"]) if num(small["p99_ms"]) else float("nan")
        if num(large["p99_ms"]) == 0:
            p = float("inf")
        out.append(
            f"- {db}: discussion page at {sizes[0][1]:,} discussions {a:,.0f} req/s, at {sizes[-1][1]:,} "
            f"{b:,.0f} req/s: factor **{factor:.2f}** in throughput, {p:.2f} in p99 "
            f"(target: within 1.5 {'✅' if factor <= 1.5 and p <= 1.5 else '❌'})"
        )
out.append("")

text = "\n".join(out)
print(text)
if write_doc == "1":
    body = open(doc).read()
    block = f"{START}\n{text}\n{END}"
    if START in body and END in body:
        head, rest = body.split(START, 1)
        _, tail = rest.split(END, 1)
        body = head + block + tail
    else:
        body = body.rstrip("\n") + "\n\n## Load benchmark (issue #8)\n\n### Results\n\n" + block + "\n"
    open(doc, "w").write(body)
    print(f"(written into {doc})", file=sys.stderr)
