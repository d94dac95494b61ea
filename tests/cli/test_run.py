#!/usr/bin/python3
"""End-to-end tests of `gst-cnn run`, `list` and `show` on the real opencv-doc
clips plus a truncated copy and a text file named .avi.

Frames written by the runner are compared with OpenCV's decoding of the same
clip (grayscale, area-resized to 160x120; mean absolute difference <= 4 grey
levels: the two scalers differ by a level or two). Prints check-style
"Checks: N, Failures: F, Errors: 0" for tests/summarize.py."""
import csv
import glob
import io
import json
import os
import re
import shutil
import shlex
import signal
import subprocess
import sys
import tempfile
import time

import cv2
import numpy as np

from clitest import BUILD, GST_CNN, SOURCE, check, finish, skip

HERE = os.path.join(SOURCE, "tests", "cli")
GRAY = os.path.join(HERE, "gray-frames.pipeline")
STUCK = os.path.join(HERE, "stuck.pipeline")
CLIPS = "/usr/share/doc/opencv-doc/examples/data"
FASHION_MODEL = os.path.join(SOURCE, "models", "fashion-mnist", "model.onnx")
GOOD = ["Megamind.avi", "Megamind_bugy.avi", "tree.avi", "vtest.avi"]
BAD = ["text.avi", "truncated.avi"]
FRAMES = 12

def gst_cnn(*args, stdin=None, timeout=60):
    return subprocess.run([GST_CNN] + [str(a) for a in args], input=stdin, capture_output=True,
                          text=True, timeout=timeout)


def parse_json(text):
    """Every non-empty line must be one JSON object; returns them, or None."""
    try:
        return [json.loads(line) for line in text.splitlines() if line.strip()]
    except ValueError:
        return None


def by_name(results):
    return {os.path.basename(r["file"]): r for r in results}


def outputs_of(folder):
    """{output name: sorted frame files} for finished outputs and partials."""
    found = {}
    for d in sorted(glob.glob(os.path.join(folder, "*"))):
        found[os.path.basename(d)] = sorted(os.listdir(d)) if os.path.isdir(d) else None
    return found


def tree_bytes(folder):
    data = {}
    for path in sorted(glob.glob(os.path.join(folder, "**", "*"), recursive=True)):
        if os.path.isfile(path):
            with open(path, "rb") as f:
                data[os.path.relpath(path, folder)] = f.read()
    return data


def make_inputs(tmp):
    folder = os.path.join(tmp, "in")
    os.makedirs(os.path.join(folder, "sub"))
    for name in GOOD:
        os.symlink(os.path.join(CLIPS, name), os.path.join(folder, name))
    with open(os.path.join(CLIPS, "Megamind.avi"), "rb") as f:
        head = f.read(400000)
    with open(os.path.join(folder, "truncated.avi"), "wb") as f:
        f.write(head)
    with open(os.path.join(folder, "text.avi"), "w") as f:
        f.write("this is not a video\n")
    # a non-video file in a subfolder is ignored by extension
    with open(os.path.join(folder, "sub", "notes.txt"), "w") as f:
        f.write("ignored\n")
    return folder


def reference_frames(clip, count):
    cap = cv2.VideoCapture(os.path.join(CLIPS, clip))
    frames = []
    while len(frames) < count:
        ok, bgr = cap.read()
        if not ok:
            break
        gray = cv2.cvtColor(bgr, cv2.COLOR_BGR2GRAY)
        frames.append(cv2.resize(gray, (160, 120), interpolation=cv2.INTER_AREA).astype(np.float64))
    return frames


