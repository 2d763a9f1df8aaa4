#!/usr/bin/env python3
"""The `serve` half of bench/incremental.sh (issue 11's targets): edits a site while
`cheatgen serve` watches it and times each edit from the save to
  (a) the edited page's bytes changing on disk (polled every millisecond),
  (b) every affected file on disk: the arrival of the server's "rebuilt ..." line on
      stderr, which it prints once the rebuild finished (its figures are kept too),
  (c) the "reload" message on the live-reload event stream.
Edit kinds: body (a paragraph appended to a note's last card), title, tag, note added,
note deleted; EDITS rounds, each applying one edit of every kind (kinds interleaved so
load swings spread evenly over them), each on a note no other edit touched.
Also reads the server's CPU time per edit from /proc/<pid>/stat (the figure load
distorts least) and its memory from /proc/<pid>/status after the first build and at the
end. Writes everything as JSON (read by bench/incremental_report.py).

It edits SITE in place: run it on a copy (bench/incremental.sh does).
Usage: incremental_serve.py --bin CHEATGEN --site SITE --out JSON [--edits 20]"""
import argparse, ctypes, json, os, random, re, signal, subprocess, sys, threading, time
import urllib.request
from pathlib import Path

KINDS = ["body", "title", "tag", "added", "deleted"]
EVENTS_PATH = "__cheatgen/events"  # src/serve/http.rs EVENTS_PATH
# What may end a rebuild on stderr: the summary line, or a failed rebuild.
REBUILT = re.compile(r"^rebuilt\b")
FAILED = re.compile(r"^(not written|error)\b")
# After the rebuild finished, how long a page or reload message may still lag before it
# counts as "did not happen".
GRACE_S = 2.0
SETTLE_S = 0.3  # pause between edits so one edit's rebuild never merges with the next


class Stream:
    """Lines (or events) appended by a reader thread, each stamped on arrival."""

    def __init__(self):
        self.items, self.lock = [], threading.Lock()

    def add(self, item):
        with self.lock:
            self.items.append((time.monotonic(), item))

    def first_after(self, t0, pred):
        with self.lock:
            return next(((t, x) for t, x in self.items if t > t0 and pred(x)), None)

    def count(self, pred):
        with self.lock:
            return sum(1 for _, x in self.items if pred(x))

    def tail(self, n=15):
        with self.lock:
            return [str(x) for _, x in self.items[-n:]]


def read_stderr(pipe, lines: Stream):
    # Progress output may redraw with \r: split on both.
    for raw in pipe:
        for part in raw.replace(b"\r", b"\n").split(b"\n"):
            text = part.decode(errors="replace").strip()
            if text:
                lines.add(text)


def read_events(url, events: Stream, connected: threading.Event, failed: list):
    """Server-sent events: one (name, data) per blank-line-terminated block."""
    req = urllib.request.Request(url + EVENTS_PATH, headers={"Accept": "text/event-stream"})
    try:
        with urllib.request.urlopen(req) as resp:
            connected.set()
            name, data = "message", []
            for raw in resp:
                line = raw.decode(errors="replace").rstrip("\r\n")
                if line.startswith("event:"):
                    name = line[6:].strip()
                elif line.startswith("data:"):
                    data.append(line[5:].lstrip())
                elif not line:
                    if data or name != "message":
                        events.add((name, "\n".join(data)))
                    name, data = "message", []
    except Exception as e:  # the stream ends when the server stops
        failed.append(str(e))
        connected.set()


def die_with_parent():
    # If this helper is killed outright, the server gets SIGTERM instead of lingering.
    try:
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    except OSError:
        pass


def proc_memory(pid):
    """VmRSS and VmHWM of a process, in KiB."""
    out = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        key, _, value = line.partition(":")
        if key in ("VmRSS", "VmHWM"):
            out[key] = int(value.split()[0])
    return out


def proc_cpu_ms(pid):
    """User + system CPU time of a process so far, in ms (clock-tick resolution)."""
    stat = Path(f"/proc/{pid}/stat").read_text()
    fields = stat[stat.rindex(")") + 2:].split()  # after "pid (comm) "
    ticks = int(fields[11]) + int(fields[12])  # utime, stime: fields 14 and 15 of stat(5)
    return ticks * 1000 / os.sysconf("SC_CLK_TCK")


def wait_line(proc, lines: Stream, pred, timeout, what):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        hit = lines.first_after(0, pred)
        if hit:
            return hit
        if proc.poll() is not None:
            time.sleep(0.2)  # let the reader take the last lines
            sys.exit(f"the server exited ({proc.returncode}) before {what}:\n" + "\n".join(lines.tail()))
        time.sleep(0.02)
    sys.exit(f"timeout ({timeout:.0f} s) waiting for {what}; server stderr:\n" + "\n".join(lines.tail()))


