#!/usr/bin/env python3
"""The report of bench/incremental.sh: one Markdown table in the shape of issue 11's
target table (measure | figure | target), then the figures behind it.

Inputs: the build figures bench/incremental.sh writes ("key value..." lines; build runs
as "cold|nothing|one|cold_no_cache WALL_S RSS_KIB") and the JSON
bench/incremental_serve.py writes.
Usage: incremental_report.py FIGURES.txt SERVE.json
Percentiles are nearest-rank (p90 of 20 samples = the 18th smallest)."""
import json, math, statistics, sys
from pathlib import Path

KIND_NAMES = {
    "body": "body-only edit",
    "title": "title change",
    "tag": "tag change",
    "added": "note added",
    "deleted": "note deleted",
}
TARGET_MS = {"body": 30, "title": 150, "tag": 150, "added": 150, "deleted": 150}


def read_figures(path):
    meta, runs = {}, {}
    for line in Path(path).read_text().splitlines():
        key, _, rest = line.partition(" ")
        if key in ("cold", "nothing", "one", "cold_no_cache"):
            wall, rss, *cpu = rest.split()
            runs.setdefault(key, []).append((float(wall), int(rss), sum(map(float, cpu))))
        else:
            meta[key] = rest
    return meta, runs


def pct(values, p):
    xs = sorted(v for v in values if v is not None)
    return xs[max(0, math.ceil(p / 100 * len(xs)) - 1)] if xs else None


def med(values):
    xs = [v for v in values if v is not None]
    return statistics.median(xs) if xs else None


def fmt_ms(v):
    return "–" if v is None else f"{v:,.0f} ms"


def mib(kib):
    return "–" if kib is None else f"{kib / 1024:,.0f} MiB"


def build_summary(runs, key):
    """(median wall s, largest peak RSS KiB, all walls, median CPU s) of one scenario."""
    rows = runs.get(key, [])
    if not rows:
        return None, None, [], None
    walls = [w for w, _, _ in rows]
    cpu = statistics.median(c for _, _, c in rows)
    return statistics.median(walls), max(r for _, r, _ in rows), walls, cpu


def waited(sample):
    """Save → rebuild start: (b) less the rebuild's own time as the server reports it
    (the watcher's debounce and batching; None when the line lacks the figures)."""
    if sample.get("all_ms") is None or sample.get("server_ms") is None:
        return None
    return sample["all_ms"] - sample["server_ms"] - (sample.get("index_ms") or 0)


def ratio(a, b):
    return f"{a / b:.1f}" if a and b else "–"


def percent(a, b):
    return f"{100 * a / b:.0f} %" if a and b else "–"


def missing_note(samples, field):
    bad = sum(1 for s in samples if s.get(field) is None)
    return f" ({bad} of {len(samples)} missing)" if bad else ""


