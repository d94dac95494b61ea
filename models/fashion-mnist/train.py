#!/usr/bin/python3
"""Train the Fashion-MNIST classifier in PyTorch and export it to ONNX.

Writes OUTDIR/model.onnx (opset 13, input "input" [batch, 1, 28, 28] float,
output "logits" [batch, 10]), OUTDIR/model.cfg (the preprocessing the graph
expects, read by gst-cnn) and OUTDIR/labels.txt, then prints the PyTorch
accuracy on the 10000 test images as "pytorch accuracy 0.XXXX (N/10000)".

Same seed, thread count and arguments give the same model.

usage: train.py OUTDIR [--epochs E | --steps S] [--seed S] [--threads T]
                [--logits FILE]   (FILE: the test-set logits, float32, raw)

The shipped model (models/fashion-mnist/RECIPE.md) is `train.py
models/fashion-mnist --epochs 3`; the tests train for a few hundred steps."""
import argparse
import gzip
import os
import sys

import numpy as np
import torch
import torch.nn as nn

DATA = "/usr/share/datasets/fashion-mnist"
LABELS = ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker",
          "Bag", "Ankle boot"]
# Preprocessing: x = (pixel * SCALE - MEAN) / STD, pixel the 8-bit gray value.
# MEAN and STD are those of the 60000 training images (rounded).
SCALE = 1.0 / 255.0
MEAN = 0.2860
STD = 0.3530
SIDE = 28


def read_idx(path):
    """An idx file (gzip or not) as a uint8 numpy array of its shape."""
    opener = gzip.open if path.endswith(".gz") else open
    with opener(path, "rb") as f:
        data = f.read()
    if data[:2] != b"\0\0" or data[2] != 0x08:
        raise ValueError("%s: not an unsigned-byte idx file" % path)
    ndim = data[3]
    shape = [int.from_bytes(data[4 + 4 * i:8 + 4 * i], "big") for i in range(ndim)]
    return np.frombuffer(data, np.uint8, offset=4 + 4 * ndim).reshape(shape)


def load(kind):
    """Images [N, 1, 28, 28] uint8 and labels [N] of 'train' or 't10k'."""
    images = read_idx(os.path.join(DATA, kind + "-images-idx3-ubyte.gz"))
    labels = read_idx(os.path.join(DATA, kind + "-labels-idx1-ubyte.gz"))
    return images.reshape(-1, 1, SIDE, SIDE), labels


def preprocess(images):
    x = torch.from_numpy(np.array(images)).float()
    return (x * SCALE - MEAN) / STD


class FashionNet(nn.Module):
    """Two conv/BN/ReLU/max-pool stages and two dense layers (106k weights)."""

    def __init__(self):
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv2d(1, 16, 3, padding=1), nn.BatchNorm2d(16), nn.ReLU(), nn.MaxPool2d(2),
            nn.Conv2d(16, 32, 3, padding=1), nn.BatchNorm2d(32), nn.ReLU(), nn.MaxPool2d(2))
        self.classifier = nn.Sequential(
            nn.Flatten(), nn.Linear(32 * 7 * 7, 64), nn.ReLU(), nn.Linear(64, 10))

    def forward(self, x):
        return self.classifier(self.features(x))


def train(seed, epochs=0, steps=0, batch=64, log=sys.stdout):
    """A FashionNet trained with Adam on shuffled training batches: `steps`
    batches when steps > 0, else `epochs` passes over the 60000 images."""
    torch.manual_seed(seed)
    images, labels = load("train")
    y_all = torch.from_numpy(labels.astype(np.int64))
    model = FashionNet()
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    loss_fn = nn.CrossEntropyLoss()
    per_epoch = len(labels) // batch
    total = steps if steps > 0 else epochs * per_epoch
    model.train()
    order = None
    for step in range(total):
        if step % per_epoch == 0:
            order = torch.randperm(len(labels))
        idx = order[(step % per_epoch) * batch:(step % per_epoch + 1) * batch]
        opt.zero_grad()
        loss = loss_fn(model(preprocess(images[idx.numpy()])), y_all[idx])
        loss.backward()
        opt.step()
        if log and (step + 1) % 500 == 0:
            print("step %d/%d loss %.4f" % (step + 1, total, loss.item()), file=log)
    return model.eval()


def test_logits(model, batch=500):
    """Logits [10000, 10] of the test images, and their labels."""
    images, labels = load("t10k")
    x = preprocess(images)
    with torch.no_grad():
        logits = torch.cat([model(x[i:i + batch]) for i in range(0, len(x), batch)])
    return logits.numpy(), labels


def export(model, outdir):
    """model.onnx, model.cfg and labels.txt in outdir."""
    os.makedirs(outdir, exist_ok=True)
    path = os.path.join(outdir, "model.onnx")
    torch.onnx.export(model, torch.zeros(1, 1, SIDE, SIDE), path, opset_version=13,
                      input_names=["input"], output_names=["logits"],
                      dynamic_axes={"input": {0: "batch"}, "logits": {0: "batch"}})
    import onnx
    onnx.checker.check_model(onnx.load(path))
    with open(os.path.join(outdir, "labels.txt"), "w") as f:
        f.write("".join(name + "\n" for name in LABELS))
    with open(os.path.join(outdir, "model.cfg"), "w") as f:
        f.write("# Fashion-MNIST classifier: what the graph expects and gives (written by\n"
                "# train.py). Input: x = (pixel * scale - mean) / std per channel, pixels\n"
                "# resized to width x height, NCHW float32. Output: one logit per label.\n"
                "[model]\n"
                "model=model.onnx\nlabels=labels.txt\ninput=input\noutput=logits\n"
                "output-kind=logits\n"
                "width=%d\nheight=%d\nchannels=1\nchannel-order=gray\nlayout=NCHW\n"
                "scale=%.17g\nmean=%.4f\nstd=%.4f\n" % (SIDE, SIDE, SCALE, MEAN, STD))
    return path


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("outdir")
    ap.add_argument("--epochs", type=int, default=3)
    ap.add_argument("--steps", type=int, default=0, help="train this many batches instead")
    ap.add_argument("--seed", type=int, default=20261125)
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--logits", help="write the test-set logits here (float32, raw)")
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    print("seed %d, %s" % (args.seed, "%d steps" % args.steps if args.steps
                           else "%d epochs" % args.epochs))
    model = train(args.seed, epochs=args.epochs, steps=args.steps)
    export(model, args.outdir)
    logits, labels = test_logits(model)
    if args.logits:
        logits.astype(np.float32).tofile(args.logits)
    correct = int((logits.argmax(1) == labels).sum())
    print("pytorch accuracy %.4f (%d/%d)" % (correct / len(labels), correct, len(labels)))


if __name__ == "__main__":
    main()
