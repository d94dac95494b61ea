#!/usr/bin/python3
"""bench/model: one ConvTranspose layer (an upsampling decoder step) through
the graph runtime (bench-model) against PyTorch's conv_transpose2d, batch 1,
one thread and two: 1x64x56x56 -> 32 channels, kernel 4, stride 2,
padding 1 (output 1x32x112x112), random weights and bias, exported to ONNX.

PyTorch is measured at its best as in bench_model.py (same GLIBC_TUNABLES,
best of eager, channels_last and jit), rounds alternating the two sides.
Prints "ratio conv_transpose_tT VALUE" = PyTorch time / our time.

usage: bench_conv_transpose.py BUILD_DIR [--reps N] [--rounds R]"""
import argparse
import os
import shutil
import statistics
import sys
import tempfile

sys.dont_write_bytecode = True
import bench_model  # noqa: E402  (re-runs this script under the malloc tunables)
import torch  # noqa: E402

SHAPE = (1, 64, 56, 56)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("build")
    ap.add_argument("--reps", type=int, default=30)
    ap.add_argument("--rounds", type=int, default=3)
    args = ap.parse_args()
    bench = os.path.join(os.path.abspath(args.build), "bench", "model", "bench-model")
    torch.manual_seed(20261125)
    layer = torch.nn.ConvTranspose2d(SHAPE[1], 32, 4, stride=2, padding=1).eval()
    tmp = tempfile.mkdtemp(prefix="bench-convt-")
    try:
        path = os.path.join(tmp, "conv_transpose.onnx")
        torch.onnx.export(layer, torch.zeros(SHAPE), path, opset_version=13,
                          input_names=["x"], output_names=["y"])
        ours, theirs = {}, {}
        for _ in range(args.rounds):
            for t in bench_model.THREADS:
                ns, _ = bench_model.ours_ns(bench, path, SHAPE, t, args.reps)
                ours.setdefault(t, []).append(ns)
                torch.set_num_threads(t)
                ns, _ = bench_model.torch_best(layer, SHAPE, args.reps)
                theirs.setdefault(t, []).append(ns)
        print("# ConvTranspose 1x64x56x56 -> 1x32x112x112, k4 s2 p1; median of %d rounds "
              "of %d calls" % (args.rounds, args.reps))
        print("# %7s %12s %12s" % ("threads", "gst-cnn ms", "PyTorch ms"))
        for t in bench_model.THREADS:
            print("# %7d %12.3f %12.3f" % (t, statistics.median(ours[t]) / 1e6,
                                          statistics.median(theirs[t]) / 1e6))
        for t in bench_model.THREADS:
            print("ratio conv_transpose_t%d %.2f" % (t, statistics.median(theirs[t]) /
                                                     statistics.median(ours[t])))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