def test_batch(tmp, inputs):
    out = os.path.join(tmp, "out")
    res_path = os.path.join(tmp, "run1.json")
    p = gst_cnn("run", GRAY, inputs, "-o", out, "--max-frames", FRAMES, "--jobs", 2,
                "--results", res_path)
    check("batch exits 1 when some input failed", p.returncode == 1, p.returncode)
    with open(res_path) as f:
        results = parse_json(f.read())
    check("results are valid JSON lines", results is not None)
    results = by_name(results or [])
    check("one result per input", sorted(results) == sorted(GOOD + BAD), sorted(results))
    for r in results.values():
        check("result %s has the six keys" % r["file"],
              set(r) == {"file", "status", "frames", "seconds", "outputs", "error"}, r)
    for name in GOOD:
        r = results.get(name, {})
        out_dir = os.path.join(out, name[:-4] + ".gray")
        ok = (r.get("status") == "ok" and r.get("frames") == FRAMES and r.get("error") is None
              and r.get("outputs") == [out_dir]
              and len(glob.glob(os.path.join(out_dir, "frame-*.png"))) == FRAMES)
        check("%s completes with %d frames" % (name, FRAMES), ok, r)
    for name in BAD:
        r = results.get(name, {})
        check("%s is reported failed with a reason" % name,
              r.get("status") == "failed" and r.get("error") and r.get("outputs") == [], r)
    check("truncated copy names the truncation",
          "truncated" in (results.get("truncated.avi", {}).get("error") or ""))
    check("no partial output is left", not glob.glob(os.path.join(out, "*.partial")),
          os.listdir(out))

    # values: the frames are the clip's frames, in order
    ref = reference_frames("tree.avi", FRAMES)
    worst = 0.0
    for i, want in enumerate(ref):
        got = cv2.imread(os.path.join(out, "tree.gray", "frame-%05d.png" % i), cv2.IMREAD_GRAYSCALE)
        worst = max(worst, np.abs(got.astype(np.float64) - want).mean())
    check("tree.avi frames match OpenCV (mean |diff| %.2f <= 4)" % worst,
          len(ref) == FRAMES and worst <= 4.0, worst)

    # a second run does nothing: finished outputs are skipped, untouched
    stamps = {p: os.stat(p).st_mtime_ns for p in glob.glob(os.path.join(out, "*", "*"))}
    p = gst_cnn("run", GRAY, inputs, "-o", out, "--max-frames", FRAMES, "--jobs", 2)
    again = by_name(parse_json(p.stdout) or [])
    check("second run skips every finished input",
          all(again.get(n, {}).get("status") == "skipped" for n in GOOD), again)
    check("second run leaves outputs untouched",
          stamps == {p: os.stat(p).st_mtime_ns for p in glob.glob(os.path.join(out, "*", "*"))})

    # --force redoes one
    p = gst_cnn("run", GRAY, os.path.join(inputs, "tree.avi"), "-o", out, "--max-frames", 3, "--force", "-q")
    r = (parse_json(p.stdout) or [{}])[0]
    check("--force redoes a finished input", p.returncode == 0 and r.get("status") == "ok"
          and len(os.listdir(os.path.join(out, "tree.gray"))) == 3, (p.returncode, r))

    # shards cover the inputs exactly once
    seen = []
    for k in range(3):
        p = gst_cnn("run", GRAY, inputs, "-o", out, "--shard", "%d/3" % k, "-q")
        seen += [r["file"] for r in parse_json(p.stdout) or []]
    check("--shard K/3 shares cover every input exactly once",
          sorted(os.path.basename(f) for f in seen) == sorted(GOOD + BAD), seen)

    # CSV
    p = gst_cnn("run", GRAY, inputs, "-o", out, "--format", "csv", "-q")
    rows = list(csv.DictReader(io.StringIO(p.stdout)))
    check("--format csv has the header and one row per input",
          len(rows) == 6 and list(rows[0]) == ["file", "status", "frames", "seconds", "outputs", "error"]
          and {r["status"] for r in rows} == {"skipped", "failed"}, rows)

    # paths on standard input
    p = gst_cnn("run", GRAY, "-", "-o", out, "-q",
                stdin="%s\n%s\n" % (os.path.join(inputs, "tree.avi"), os.path.join(inputs, "vtest.avi")))
    check("`-` reads input paths from standard input",
          p.returncode == 0 and len(parse_json(p.stdout) or []) == 2, (p.returncode, p.stdout))


