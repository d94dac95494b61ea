#!/usr/bin/python3
"""The Fashion-MNIST classifier of models/fashion-mnist/train.py, trained for
a few hundred steps (fixed seed, one thread), exported to ONNX and run by
cnn-model-eval on the 10000 test images: our logits against PyTorch's
(|got - want| <= 1e-4 + 1e-4 |want|), the same predictions and accuracy, and
the same logits on one thread and two.

usage: fashion_mnist_ref.py EVAL WORKDIR     (CNN_TEST_SEED overrides the seed)"""
import os
import re
import subprocess
import sys

import numpy as np
import torch

sys.dont_write_bytecode = True  # nothing written into the source tree

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "models",
                                "fashion-mnist"))
import train  # noqa: E402

SEED = int(os.environ.get("CNN_TEST_SEED", "20261125"), 0)
STEPS = 300
RTOL = ATOL = 1e-4


def run_eval(evaluator, workdir, threads):
    """Accuracy printed by cnn-model-eval, and its logits [N, 10]."""
    out = os.path.join(workdir, "logits-t%d.f32" % threads)
    p = subprocess.run([evaluator, "-t", str(threads), "-o", out,
                        os.path.join(workdir, "model.cfg"),
                        os.path.join(train.DATA, "t10k-images-idx3-ubyte.gz"),
                        os.path.join(train.DATA, "t10k-labels-idx1-ubyte.gz")],
                       capture_output=True, text=True)
    sys.stdout.write(p.stdout)
    sys.stderr.write(p.stderr)
    if p.returncode:
        raise RuntimeError("cnn-model-eval failed with status %d" % p.returncode)
    correct = int(re.search(r"accuracy [\d.]+ \((\d+)/", p.stdout).group(1))
    return correct, np.fromfile(out, np.float32).reshape(-1, 10)


def main(evaluator, workdir):
    print("seed %d (set CNN_TEST_SEED to replay), %d training steps" % (SEED, STEPS))
    torch.set_num_threads(1)
    model = train.train(SEED, steps=STEPS, log=None)
    train.export(model, workdir)
    want, labels = train.test_logits(model)
    torch_correct = int((want.argmax(1) == labels).sum())
    print("pytorch accuracy %.4f (%d/%d)" % (torch_correct / len(labels), torch_correct,
                                              len(labels)))
    failures = 0

    def check(ok, what):
        nonlocal failures
        print("%s: %s" % ("ok" if ok else "FAILED", what))
        failures += not ok

    try:
        correct, got = run_eval(evaluator, workdir, 1)
        correct2, got2 = run_eval(evaluator, workdir, 2)
    except (RuntimeError, AttributeError, ValueError) as e:
        print("cnn-model-eval: %s" % e)
        print("Checks: 4, Failures: 0, Errors: 4")
        return 1
    ratio = np.abs(got - want) / (ATOL + RTOL * np.abs(want))
    worst = np.unravel_index(ratio.argmax(), ratio.shape)
    check(got.shape == want.shape and ratio.max() <= 1.0,
          "logits of the 10000 test images within %g + %g|want| "
          "(worst %s: %g vs %g, max |diff| %.3g)"
          % (ATOL, RTOL, tuple(int(i) for i in worst), got[worst], want[worst],
             np.abs(got - want).max()))
    # An image whose two best PyTorch logits are closer than the tolerance may
    # be classified either way; every other prediction must be the same.
    top2 = np.sort(want, axis=1)[:, -2:]
    near_tie = (top2[:, 1] - top2[:, 0]) <= 2 * (ATOL + RTOL * np.abs(top2[:, 1]))
    differ = (got.argmax(1) != want.argmax(1)) & ~near_tie
    check(not differ.any(), "same predictions (%d differ outside %d near-ties)"
          % (differ.sum(), near_tie.sum()))
    check(abs(correct - torch_correct) <= near_tie.sum(),
          "accuracy gst-cnn %.4f, PyTorch %.4f" % (correct / len(labels),
                                                   torch_correct / len(labels)))
    check(correct2 == correct and np.array_equal(got2.view(np.uint32), got.view(np.uint32)),
          "same logits on 1 and 2 threads")
    print("Checks: 4, Failures: %d, Errors: 0" % failures)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], sys.argv[2]))
