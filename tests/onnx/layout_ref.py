#!/usr/bin/python3
"""Transpose, Concat and Pad on tensors large enough to run on the thread
pool (more than 2^17 floats read and written, see node_is_small in
core/graph/graph.c): NCHW <-> NHWC and other permutations (the tiled 2-D
path, the row walk, size-1 dimensions), concatenation on the first, a middle
and the last axis, constant/reflect/edge padding with negative pads. Built
with onnx.helper, references from numpy (np.transpose, np.concatenate,
np.pad), written as backend test directories under OUTDIR and run by
cnn-onnx-test on 1 and on 3 threads with rtol = atol = 0: both runs must
reproduce numpy exactly, hence each other.

usage: layout_ref.py RUNNER OUTDIR     (CNN_TEST_SEED overrides the seed)"""
import os
import subprocess
import sys

import numpy as np
import onnx
from onnx import helper, numpy_helper, TensorProto

SEED = int(os.environ.get("CNN_TEST_SEED", "20261125"), 0)


def write_test(root, name, node, inputs, inits, want):
    """A backend test directory: one node, float inputs, int64/float initialisers."""
    graph = helper.make_graph(
        [node], name,
        [helper.make_tensor_value_info(k, TensorProto.FLOAT, v.shape) for k, v in inputs],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, want.shape)],
        [numpy_helper.from_array(v, k) for k, v in inits])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)])
    onnx.checker.check_model(model)
    folder = os.path.join(root, name, "test_data_set_0")
    os.makedirs(folder)
    onnx.save(model, os.path.join(root, name, "model.onnx"))
    for i, (k, v) in enumerate(inputs):
        onnx.save_tensor(numpy_helper.from_array(v, k), os.path.join(folder, f"input_{i}.pb"))
    onnx.save_tensor(numpy_helper.from_array(want, "y"), os.path.join(folder, "output_0.pb"))


def np_pad(x, pads, mode, value):
    """ONNX Pad: negative pads crop, then numpy pads the rest."""
    r = x.ndim
    before, after = pads[:r], pads[r:]
    x = x[tuple(slice(max(0, -b), x.shape[d] - max(0, -a))
                for d, (b, a) in enumerate(zip(before, after)))]
    width = [(max(0, b), max(0, a)) for b, a in zip(before, after)]
    if mode == "constant":
        return np.pad(x, width, mode="constant", constant_values=value)
    return np.pad(x, width, mode=mode)


def main():
    runner, root = sys.argv[1], sys.argv[2]
    rng = np.random.default_rng(SEED)
    if os.path.isdir(root):
        subprocess.run(["rm", "-rf", root], check=True)
    os.makedirs(root)

    def rand(*shape):
        return rng.uniform(-1, 1, size=shape).astype(np.float32)

    transposes = [("nchw_to_nhwc", (2, 24, 48, 50), (0, 2, 3, 1)),
                  ("nhwc_to_nchw", (1, 200, 220, 3), (0, 3, 1, 2)),
                  ("matrix", (300, 450), (1, 0)),
                  ("default_perm", (40, 50, 70), None),
                  ("mixed", (6, 10, 30, 40), (2, 0, 3, 1)),
                  ("rows_kept", (2, 3, 40, 50, 12), (0, 1, 3, 2, 4)),
                  ("size_one_dims", (1, 64, 1, 45, 50), (0, 3, 4, 1, 2))]
    for name, shape, perm in transposes:
        x = rand(*shape)
        attrs = {"perm": list(perm)} if perm else {}
        write_test(root, "transpose_" + name, helper.make_node("Transpose", ["x"], ["y"], **attrs),
                   [("x", x)], [], np.ascontiguousarray(np.transpose(x, perm)))

    concats = [("axis0", 0, [(40, 40, 30), (30, 40, 30)]),
               ("axis1", 1, [(2, 16, 64, 64), (2, 5, 64, 64), (2, 11, 64, 64)]),
               ("last_axis", -1, [(8, 8, 50, 33), (8, 8, 50, 17)])]
    for name, axis, shapes in concats:
        xs = [("x%d" % i, rand(*s)) for i, s in enumerate(shapes)]
        write_test(root, "concat_" + name,
                   helper.make_node("Concat", [k for k, _ in xs], ["y"], axis=axis), xs, [],
                   np.concatenate([v for _, v in xs], axis=axis))

    pads = [("constant", (2, 20, 60, 64), (0, 1, 2, 3, 0, 2, 1, 4), "constant", 1.5),
            ("reflect", (1, 16, 90, 100), (0, 0, 3, 5, 0, 0, 4, 2), "reflect", 0.0),
            ("edge", (2, 10, 70, 90), (1, 0, 2, 2, 0, 3, 1, 0), "edge", 0.0),
            ("negative", (2, 20, 60, 64), (0, 0, -2, 3, 0, 0, 1, -4), "constant", -2.0)]
    for name, shape, p, mode, value in pads:
        x = rand(*shape)
        inits = [("pads", np.array(p, dtype=np.int64)),
                 ("value", np.array(value, dtype=np.float32))]
        node = helper.make_node("Pad", ["x", "pads", "value"], ["y"], mode=mode)
        write_test(root, "pad_" + name, node, [("x", x)], inits, np_pad(x, p, mode, value))

    count = len(transposes) + len(concats) + len(pads)
    status = 0
    for threads in (1, 3):
        # the runner's "Checks: N, Failures: F" lines are this test's counts
        run = subprocess.run([runner, "-q", "-t", str(threads), "--rtol", "0", "--atol", "0",
                              root], capture_output=True, text=True)
        sys.stdout.write(run.stdout + run.stderr)
        if run.returncode != 0 or "%d passed, 0 failed" % count not in run.stdout:
            print("FAIL on %d threads" % threads)
            status = 1
    return status

if __name__ == "__main__":
    sys.exit(main())