def test_exit_codes(tmp, inputs):
    tree = os.path.join(inputs, "tree.avi")
    out = os.path.join(tmp, "codes")
    check("no arguments: exit 2", gst_cnn("run").returncode == 2)
    check("unknown pipeline: exit 2", gst_cnn("run", "no-such-pipeline", tree).returncode == 2)
    check("missing input: exit 2", gst_cnn("run", GRAY, os.path.join(tmp, "nothing.avi")).returncode == 2)
    check("bad --shard: exit 2", gst_cnn("run", GRAY, tree, "--shard", "3/3").returncode == 2)
    check("unknown option: exit 2", gst_cnn("run", "--bogus").returncode == 2)
    check("unknown command: exit 2", gst_cnn("frobnicate").returncode == 2)
    p = gst_cnn("run", GRAY, tree, "-o", out, "--max-frames", 2, "-q")
    check("all ok: exit 0, nothing on stderr with -q", p.returncode == 0 and p.stderr == "", p.stderr)
    check("--help: exit 0", gst_cnn("run", "--help").returncode == 0)
    if not glob.glob("/dev/video*"):
        p = gst_cnn("run", GRAY, "camera")
        check("camera without a V4L2 device: exit 2 with a clear message",
              p.returncode == 2 and "no V4L2 device" in p.stderr, p.stderr)
    check("version names GStreamer", "GStreamer" in gst_cnn("version").stdout)


def test_names(tmp, inputs):
    """Two inputs with one output name: the second fails, the first is kept;
    inside a folder, subfolders keep the names apart."""
    other = os.path.join(tmp, "other")
    os.makedirs(os.path.join(other, "deeper"))
    for d in (other, os.path.join(other, "deeper")):
        os.symlink(os.path.join(CLIPS, "tree.avi"), os.path.join(d, "tree.avi"))
    out = os.path.join(tmp, "names")
    p = gst_cnn("run", GRAY, os.path.join(inputs, "tree.avi"), os.path.join(other, "tree.avi"),
                "-o", out, "--max-frames", 2, "-q")
    r = parse_json(p.stdout) or [{}, {}]
    check("a second input with the same output name fails naming the first",
          p.returncode == 1 and r[0].get("status") == "ok" and r[1].get("status") == "failed"
          and os.path.join(inputs, "tree.avi") in (r[1].get("error") or ""), r)
    p = gst_cnn("run", GRAY, other, "-o", out + "2", "--max-frames", 2, "-q")
    check("subfolders of a folder input keep their outputs apart",
          p.returncode == 0 and sorted(os.listdir(out + "2")) == ["deeper", "tree.gray"]
          and os.listdir(os.path.join(out + "2", "deeper")) == ["tree.gray"], p.stdout)


