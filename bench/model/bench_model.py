#!/usr/bin/python3
"""bench/model: latency per frame (batch 1) of whole models in our graph
runtime (bench-model) against PyTorch CPU, one thread and two:

  fashion_mnist  the shipped models/fashion-mnist/model.onnx, 1x1x28x28
  mobilenet      a MobileNet-style stack built here (random weights, seeded):
                 3x3 stride-2 stem, 8 blocks of depthwise 3x3 + BN + ReLU6 +
                 pointwise 1x1 + BN + ReLU6, global average pool, dense 1000;
                 exported to ONNX (opset 13), 1x3x224x224

PyTorch runs the same networks (FashionNet with its own weights: speed does
not depend on them) under the GLIBC_TUNABLES setting that makes it fastest,
each call timed under torch.inference_mode(); its figure is the best of
eager, eager channels_last and torch.jit.trace + optimize_for_inference
(which folds the batch norms, as the ONNX export does). Rounds alternate the
two sides; each keeps the median of its rounds (each round a median of REPS
calls). Prints "ratio model_NAME_tT VALUE" = PyTorch time / our time (> 1:
we are faster).

usage: bench_model.py BUILD_DIR [--reps N] [--rounds R]"""
import argparse
import copy
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile

TUNABLES = ("glibc.malloc.hugetlb=1:glibc.malloc.mmap_threshold=33554432:"
            "glibc.malloc.trim_threshold=4294967296:glibc.malloc.top_pad=268435456")
# PyTorch reads the malloc tunables at start-up: run again under them.
if os.environ.get("GLIBC_TUNABLES") != TUNABLES:
    os.execve(sys.executable, [sys.executable] + sys.argv,
              dict(os.environ, GLIBC_TUNABLES=TUNABLES))

import torch  # noqa: E402

sys.dont_write_bytecode = True
SOURCE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")
sys.path.insert(0, os.path.join(SOURCE, "models", "fashion-mnist"))
import train  # noqa: E402
sys.path.insert(0, os.path.join(SOURCE, "bench", "conv"))
from bench_conv_torch import median_ns  # noqa: E402
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import mobilenet  # noqa: E402

THREADS = (1, 2)


def torch_best(model, shape, reps):
    """(ns, variant) of the fastest way PyTorch runs model on one frame."""
    x = torch.rand(shape)
    best = None
    last = copy.deepcopy(model).to(memory_format=torch.channels_last)
    variants = [("eager", model, x),
                ("channels_last", last, x.to(memory_format=torch.channels_last))]
    with torch.no_grad():
        frozen = torch.jit.optimize_for_inference(torch.jit.trace(model, x).eval())
    variants.append(("jit_optimized", frozen, x))
    with torch.inference_mode():
        for name, m, inp in variants:
            for _ in range(3):  # the traced module optimises itself on its first calls
                m(inp)
            ns = median_ns(lambda: m(inp), reps)
            if best is None or ns < best[0]:
                best = (ns, name)
    return best


def ours_ns(bench, path, shape, threads, reps):
    p = subprocess.run([bench, "-t", str(threads), "-r", str(reps),
                        "-s", "x".join(map(str, shape)), path],
                       check=True, capture_output=True, text=True)
    stats = re.search(r": (\d+ nodes, \d+ fused)", p.stdout).group(1)
    return float(re.search(r"median_ns (\d+)", p.stdout).group(1)), stats


def parse_args():
    """BUILD [--reps N] [--rounds R] of this script and bench_graph_ops.py, and
    the path of bench-model in BUILD."""
    ap = argparse.ArgumentParser()
    ap.add_argument("build")
    ap.add_argument("--reps", type=int, default=30)
    ap.add_argument("--rounds", type=int, default=3)
    args = ap.parse_args()
    return args, os.path.join(os.path.abspath(args.build), "bench", "model", "bench-model")


def main():
    args, bench = parse_args()
    tmp = tempfile.mkdtemp(prefix="bench-model-")
    try:
        mobilenet_path = os.path.join(tmp, "mobilenet.onnx")
        fashion = train.FashionNet().eval()
        cases = [("fashion_mnist", os.path.join(SOURCE, "models", "fashion-mnist", "model.onnx"),
                  fashion, (1, 1, 28, 28), args.reps * 10),
                 ("mobilenet", mobilenet_path, mobilenet.build(20261125), (1, 3, 224, 224),
                  args.reps)]
        mobilenet.export(cases[1][2], mobilenet_path, cases[1][3])
        ours, theirs, variant, info = {}, {}, {}, {}
        for _ in range(args.rounds):
            for name, path, model, shape, reps in cases:
                for t in THREADS:
                    ns, info[name] = ours_ns(bench, path, shape, t, reps)
                    ours.setdefault((name, t), []).append(ns)
                    torch.set_num_threads(t)
                    ns, v = torch_best(model, shape, reps)
                    theirs.setdefault((name, t), []).append(ns)
                    variant.setdefault((name, t), []).append(v)
        print("# batch 1, median of %d rounds (each a median of %d calls, fashion_mnist %d); "
              "%d cores; graphs: %s" % (args.rounds, args.reps, args.reps * 10, os.cpu_count(),
                                        ", ".join("%s %s" % kv for kv in info.items())))
        print("# %-14s %7s %12s %10s %12s %10s  %s" % ("model", "threads", "gst-cnn ms", "frames/s",
                                                   "PyTorch ms", "frames/s", "PyTorch best"))
        for name, _, _, _, _ in cases:
            for t in THREADS:
                a = statistics.median(ours[(name, t)]) / 1e6
                b = statistics.median(theirs[(name, t)]) / 1e6
                best = max(set(variant[(name, t)]), key=variant[(name, t)].count)
                print("# %-14s %7d %12.3f %10.0f %12.3f %10.0f  %s"
                      % (name, t, a, 1e3 / a, b, 1e3 / b, best))
        for name, _, _, _, _ in cases:
            for t in THREADS:
                print("ratio model_%s_t%d %.2f" % (name, t, statistics.median(theirs[(name, t)]) /
                                                   statistics.median(ours[(name, t)])))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
