#!/usr/bin/python3
"""bench/train: training speed of `gst-cnn train` against PyTorch, one thread:
FashionNet (models/fashion-mnist/train.py), Adam lr 1e-3, batches of 64
shuffled Fashion-MNIST training images, preprocessing in the step on both
sides. PyTorch runs under the GLIBC_TUNABLES setting that makes it fastest.

gst-cnn's figure is the training time it prints for STEPS steps (data
loading and the test pass left out); PyTorch's is the same loop as train.py,
timed after a few warm-up steps. Rounds alternate the two sides; each keeps
the median of its rounds. Prints "ratio train_fashionnet_t1 VALUE" = our
steps/s / PyTorch's steps/s (> 1: we are faster).

usage: bench_train.py BUILD_DIR [--steps S] [--rounds R]"""
import argparse
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time

import numpy as np
import torch
import torch.nn as nn

sys.dont_write_bytecode = True
SOURCE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")
sys.path.insert(0, os.path.join(SOURCE, "models", "fashion-mnist"))
import train  # noqa: E402

# PyTorch reads these malloc tunables at start-up: its side runs as a child
# process started under them (--torch).
TUNABLES = ("glibc.malloc.hugetlb=1:glibc.malloc.mmap_threshold=33554432:"
            "glibc.malloc.trim_threshold=4294967296:glibc.malloc.top_pad=268435456")
BATCH = 64
WARMUP = 20


def ours(build, steps):
    """Steps per second of gst-cnn train, as it prints its training time."""
    with tempfile.TemporaryDirectory() as out:
        run = subprocess.run([os.path.join(build, "pipelines", "gst-cnn"), "train", "--steps",
                              str(steps), "--batch", str(BATCH), "--threads", "1", "-o", out],
                             capture_output=True, text=True, check=True)
    seconds = float(re.search(r"test accuracy .*?\), ([0-9.]+) s", run.stdout).group(1))
    return steps / seconds


def torch_steps_per_second(steps):
    """Steps per second of train.py's loop, in this process."""
    torch.set_num_threads(1)
    images, labels = train.load("train")
    labels = torch.from_numpy(labels.astype(np.int64))
    torch.manual_seed(1)
    model = train.FashionNet()
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    loss_fn = nn.CrossEntropyLoss()
    order = torch.randperm(len(labels))
    model.train()
    start = 0.0
    for step in range(WARMUP + steps):
        if step == WARMUP:
            start = time.perf_counter()
        idx = order[step * BATCH:(step + 1) * BATCH]
        opt.zero_grad()
        loss = loss_fn(model(train.preprocess(images[idx.numpy()])), labels[idx])
        loss.backward()
        opt.step()
    return steps / (time.perf_counter() - start)


def theirs(steps):
    """torch_steps_per_second() in a child process under the tunables."""
    run = subprocess.run([sys.executable, os.path.abspath(__file__), "--torch", "--steps",
                          str(steps), "unused"], capture_output=True, text=True, check=True,
                         env=dict(os.environ, GLIBC_TUNABLES=TUNABLES))
    return float(run.stdout)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("build")
    ap.add_argument("--steps", type=int, default=200)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--torch", action="store_true", help="(internal) time PyTorch, print it")
    args = ap.parse_args()
    if args.torch:
        print(torch_steps_per_second(args.steps))
        return
    a, b = [], []
    for _ in range(args.rounds):
        a.append(ours(args.build, args.steps))
        b.append(theirs(args.steps))
    print("# FashionNet, Adam, batch %d, one thread, %d steps, median of %d rounds: "
          "gst-cnn %.1f steps/s, PyTorch %s %.1f steps/s"
          % (BATCH, args.steps, args.rounds, statistics.median(a), torch.__version__,
             statistics.median(b)))
    print("ratio train_fashionnet_t1 %.2f" % (statistics.median(a) / statistics.median(b)))


if __name__ == "__main__":
    main()
