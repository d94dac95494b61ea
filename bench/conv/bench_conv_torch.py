#!/usr/bin/python3
"""PyTorch side of bench-conv: time torch.nn.functional.conv2d on the same
layers and print one line per (layer, threads):

  torch LAYER THREADS MEDIAN_NS

Run it under the GLIBC_TUNABLES setting of bench-conv (malloc keeps its big
blocks), which is PyTorch at its best on these machines."""
import argparse
import time

import torch
import torch.nn.functional as F

# name, cin, cout, size, stride: 3x3 kernels, padding 1, N = 1
LAYERS = [
    ("rgb3_to_16_224", 3, 16, 224, 1),
    ("c16_to_16_s2_224", 16, 16, 224, 2),
]


def median_ns(fn, reps):
    fn()
    times = []
    for _ in range(reps):
        t0 = time.perf_counter_ns()
        fn()
        times.append(time.perf_counter_ns() - t0)
    times.sort()
    return times[len(times) // 2]


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--reps", type=int, default=50)
    ap.add_argument("--threads", default="1,2")
    args = ap.parse_args()
    torch.manual_seed(0)
    with torch.inference_mode():
        for name, cin, cout, size, stride in LAYERS:
            x = torch.rand(1, cin, size, size)
            w = torch.rand(cout, cin, 3, 3) - 0.5
            b = torch.rand(cout)
            for threads in map(int, args.threads.split(",")):
                torch.set_num_threads(threads)
                ns = median_ns(lambda: F.conv2d(x, w, b, stride=stride, padding=1), args.reps)
                print("torch %s %d %d" % (name, threads, ns), flush=True)


if __name__ == "__main__":
    main()
