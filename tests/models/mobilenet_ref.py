#!/usr/bin/python3
"""The MobileNet-style stack of bench/model (depthwise 3x3 + BN + ReLU6 +
pointwise 1x1 + BN + ReLU6 blocks, exported by torch.onnx: Conv with folded
batch norms, Clip, GlobalAveragePool, Gemm) on a 1x3x64x64 input from the
seed, written as an ONNX backend test directory and run by cnn-onnx-test on
one thread and two against PyTorch's logits (rtol 1e-4, atol 1e-5).

usage: mobilenet_ref.py RUNNER WORKDIR     (CNN_TEST_SEED overrides the seed)"""
import os
import subprocess
import sys

import numpy as np
import onnx
import torch
from onnx import numpy_helper

sys.dont_write_bytecode = True  # nothing written into the source tree
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "bench",
                                "model"))
import mobilenet  # noqa: E402

SEED = int(os.environ.get("CNN_TEST_SEED", "20261125"), 0)
RTOL, ATOL = 1e-4, 1e-5
SHAPE = (1, 3, 64, 64)


def main(runner, workdir):
    print("seed %d (set CNN_TEST_SEED to replay)" % SEED)
    torch.set_num_threads(1)
    model = mobilenet.build(SEED)
    x = torch.rand(SHAPE, generator=torch.Generator().manual_seed(SEED))
    with torch.no_grad():
        y = model(x)
    d = os.path.join(workdir, "test_mobilenet_stack")
    os.makedirs(os.path.join(d, "test_data_set_0"), exist_ok=True)
    path = os.path.join(d, "model.onnx")
    mobilenet.export(model, path, SHAPE)
    onnx.checker.check_model(onnx.load(path))
    print("logits: |max| %.3g, std %.3g" % (y.abs().max(), y.std()))
    for kind, name, t in (("input", "input", x), ("output", "logits", y)):
        proto = numpy_helper.from_array(t.numpy().astype(np.float32), name)
        with open(os.path.join(d, "test_data_set_0", kind + "_0.pb"), "wb") as f:
            f.write(proto.SerializeToString())
    status = 0
    for threads in (1, 2):
        out = subprocess.run([runner, "-t", str(threads), "--rtol", str(RTOL), "--atol", str(ATOL),
                              workdir], capture_output=True, text=True)
        sys.stdout.write("%d threads: %s" % (threads, out.stdout))
        sys.stderr.write(out.stderr)
        status |= out.returncode
    return status


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], sys.argv[2]))
