#!/usr/bin/python3
"""bench/batch: a folder of clips through the edge-video ready pipeline with
`gst-cnn run --jobs 1` and `--jobs 2`, against the same work as a shell loop
of gst-launch-1.0 over the pipelines `gst-cnn show` prints (element defaults:
each gst-launch lets cnnedge and the decoder use every core).

Usage: bench_batch.py BUILD_DIR [--reps N]
Prints "ratio ..." lines: loop time / gst-cnn time, median of N repetitions
(> 1: gst-cnn faster)."""
import argparse
import json
import os
import shutil
import statistics
import subprocess
import tempfile
import time

CLIPS = "/usr/share/doc/opencv-doc/examples/data"
GOOD = ["Megamind.avi", "Megamind_bugy.avi", "tree.avi", "vtest.avi"]


def timed(cmd, env):
    """Seconds, and what the command printed."""
    start = time.perf_counter()
    p = subprocess.run(cmd, env=env, check=True, capture_output=True, text=True)
    return time.perf_counter() - start, p.stdout


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("build")
    ap.add_argument("--reps", type=int, default=3)
    args = ap.parse_args()
    gst_cnn = os.path.join(os.path.abspath(args.build), "pipelines", "gst-cnn")
    env = dict(os.environ, GST_PLUGIN_PATH=os.path.join(os.path.abspath(args.build), "plugins"))
    tmp = tempfile.mkdtemp(prefix="bench-batch-")
    try:
        clips = os.path.join(tmp, "clips")
        os.makedirs(clips)
        # every clip twice: a batch is many files, as in a dataset folder
        names = ["%s-%d.avi" % (n[:-4], i) for i in (1, 2) for n in GOOD]
        for name in names:
            os.symlink(os.path.join(CLIPS, name[:-6] + ".avi"), os.path.join(clips, name))
        loop_out = os.path.join(tmp, "loop")
        os.makedirs(loop_out)
        script = os.path.join(tmp, "loop.sh")
        with open(script, "w") as f:
            for name in names:
                text = subprocess.run([gst_cnn, "show", "edge-video", os.path.join(clips, name), "-o",
                                       os.path.join(loop_out, name)], env=env, check=True,
                                      capture_output=True, text=True).stdout.strip()
                f.write("gst-launch-1.0 -q %s\n" % text)
        times = {"loop": [], "jobs1": [], "jobs2": []}
        frames = 0
        for _ in range(args.reps):
            times["loop"].append(timed(["/bin/sh", script], env)[0])
            for jobs in (1, 2):
                seconds, results = timed(
                    [gst_cnn, "run", "edge-video", clips, "-o", os.path.join(tmp, "out"), "--force",
                     "--jobs", str(jobs), "-q"], env)
                times["jobs%d" % jobs].append(seconds)
                frames = sum(json.loads(line)["frames"] for line in results.splitlines())
        med = {k: statistics.median(v) for k, v in times.items()}
        print("# %d clips, %d frames, edge-video (cnnedge sobel + MPEG-4), %d cores, median of %d"
              % (len(names), frames, os.cpu_count(), args.reps))
        print("# seconds: loop %.2f, --jobs 1 %.2f, --jobs 2 %.2f" % (med["loop"], med["jobs1"], med["jobs2"]))
        print("ratio batch_jobs1_vs_gst_launch_loop %.2f" % (med["loop"] / med["jobs1"]))
        print("ratio batch_jobs2_vs_gst_launch_loop %.2f" % (med["loop"] / med["jobs2"]))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
