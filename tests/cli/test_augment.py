#!/usr/bin/python3
"""Tests of `gst-cnn augment`: a short clip (tree.avi, every 20th frame), an
image folder made here and a text file named .avi (reported, skipped, the
others finish); manifest.jsonl is valid JSON lines with every drawn
parameter, image samples equal OpenCV's flip and crop of the source at the
drawn box, the size follows resized-crop; a killed run resumed gives the
same bytes as an uninterrupted one. Prints check-style
"Checks: N, Failures: F, Errors: 0"."""
import hashlib
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time

import cv2
import numpy as np

from clitest import GST_CNN, check, finish

TREE = "/usr/share/doc/opencv-doc/examples/data/tree.avi"
CHAIN = "flip-h ; rotate degrees=20 ; color-jitter brightness=0.3 ; resized-crop size=64,48 scale=0.5,1"
SEED = int(os.environ.get("CNN_TEST_SEED", "20261125"))


def augment(out, *args, timeout=60):
    return subprocess.run([GST_CNN, "augment", "-q", "-o", out] + [str(a) for a in args],
                          capture_output=True, text=True, timeout=timeout)


def read_lines(path):
    with open(path) as f:
        return [json.loads(line) for line in f]


def tree_hashes(root):
    """{relative path: sha256} of every file below root."""
    out = {}
    for d, _, files in os.walk(root):
        for name in files:
            path = os.path.join(d, name)
            with open(path, "rb") as f:
                out[os.path.relpath(path, root)] = hashlib.sha256(f.read()).hexdigest()
    return out


def make_images(folder, n=4, broken=False):
    """n RGB images of different sizes with structure in every channel; with
    broken, a text file named .png after the second."""
    os.makedirs(folder)
    rng = np.random.default_rng(SEED)
    sizes = [(41, 57), (50, 64), (45, 45), (60, 80)]
    for i in range(n):
        h, w = sizes[i % 4]
        y, x = np.mgrid[0:h, 0:w]
        img = np.stack([(x * 4 + i * 30) % 256, (y * 5) % 256,
                        rng.integers(0, 256, (h, w))], axis=2).astype(np.uint8)
        cv2.imwrite(os.path.join(folder, "im%02d.png" % i), img)
    if broken:
        with open(os.path.join(folder, "im01x.png"), "w") as f:
            f.write("not a PNG\n")


