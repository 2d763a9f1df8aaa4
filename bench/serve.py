#!/usr/bin/env python3
"""Serve benchmark: starts `cheatgen serve` on a built corpus, then measures
 - save → page on disk: append a line to one note, time until its page contains it;
 - the rebuild time cheatgen reports for that edit;
 - a warm full rebuild (a theme CSS change re-renders everything) vs the cold first build.
Usage: bench/serve.py [N]   (default 10000; needs bench/corpus-N from bench/run.sh)"""
import os, re, subprocess, sys, threading, time, pathlib, shutil

here = pathlib.Path(__file__).resolve().parent
n = sys.argv[1] if len(sys.argv) > 1 else "10000"
site = here / f"corpus-{n}"
binary = here.parent / "target" / "release" / "cheatgen"
subprocess.run(["cargo", "build", "--release", "--quiet", "--manifest-path", str(here.parent / "Cargo.toml")], check=True)

log, lines = [], threading.Condition()
proc = subprocess.Popen([str(binary), "serve", "--root", str(site), "--port", "0"], stderr=subprocess.PIPE, text=True)
def reader():
    for line in proc.stderr:
        with lines:
            log.append(line.rstrip("\n"))
            lines.notify_all()
threading.Thread(target=reader, daemon=True).start()

def rebuilds():
    with lines:
        return [l for l in log if l.startswith("rebuilt")]

def wait_rebuild_after(count, timeout=300):
    end = time.time() + timeout
    while time.time() < end:
        r = rebuilds()
        if len(r) > count:
            return r[-1]
        time.sleep(0.01)
    raise SystemExit("timeout waiting for a rebuild")

def wait_for(pred, timeout=300):
    end = time.time() + timeout
    with lines:
        while time.time() < end:
            for l in log:
                if pred(l):
                    return l
            lines.wait(0.05)
    raise SystemExit("timeout; log:\n" + "\n".join(log[-20:]))

t0 = time.time()
built = wait_for(lambda l: l.startswith("built in"))
wait_for(lambda l: l.startswith("serving"))
print(f"cold first build in serve: {built}  (wall {time.time() - t0:.2f}s)")
time.sleep(1)

notes = sorted((site / "content").glob("*.md"))
samples = []
try:
    for i in range(5):
        note = notes[(i * 997) % len(notes)]
        page = site / "public" / note.stem / "index.html"
        marker = f"benchmark marker {time.time_ns()}"
        original = note.read_text()
        count = len(rebuilds())
        start = time.time()
        note.write_text(original + f"\n\n{marker}\n")
        while marker not in page.read_text(errors="replace"):
            time.sleep(0.002)
        on_disk = (time.time() - start) * 1000
        line = wait_rebuild_after(count)
        samples.append(on_disk)
        print(f"edit {note.name}: page on disk after {on_disk:.0f} ms; {line}")
        count = len(rebuilds())
        note.write_text(original)
        wait_rebuild_after(count)
        time.sleep(0.5)
    css = site / "themes" / "default" / "static" / "style.css"
    css.parent.mkdir(parents=True, exist_ok=True)
    shutil.copy(here.parent / "themes" / "default" / "static" / "style.css", css)
    time.sleep(8)  # the theme folder appearing triggers a full rebuild first
    count = len(rebuilds())
    css.write_text(css.read_text() + "\nbody { outline: 0; }\n")
    line = wait_rebuild_after(count)
    print(f"warm full rebuild (theme change): {line}")
finally:
    shutil.rmtree(site / "themes", ignore_errors=True)
    proc.terminate()
    proc.wait()
samples.sort()
print(f"save → page on disk: median {samples[len(samples)//2]:.0f} ms, min {samples[0]:.0f} ms, max {samples[-1]:.0f} ms")