# ---- edits -------------------------------------------------------------------------

FRONT = re.compile(r"\A---\n(.*?\n)---\n", re.S)


def split_front(text):
    m = FRONT.match(text)
    return (m.group(1), text[m.end():]) if m else ("", text)


def note_tags(text):
    front, _ = split_front(text)
    m = re.search(r"^tags:\s*\n((?:[ \t]+-[^\n]*\n)+)", front, re.M)
    return [t.strip().strip("\"'") for t in re.findall(r"-\s*(.*)", m.group(1))] if m else []


def with_title(text, title):
    front, body = split_front(text)
    line = f"title: {json.dumps(title)}\n"
    if re.search(r"^title:.*$", front, re.M):
        front = re.sub(r"^title:.*\n", lambda _: line, front, count=1, flags=re.M)
    else:
        front = line + front
    return f"---\n{front}---\n{body}"


def title_of(text):
    m = re.search(r"^title:\s*(.*)$", split_front(text)[0], re.M)
    return m.group(1).strip().strip("\"'") if m else "Untitled"


def with_tag_swapped(text, new_tag):
    """The note's first tag replaced by `new_tag` (or a tags list added)."""
    front, body = split_front(text)
    m = re.search(r"^(tags:\s*\n[ \t]+-[ \t]*)([^\n]*)$", front, re.M)
    if m:
        front = front[: m.start(2)] + json.dumps(new_tag) + front[m.end(2):]
    else:
        front += f"tags:\n  - {json.dumps(new_tag)}\n"
    return f"---\n{front}---\n{body}"


class Site:
    def __init__(self, root: Path, output: Path, seed: int):
        self.root, self.content, self.output = root, root / "content", output
        self.notes = sorted(p for p in self.content.rglob("*.md") if p.name != "_index.md")
        self.tags = sorted({t for p in self.notes for t in note_tags(p.read_text())})
        self.rng = random.Random(seed)
        self.unused = self.notes[:]
        self.rng.shuffle(self.unused)

    def page(self, note: Path):
        rel = note.relative_to(self.content).with_suffix("")
        return self.output / rel / "index.html"

    def take(self):
        """A note no earlier edit touched (cycling when the site is too small)."""
        if not self.unused:
            self.unused = [p for p in self.notes if p.exists()]
            self.rng.shuffle(self.unused)
        return self.unused.pop()

    def target(self, kind, i):
        """(note, page, apply) for edit `i` of `kind`."""
        if kind == "added":
            source = self.take()
            note = self.content / f"bench-added-{i}.md"
            text = with_title(source.read_text(), f"Bench Added {i}")
            return note, self.page(note), lambda: note.write_text(text)
        note = self.take()
        text = note.read_text()
        if kind == "body":
            new = text.rstrip("\n") + f"\n\nBenchmark paragraph {i}: appended to the last card.\n"
        elif kind == "title":
            new = with_title(text, f"{title_of(text)} (edited {i})")
        elif kind == "tag":
            have = set(note_tags(text))
            choices = [t for t in self.tags if t not in have] or [f"bench-tag-{i}"]
            new = with_tag_swapped(text, self.rng.choice(choices))
        else:  # deleted
            return note, self.page(note), note.unlink
        return note, self.page(note), lambda: note.write_text(new)


# ---- one measured edit ---------------------------------------------------------------


def page_state(page: Path):
    try:
        st = page.stat()
    except FileNotFoundError:
        return None
    return (st.st_ino, st.st_size, st.st_mtime_ns)


def read_bytes(page: Path):
    try:
        return page.read_bytes()
    except FileNotFoundError:
        return None


def rebuilt_figures(line):
    """The figures of a "rebuilt ..." line (missing ones None, so a new wording of the
    line degrades to blanks, not a crash)."""

    def num(pattern):
        m = re.search(pattern, line)
        return int(m.group(1)) if m else None

    return {
        "server_ms": num(r"\bin (\d+) ms"),
        "written": num(r"(\d+) files? written"),
        "removed": num(r"(\d+) removed"),
        "index_ms": num(r"search index (\d+) ms"),
    }


