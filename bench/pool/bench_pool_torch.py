#!/usr/bin/python3
"""PyTorch side of bench-pool: times F.max_pool2d / F.avg_pool2d on one
thread for each case given as NAME:MODE:K:N:C:H:W and prints
"NAME MEDIAN_SECONDS" per line (CPU time of this thread, as bench-pool). PyTorch has no uint8 pooling on the CPU, so
the 8-bit cases time it on the same plane in float32 (its best option).
Run under the GLIBC_TUNABLES bench-pool sets (malloc tuned for big buffers)."""
import argparse
import statistics
import time

import torch
import torch.nn.functional as F


def time_call(fn, reps):
    fn()
    start = time.thread_time()
    fn()
    one = time.thread_time() - start
    n = max(1, int(0.02 / max(one, 1e-7)))  # ~20 ms per repetition
    samples = []
    for _ in range(reps):
        start = time.thread_time()
        for _ in range(n):
            fn()
        samples.append((time.thread_time() - start) / n)
    return statistics.median(samples)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--reps", type=int, default=11)
    ap.add_argument("cases", nargs="+")
    args = ap.parse_args()
    torch.set_num_threads(1)
    torch.manual_seed(0)
    with torch.no_grad():
        for spec in args.cases:
            name, mode, k, n, c, h, w = spec.split(":")
            k = int(k)
            x = torch.rand(int(n), int(c), int(h), int(w))
            pool = F.max_pool2d if mode == "max" else F.avg_pool2d
            # its best of the two layouts: channels_last has the vectorised kernels
            xl = x.contiguous(memory_format=torch.channels_last)
            t = min(time_call(lambda: pool(x, k, 2), args.reps),
                    time_call(lambda: pool(xl, k, 2), args.reps))
            print(f"{name} {t:.9f}", flush=True)


if __name__ == "__main__":
    main()