def kill_when(args, folder, n_files):
    """Start gst-cnn augment ARGS, SIGKILL it once folder holds n_files
    files; whether it was still running then."""
    proc = subprocess.Popen([GST_CNN, "augment", "-q"] + [str(a) for a in args],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.time() + 30
    while time.time() < deadline and proc.poll() is None:
        if os.path.isdir(folder) and len(os.listdir(folder)) >= n_files:
            break
        time.sleep(0.003)
    was_running = proc.poll() is None
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    return was_running and not os.path.exists(os.path.join(folder, "samples.jsonl"))


def test_dataset(tmp):
    images = os.path.join(tmp, "shots")
    make_images(images)
    fake = os.path.join(tmp, "fake.avi")
    with open(fake, "w") as f:
        f.write("This is a text file, not an AVI.\n")
    out = os.path.join(tmp, "out")
    p = augment(out, TREE, fake, "--every", 20, "--samples", 2, "--seed", SEED, "-t", CHAIN)
    results = [json.loads(l) for l in p.stdout.splitlines() if l.strip()]
    by_file = {r["file"]: r for r in results}
    check("a broken input makes the exit status 1", p.returncode == 1, (p.returncode, p.stderr))
    check("the text file named .avi is reported failed with a reason",
          by_file.get(fake, {}).get("status") == "failed" and by_file[fake]["error"],
          results)
    check("the clip still finishes", by_file.get(TREE, {}).get("status") == "ok", results)

    lines = read_lines(os.path.join(out, "manifest.jsonl"))
    frames = sorted({l["frame"] for l in lines})
    check("every 20th of the clip's 68 frames, 2 samples each", len(lines) == 8 and
          [l["sample"] for l in lines] == [0, 1] * 4, [(l["frame"], l["sample"]) for l in lines])
    ok = True
    for l in lines:
        steps = l["params"]["steps"]
        names = [s["transform"] for s in steps]
        img = cv2.imread(os.path.join(out, l["file"]))
        ok &= names == ["flip-h", "rotate", "color-jitter", "resized-crop"]
        ok &= l["source"] == TREE and l["params"]["seed"] == SEED
        ok &= l["params"]["frame"] == l["frame"] and l["params"]["sample"] == l["sample"]
        ok &= isinstance(l["timestamp"], float)
        ok &= steps[1]["applied"] and -20 <= steps[1]["angle"] <= 20
        crop = steps[3]
        ok &= 0 <= crop["x"] and crop["x"] + crop["width"] <= 320
        ok &= 0 <= crop["y"] and crop["y"] + crop["height"] <= 240
        ok &= img is not None and img.shape == (48, 64, 3)
    check("manifest lines carry source, frame, timestamp, sample, file and every drawn "
          "parameter; images are resized-crop's 64x48", ok, lines[:2])
    check("frames increase with timestamps", frames == sorted(frames) and len(frames) == 4 and
          all(a["timestamp"] < b["timestamp"] for a, b in zip(lines[::2], lines[2::2])), frames)
    differ = lines[0]["params"]["steps"] != lines[1]["params"]["steps"]
    check("the two samples of a frame are drawn apart", differ)

    # image folder: flips and crops are exact, so OpenCV gives the reference
    out_img = os.path.join(tmp, "out-images")
    p = augment(out_img, images, "--samples", 3, "--seed", SEED, "-t",
                "flip-h ; crop size=40,30")
    check("the image folder is one source", p.returncode == 0 and
          os.path.isfile(os.path.join(out_img, "shots", "samples.jsonl")), p.stderr)
    lines = read_lines(os.path.join(out_img, "manifest.jsonl"))
    worst = None
    for l in lines:
        src = cv2.imread(l["source"])
        flip, crop = l["params"]["steps"]
        if flip["applied"]:
            src = cv2.flip(src, 1)
        ref = src[crop["y"]:crop["y"] + crop["height"], crop["x"]:crop["x"] + crop["width"]]
        got = cv2.imread(os.path.join(out_img, l["file"]))
        if got is None or got.shape != ref.shape or not np.array_equal(got, ref):
            worst = l
    check("12 samples of 4 images", len(lines) == 12 and
          [l["frame"] for l in lines] == [0, 0, 0, 1, 1, 1, 2, 2, 2, 3, 3, 3], len(lines))
    check("image samples equal OpenCV's flip and crop at the drawn box", worst is None, worst)
    check("flips drawn both ways", {l["params"]["steps"][0]["applied"] for l in lines} ==
          {True, False})


def test_resume(tmp):
    images = os.path.join(tmp, "pics")
    make_images(images, n=12, broken=True)
    args = [TREE, images, "--every", 2, "--samples", 2, "--seed", SEED, "-t",
            "flip-h ; rotate degrees=10 ; gaussian-noise std=4"]
    whole = os.path.join(tmp, "whole")
    p = augment(whole, *args)
    check("an uninterrupted run succeeds", p.returncode == 0, p.stderr)

    # killed in the image folder (it sorts first), then in the clip
    killed = os.path.join(tmp, "killed")
    check("the run was killed while writing the image folder",
          kill_when(["-o", killed] + args, os.path.join(killed, "pics"), 5))
    check("the resumed run was killed while writing the clip",
          kill_when(["-o", killed] + args, os.path.join(killed, "tree"), 12))
    p = augment(killed, *args)
    check("the resumed run succeeds", p.returncode == 0, p.stderr)
    a, b = tree_hashes(whole), tree_hashes(killed)
    diff = sorted(k for k in set(a) | set(b) if a.get(k) != b.get(k))
    check("resumed files are byte-identical to an uninterrupted run's (%d files)" % len(a),
          not diff and len(a) > 60, diff[:5])

    p = augment(killed, *args)
    results = [json.loads(l) for l in p.stdout.splitlines() if l.strip()]
    check("a third run skips the finished sources", p.returncode == 0 and
          [r["status"] for r in results] == ["skipped", "skipped"], results)


def test_usage(tmp):
    p = augment(os.path.join(tmp, "bad"), TREE, "-t", "flip-h ; rotate degres=3")
    check("a bad chain is a usage error naming the transform and parameter",
          p.returncode == 2 and "rotate" in p.stderr and "degres" in p.stderr, p.stderr)


def main():
    tmp = tempfile.mkdtemp(prefix="gst-cnn-augment-")
    try:
        test_usage(tmp)
        test_dataset(tmp)
        test_resume(tmp)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return finish()


if __name__ == "__main__":
    sys.exit(main())