def measure_edit(proc, kind, apply, page, lines: Stream, events: Stream, timeout):
    pid = proc.pid
    cpu_before = proc_cpu_ms(pid)
    before_state, before_bytes = page_state(page), read_bytes(page)
    if kind != "added" and before_bytes is None:
        sys.exit(f"page {page} missing before a {kind} edit: does the URL not follow the file name?")
    t0 = time.monotonic()
    apply()
    page_t = end = reload = None
    last_state = before_state
    deadline = t0 + timeout
    while True:
        now = time.monotonic()
        if page_t is None:
            state = page_state(page)
            if kind == "deleted":
                page_t = now if state is None else None
            elif state != last_state:
                last_state = state
                if read_bytes(page) not in (before_bytes, None):
                    page_t = now
        if end is None:
            end = lines.first_after(t0, lambda l: REBUILT.match(l) or FAILED.match(l))
        if reload is None:
            reload = events.first_after(t0, lambda e: e[0] == "reload")
        late = end is not None and now > end[0] + GRACE_S
        if end and (page_t or late) and (reload or late):
            break
        if now > deadline or proc.poll() is not None:
            break
        time.sleep(0.001)
    ms = lambda t: None if t is None else round((t - t0) * 1000, 1)
    sample = {
        "page_ms": ms(page_t),
        "all_ms": ms(end[0]) if end else None,
        "reload_ms": ms(reload[0]) if reload else None,
        "status": "ok",
    }
    if proc.poll() is not None:
        sample["status"] = "server exited"
        return sample
    sample["cpu_ms"] = round(proc_cpu_ms(pid) - cpu_before)
    if end is None:
        sample["status"] = "timeout"
    elif FAILED.match(end[1]):
        sample["status"] = "failed: " + end[1]
    else:
        sample.update(rebuilt_figures(end[1]))
        sample["line"] = end[1]
    return sample


# ---- main ----------------------------------------------------------------------------


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--bin", required=True)
    ap.add_argument("--site", required=True, type=Path)
    ap.add_argument("--out", required=True, type=Path)
    ap.add_argument("--edits", type=int, default=20)
    ap.add_argument("--timeout", type=float, default=300.0, help="seconds per edit")
    ap.add_argument("--first-build-timeout", type=float, default=1800.0)
    ap.add_argument("--seed", type=int, default=11)
    args = ap.parse_args()
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))

    site_root = args.site.resolve()
    started = time.monotonic()
    proc = subprocess.Popen(
        [args.bin, "serve", "--root", str(site_root), "--port", "0"],
        stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
        preexec_fn=die_with_parent,
    )
    lines, events = Stream(), Stream()
    threading.Thread(target=read_stderr, args=(proc.stderr, lines), daemon=True).start()
    try:
        result = run(args, site_root, proc, started, lines, events)
    finally:
        if proc.poll() is None:
            proc.send_signal(signal.SIGINT)
            try:
                proc.wait(10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
    args.out.write_text(json.dumps(result, indent=1))


def run(args, site_root, proc, started, lines, events):
    _, built = wait_line(proc, lines, lambda l: l.startswith("built in"), args.first_build_timeout, "the first build")
    first_ms = round((time.monotonic() - started) * 1000)
    _, serving = wait_line(proc, lines, lambda l: l.startswith("serving "), 60, "the server's URL")
    url = re.search(r"(https?://\S+/)", serving).group(1)
    connected, failed = threading.Event(), []
    threading.Thread(target=read_events, args=(url, events, connected, failed), daemon=True).start()
    if not connected.wait(30) or failed:
        sys.exit(f"cannot open the live-reload stream {url}{EVENTS_PATH}: {failed}")
    time.sleep(2)  # idle: let the first build's buffers go back
    mem_idle = proc_memory(proc.pid)

    site = Site(site_root, site_root / "public", args.seed)
    samples = {k: [] for k in KINDS}
    rebuilds_before = lines.count(lambda l: REBUILT.match(l) or FAILED.match(l))
    for i in range(args.edits):
        for kind in KINDS:
            if proc.poll() is not None:
                # "stopping" at the end of the log: a SIGINT/SIGTERM from outside.
                sys.exit(f"the server exited ({proc.returncode}) during the edits:\n"
                         + "\n".join(lines.tail()))
            note, page, apply = site.target(kind, i)
            sample = measure_edit(proc, kind, apply, page, lines, events, args.timeout)
            sample["note"] = str(note.relative_to(site_root))
            samples[kind].append(sample)
            print(f"  {kind:8} {i + 1:2}/{args.edits}  page {sample['page_ms']} ms, all "
                  f"{sample['all_ms']} ms, reload {sample['reload_ms']} ms, "
                  f"{sample.get('written')} written  [{sample['status']}]", file=sys.stderr, flush=True)
            time.sleep(SETTLE_S)
    time.sleep(1)
    rebuilds = lines.count(lambda l: REBUILT.match(l) or FAILED.match(l)) - rebuilds_before
    return {
        "first_build_line": built,
        "first_build_wall_ms": first_ms,
        "url": url,
        "idle_rss_kib": mem_idle.get("VmRSS"),
        "first_build_hwm_kib": mem_idle.get("VmHWM"),
        "end_memory_kib": proc_memory(proc.pid),
        "edits": args.edits,
        "rebuilds": rebuilds,
        "samples": samples,
    }


if __name__ == "__main__":
    main()