def run_until_partial(args, sig, min_frames=5):
    """Start a run and send sig once some output holds min_frames frames."""
    proc = subprocess.Popen([GST_CNN] + [str(a) for a in args], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    out_dir = args[args.index("-o") + 1]
    deadline = time.time() + 30
    while time.time() < deadline and proc.poll() is None:
        partial = glob.glob(os.path.join(out_dir, "*.partial"))
        if partial and len(os.listdir(partial[0])) >= min_frames:
            proc.send_signal(sig)
            break
        time.sleep(0.005)
    stdout, stderr = proc.communicate(timeout=60)
    return proc.returncode, stdout, stderr


def test_interrupt(tmp, inputs):
    clips = [os.path.join(inputs, n) for n in ("Megamind.avi", "vtest.avi")]
    common = ["--max-frames", 60, "--set", "sleep-us=3000", "-q"]
    ref = os.path.join(tmp, "ref")
    p = gst_cnn("run", GRAY, *clips, "-o", ref, *common)
    check("uninterrupted reference run", p.returncode == 0, p.stderr)
    want = tree_bytes(ref)

    for sig, name, code in ((signal.SIGKILL, "SIGKILL", -9), (signal.SIGINT, "SIGINT", 130)):
        out = os.path.join(tmp, "killed-" + name)
        rc, stdout, _ = run_until_partial(["run", GRAY] + clips + ["-o", out] + common, sig)
        check("%s mid-file: exit %d" % (name, code), rc == code, rc)
        finished = {k: v for k, v in outputs_of(out).items() if not k.endswith(".partial")}
        check("%s leaves no half output under a finished name" % name,
              all(v == sorted(os.listdir(os.path.join(ref, k))) for k, v in finished.items())
              and len(finished) < 2, finished)
        if sig == signal.SIGINT:
            r = parse_json(stdout) or [{}]
            check("SIGINT reports the file being written as interrupted",
                  r[-1].get("status") == "failed" and "interrupted" in (r[-1].get("error") or ""), r)
        p = gst_cnn("run", GRAY, *clips, "-o", out, *common)
        check("after %s, resuming ends with the outputs of an uninterrupted run" % name,
              p.returncode == 0 and tree_bytes(out) == want, p.stderr)


def test_timeout(tmp, inputs):
    start = time.time()
    p = gst_cnn("run", STUCK, os.path.join(inputs, "tree.avi"), "--timeout", 1)
    r = (parse_json(p.stdout) or [{}])[0]
    check("a stuck pipeline fails with the timeout as reason",
          p.returncode == 1 and r.get("status") == "failed" and "no progress" in (r.get("error") or "")
          and time.time() - start < 10, (p.returncode, r))


def test_show_and_list(tmp):
    out = os.path.join(tmp, "a folder with spaces")
    os.makedirs(out)
    clip = os.path.join(CLIPS, "tree.avi")
    p = gst_cnn("show", GRAY, clip, "-o", out)
    text = p.stdout.strip()
    check("show quotes a path with spaces as one value",
          p.returncode == 0 and 'location="%s/frame-%%05d.png"' % out in text, text)
    # as pasted after gst-launch-1.0 in a shell: the shell splits the words
    launch = subprocess.run(["gst-launch-1.0", "-q"] + shlex.split(text), capture_output=True,
                            text=True, timeout=60)
    check("the shown pipeline runs in gst-launch-1.0",
          launch.returncode == 0 and len(os.listdir(out)) == 68, (launch.returncode, launch.stderr[-300:]))
    p = gst_cnn("show", GRAY)
    check("show keeps {input} and {output} when not given",
          "{input}" in p.stdout and "{output}" in p.stdout, p.stdout)
    p = gst_cnn("list")
    names = [line.split()[0] for line in p.stdout.splitlines() if line and not line[0].isspace()]
    check("list shows the ready pipelines",
          p.returncode == 0 and {"edge-video", "edge-frames", "edge-overlay-display"} <= set(names), names)
    check("list shows placeholders with defaults", "{method}=sobel" in p.stdout, p.stdout)


def test_ready_pipelines(tmp, inputs):
    """Each shipped pipeline parses, links and runs on a short real clip when
    the elements it needs are installed."""
    for path in sorted(glob.glob(os.path.join(BUILD, "pipelines", "*.pipeline"))):
        name = os.path.basename(path)[:-len(".pipeline")]
        with open(path) as f:
            needs = next((l.split(":", 1)[1].split() for l in f if l.startswith("# needs:")), [])
        # (--exists would also compare the plugin's version with GStreamer's)
        missing = [e for e in needs if subprocess.run(["gst-inspect-1.0", e], capture_output=True).returncode]
        if missing:
            skip("ready pipeline %s (missing %s)" % (name, " ".join(missing)))
            continue
        out = os.path.join(tmp, "ready-" + name)
        p = gst_cnn("run", name, os.path.join(inputs, "tree.avi"), "-o", out, "--max-frames", 8,
                    "--set", "sink=fakesink", "--set", "model=" + FASHION_MODEL, "-q")
        # classify also prints lines of labels before the input's line
        r = ([l for l in parse_json(p.stdout) or [] if "status" in l] or [{}])[0]
        check("ready pipeline %s runs on tree.avi" % name,
              p.returncode == 0 and r.get("status") == "ok" and r.get("frames") == 8, (p.stderr, r))
        if name == "edge-frames" and r.get("status") == "ok":
            check_sobel_frames(r["outputs"][0], 8)
            check_thread_share(tmp, inputs)
            check_uninstalled_plugin(tmp, inputs)


def check_uninstalled_plugin(tmp, inputs):
    """Run from the build tree, gst-cnn finds the plugin built next to it
    without GST_PLUGIN_PATH."""
    env = {k: v for k, v in os.environ.items() if k != "GST_PLUGIN_PATH"}
    p = subprocess.run([GST_CNN, "run", "edge-frames", os.path.join(inputs, "tree.avi"), "-o",
                        os.path.join(tmp, "uninstalled"), "--max-frames", "2", "-q"],
                       capture_output=True, text=True, timeout=60, env=env)
    check("gst-cnn finds build/plugins without GST_PLUGIN_PATH", p.returncode == 0, p.stderr)


def check_thread_share(tmp, inputs):
    """--jobs N gives each cnn element cores / N engine threads (the element
    logs the size of the context it made)."""
    cores = len(os.sched_getaffinity(0))
    clips = [os.path.join(inputs, n) for n in ("tree.avi", "vtest.avi")]
    for jobs in (1, 2):
        env = dict(os.environ, GST_DEBUG="cnnfilter:5", GST_DEBUG_NO_COLOR="1")
        p = subprocess.run([GST_CNN, "run", "edge-frames"] + clips +
                           ["-o", os.path.join(tmp, "threads-%d" % jobs), "--max-frames", "2", "-q",
                            "--jobs", str(jobs)], capture_output=True, text=True, timeout=60, env=env)
        got = sorted(set(re.findall(r"context with (\d+) threads", p.stderr)))
        want = [str(max(1, cores // jobs))]
        check("--jobs %d: cnnedge gets %s engine threads of %d cores" % (jobs, want[0], cores),
              got == want, got)


def check_sobel_frames(folder, count):
    """edge-frames (method=sobel) against cv2.Sobel: |gx| + |gy| of the luma,
    saturated to 8 bits; mean |diff| <= 2 levels for colour conversions."""
    cap = cv2.VideoCapture(os.path.join(CLIPS, "tree.avi"))
    worst = 0.0
    for i in range(count):
        ok, bgr = cap.read()
        gray = cv2.cvtColor(bgr, cv2.COLOR_BGR2GRAY)
        ref = np.clip(np.abs(cv2.Sobel(gray, cv2.CV_32F, 1, 0)) + np.abs(cv2.Sobel(gray, cv2.CV_32F, 0, 1)), 0, 255)
        got = cv2.imread(os.path.join(folder, "frame-%05d.png" % i), cv2.IMREAD_GRAYSCALE)
        worst = max(worst, np.abs(got.astype(np.float64) - ref).mean())
    check("edge-frames matches cv2.Sobel on tree.avi (mean |diff| %.3f <= 2)" % worst, worst <= 2.0, worst)


def main():
    tmp = tempfile.mkdtemp(prefix="gst-cnn-cli-")
    try:
        inputs = make_inputs(tmp)
        test_batch(tmp, inputs)
        test_exit_codes(tmp, inputs)
        test_names(tmp, inputs)
        test_interrupt(tmp, inputs)
        test_timeout(tmp, inputs)
        test_show_and_list(tmp)
        test_ready_pipelines(tmp, inputs)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return finish()


if __name__ == "__main__":
    sys.exit(main())
