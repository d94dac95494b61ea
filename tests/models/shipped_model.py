#!/usr/bin/python3
"""The shipped model, models/fashion-mnist: a valid ONNX file under 1 MiB,
ten labels, a sidecar with the preprocessing, and, run by cnn-model-eval on
the 10000 test images, the accuracy its RECIPE.md states (within 0.1%).

usage: shipped_model.py EVAL"""
import os
import re
import subprocess
import sys

import onnx

MODEL_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "models",
                         "fashion-mnist")
DATA = "/usr/share/datasets/fashion-mnist"
# RECIPE.md states the figures on one line of this form.
RECIPE_LINE = re.compile(r"accuracy on the 10000 test images: PyTorch ([\d.]+)%, gst-cnn ([\d.]+)%")
TOLERANCE = 0.1  # percentage points


def main(evaluator):
    failures = 0

    def check(ok, what):
        nonlocal failures
        print("%s: %s" % ("ok" if ok else "FAILED", what))
        failures += not ok

    path = os.path.join(MODEL_DIR, "model.onnx")
    size = os.path.getsize(path)
    model = onnx.load(path)
    onnx.checker.check_model(model)
    opset = max(o.version for o in model.opset_import if o.domain in ("", "ai.onnx"))
    check(size < 1 << 20 and opset <= 13, "model.onnx: %d bytes, opset %d" % (size, opset))
    with open(os.path.join(MODEL_DIR, "labels.txt")) as f:
        labels = f.read().splitlines()
    check(len(labels) == 10 and all(labels), "labels.txt: %d labels" % len(labels))
    with open(os.path.join(MODEL_DIR, "model.cfg")) as f:
        cfg = dict(line.split("=", 1) for line in f.read().splitlines()
                   if line and line[0] not in "#[")
    check(cfg.get("width") == "28" and cfg.get("height") == "28" and cfg.get("channels") == "1"
          and all(k in cfg for k in ("scale", "mean", "std", "input", "output", "labels")),
          "model.cfg: %s" % " ".join("%s=%s" % kv for kv in sorted(cfg.items())))
    with open(os.path.join(MODEL_DIR, "RECIPE.md")) as f:
        torch_pct, cnn_pct = map(float, RECIPE_LINE.search(f.read()).groups())
    p = subprocess.run([evaluator, "-t", "2", os.path.join(MODEL_DIR, "model.cfg"),
                        os.path.join(DATA, "t10k-images-idx3-ubyte.gz"),
                        os.path.join(DATA, "t10k-labels-idx1-ubyte.gz")],
                       capture_output=True, text=True)
    sys.stdout.write(p.stdout)
    sys.stderr.write(p.stderr)
    m = re.search(r"accuracy ([\d.]+) \(", p.stdout)
    got = float(m.group(1)) * 100 if m and not p.returncode else float("nan")
    check(abs(got - cnn_pct) <= TOLERANCE and abs(got - torch_pct) <= TOLERANCE,
          "accuracy %.2f%% in our runtime; RECIPE.md: PyTorch %.2f%%, gst-cnn %.2f%%"
          % (got, torch_pct, cnn_pct))
    print("Checks: 4, Failures: %d, Errors: 0" % failures)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