def main():
    meta, runs = read_figures(sys.argv[1])
    serve = json.loads(Path(sys.argv[2]).read_text())
    samples = serve["samples"]
    n = int(meta["n"])
    out = []
    w = out.append

    w(f"### N = {n:,} notes, {meta['date']}")
    w("")
    w(f"{meta['version']} (bench scripts at {meta['commit']}); {meta['machine']}; load average "
      f"(1/5/15 min) {meta['load_start']} at the start, {meta.get('load_end', '?')} at the end.")
    w("")
    w("| measure | figure | target |")
    w("|---|---|---|")
    for kind in samples:
        s = samples[kind]
        alls = [x.get("all_ms") for x in s]
        label = (
            "body-only edit → every affected file on disk (page, backlinks, search shards)"
            if kind == "body" else f"{KIND_NAMES[kind]} → every affected file on disk"
        )
        pages = [x.get("page_ms") for x in s]
        w(f"| {label} | median {fmt_ms(med(alls))}, p90 {fmt_ms(pct(alls, 90))}"
          f"{missing_note(s, 'all_ms')} (the page alone: median {fmt_ms(med(pages))}) "
          f"| ≤ {TARGET_MS[kind]} ms |")
    written = [x.get("written") for x in samples["body"]]
    if any(v is not None for v in written):
        lo, hi = min(v for v in written if v is not None), max(v for v in written if v is not None)
        w(f"| files written for a one-paragraph body edit | median {med(written):,.0f} "
          f"(min {lo:,}, max {hi:,}) | the page + the shards touched |")
    cold, cold_rss, _, cold_cpu = build_summary(runs, "cold")
    nothing, _, _, nothing_cpu = build_summary(runs, "nothing")
    one, _, _, one_cpu = build_summary(runs, "one")
    if cold and nothing:
        w(f"| `cheatgen build` again, nothing changed | {nothing:.2f} s vs cold {cold:.2f} s: "
          f"{cold / nothing:.1f}× faster (CPU: {ratio(cold_cpu, nothing_cpu)}×) "
          f"| ≥ 10× faster than cold |")
    if cold and one:
        w(f"| `cheatgen build` again, one note changed | {one:.2f} s: {100 * one / cold:.0f} % of cold "
          f"(CPU: {percent(one_cpu, cold_cpu)}) | ≤ 10 % of cold |")
    if cold:
        w(f"| cold build peak RSS | {mib(cold_rss)} (cold wall {cold:.2f} s) "
          f"| ≤ 600 MiB at 10k, cold wall time not worse |")
    w(f"| `serve` idle RSS after the first build | {mib(serve['idle_rss_kib'])} "
      f"(peak during it {mib(serve['first_build_hwm_kib'])}) | report |")
    reloads = [x.get("reload_ms") for x in samples["body"]]
    w(f"| save → reload message on the event stream (body edit) | median {fmt_ms(med(reloads))}, "
      f"p90 {fmt_ms(pct(reloads, 90))}{missing_note(samples['body'], 'reload_ms')} | report |")
    w("")

    w(f"Serve, per edit kind ({serve['edits']} edits each; save → (a) the edited page's bytes "
      "changed on disk, (b) the server's \"rebuilt\" line, (c) the reload message; then the "
      "figures of the \"rebuilt\" line, medians; \"before the rebuild\" is (b) less the "
      "server's two times: the watcher's debounce and batching; \"server CPU\" is the user + "
      "system time the server process spent from the save to the end of the edit, the "
      "figure the machine's load distorts least):")
    w("")
    w("| edit | (a) page median / p90 | (b) all files median / p90 | (c) reload median / p90 "
      "| rebuild ms (server) | search index ms | before the rebuild | server CPU ms "
      "| files written | removed | failed |")
    w("|---|---|---|---|---|---|---|---|---|---|---|")
    for kind, s in samples.items():
        col = lambda f: [x.get(f) for x in s]
        pair = lambda f: f"{fmt_ms(med(col(f)))} / {fmt_ms(pct(col(f), 90))}"
        num = lambda f: "–" if med(col(f)) is None else f"{med(col(f)):,.0f}"
        failed = sum(1 for x in s if x["status"] != "ok")
        waits = [waited(x) for x in s]
        w(f"| {KIND_NAMES[kind]} | {pair('page_ms')} | {pair('all_ms')} | {pair('reload_ms')} "
          f"| {num('server_ms')} | {num('index_ms')} | {fmt_ms(med(waits))} | {num('cpu_ms')} "
          f"| {num('written')} "
          f"| {num('removed')} | {failed} |")
    expected = serve["edits"] * len(samples)
    extra = serve["rebuilds"] - expected
    w("")
    w(f"`serve` first build: {serve['first_build_line']} (process start → that line "
      f"{serve['first_build_wall_ms']:,} ms); memory at the end: VmRSS "
      f"{mib(serve['end_memory_kib'].get('VmRSS'))}, VmHWM {mib(serve['end_memory_kib'].get('VmHWM'))}; "
      f"{serve['rebuilds']} rebuilds for {expected} edits"
      + (f" ({extra} unexpected)" if extra else "") + ".")
    w("")
    w(f"Builds ({meta['runs']} rounds of cold → nothing changed → one note changed; wall s "
      "of every run; CPU = user + system; peak RSS the largest):")
    w("")
    w("| build | wall s (median) | runs | CPU s (median) | peak RSS |")
    w("|---|---|---|---|---|")
    names = {
        "cold": "cold (sources only)",
        "cold_no_cache": "cold, `--no-cache`",
        "nothing": "again, nothing changed",
        "one": "again, one note changed",
    }
    for key, name in names.items():
        med_wall, rss, walls, cpu = build_summary(runs, key)
        if med_wall is not None:
            w(f"| {name} | {med_wall:.2f} | {', '.join(f'{x:.2f}' for x in walls)} "
              f"| {cpu:.2f} | {mib(rss)} |")
    print("\n".join(out))
    print()


if __name__ == "__main__":
    main()
