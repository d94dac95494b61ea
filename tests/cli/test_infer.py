"""gst-cnn infer on ONNX backend node tests (libonnx-testdata): the
output_K.pb it writes hold, read back by the onnx package, the name, shape
and values of the test's own output_K.pb within the backend runner's
tolerance (rtol 1e-3, atol 1e-7). Bad arguments fail with a message naming
the problem. gst-cnn onnx-test runs the same folders."""
import os
import subprocess
import sys
import tempfile

import numpy as np
import onnx
from onnx import numpy_helper

from clitest import GST_CNN, check, finish

NODE = "/usr/share/libonnx-testdata/data/node"
# one input, two inputs with broadcasting, padding, an int64 shape input
# bound as a constant, a reduction over an axis
TESTS = ["test_relu", "test_add_bcast", "test_conv_with_strides_padding",
         "test_maxpool_2d_pads", "test_reshape_negative_dim", "test_softmax_axis_1"]


def gst_cnn(*args):
    return subprocess.run([GST_CNN] + list(args), capture_output=True, text=True, timeout=60)


def data_files(folder, prefix):
    names = sorted((n for n in os.listdir(folder) if n.startswith(prefix)),
                   key=lambda n: int(n[len(prefix):-3]))
    return [os.path.join(folder, n) for n in names]


def reproduces(test, out):
    folder = os.path.join(NODE, test, "test_data_set_0")
    run = gst_cnn("infer", os.path.join(NODE, test, "model.onnx"),
                  *data_files(folder, "input_"), "-o", out)
    check(test + ": exit status 0", run.returncode == 0, run.stderr)
    for want_path in data_files(folder, "output_"):
        got_path = os.path.join(out, os.path.basename(want_path))
        if not os.path.exists(got_path):
            check(test + ": " + got_path + " written", False)
            continue
        want = onnx.load_tensor(want_path)
        got = onnx.load_tensor(got_path)
        w, g = numpy_helper.to_array(want), numpy_helper.to_array(got)
        check(test + ": output name", got.name == want.name, (got.name, want.name))
        check(test + ": output shape", g.shape == w.shape, (g.shape, w.shape))
        if g.shape == w.shape:
            err = np.abs(g.astype(np.float64) - w)
            check(test + ": values", bool(np.all(err <= 1e-7 + 1e-3 * np.abs(w))),
                  "max error %g" % err.max())


def main():
    with tempfile.TemporaryDirectory() as tmp:
        for test in TESTS:
            reproduces(test, os.path.join(tmp, test))

        model = os.path.join(NODE, "test_add_bcast", "model.onnx")
        one = data_files(os.path.join(NODE, "test_add_bcast", "test_data_set_0"), "input_")[0]
        run = gst_cnn("infer", model, one, "-o", os.path.join(tmp, "bad"))
        check("one input for two: refused naming the counts",
              run.returncode == 1 and "1 input tensors for a model of 2 inputs" in run.stderr,
              run.stderr)
        run = gst_cnn("infer", model, "/nonexistent/input_0.pb", one, "-o",
                      os.path.join(tmp, "bad"))
        check("missing input file: named", run.returncode == 1 and
              "/nonexistent/input_0.pb" in run.stderr, run.stderr)
        conv = os.path.join(NODE, "test_conv_with_strides_padding")
        run = gst_cnn("infer", os.path.join(conv, "model.onnx"),
                      *data_files(os.path.join(conv, "test_data_set_0"), "input_"),
                      "-o", os.path.join(tmp, "profiled"), "--profile", "--runs", "3")
        rows = [l.split() for l in run.stdout.splitlines() if not l.startswith("#")]
        check("--profile --runs 3: one row, the Conv, 3 calls, 100%",
              run.returncode == 0 and "1 nodes executed, 3 runs" in run.stdout and
              len(rows) == 1 and rows[0][1:4] == ["100.00", "3", "Conv"] and
              rows[0][4] == "1x1x4x3", run.stdout + run.stderr)
        run = gst_cnn("infer", model, one)
        check("no -o: usage error", run.returncode == 2 and "-o DIR" in run.stderr, run.stderr)

    run = gst_cnn("onnx-test", *[os.path.join(NODE, t) for t in TESTS])
    check("onnx-test runs the same folders", run.returncode == 0 and
          "%d passed, 0 failed" % len(TESTS) in run.stdout, run.stdout + run.stderr)
    return finish()


if __name__ == "__main__":
    sys.exit(main())
