#!/usr/bin/python3
"""bench/model: single graph operators through the graph runtime
(bench-model) against PyTorch, batch 1, one thread and two:

  conv_transpose   ConvTranspose 1x64x56x56 -> 32 channels, kernel 4, stride 2,
                   padding 1 (an upsampling decoder step; random weights, bias)
  to_nhwc          Transpose 1x64x112x112, perm 0,2,3,1 (permute().contiguous())
  to_nchw          Transpose 1x224x224x3, perm 0,3,1,2
  transpose_mixed  Transpose 8x64x28x28, perm 2,0,3,1
  concat           Concat of two 1x64x112x112 on the channels (torch.cat)
  pad_reflect      Pad 1x64x112x112 by 1 pixel, reflect (F.pad)

Each is one ONNX node (ConvTranspose exported by torch.onnx, the others
built with onnx.helper). PyTorch runs under the GLIBC_TUNABLES of
bench_model.py; ConvTranspose at its best as there (eager, channels_last,
jit), the layout operators eagerly. Rounds alternate the two sides; each
keeps the median of its rounds. Prints "ratio NAME_tT VALUE" = PyTorch time
/ our time.

usage: bench_graph_ops.py BUILD_DIR [--reps N] [--rounds R]"""
import os
import shutil
import statistics
import sys
import tempfile

sys.dont_write_bytecode = True
import bench_model  # noqa: E402  (re-runs this script under the malloc tunables)
import onnx  # noqa: E402
import torch  # noqa: E402
import torch.nn.functional as F  # noqa: E402
from onnx import helper, TensorProto  # noqa: E402


def layout_model(path, op, inputs, out_shape, inits=(), **attrs):
    graph = helper.make_graph(
        [helper.make_node(op, [n for n, _ in inputs] + [i.name for i in inits], ["y"], **attrs)],
        op, [helper.make_tensor_value_info(n, TensorProto.FLOAT, s) for n, s in inputs],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, out_shape)], list(inits))
    onnx.save(helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)]), path)


def cases(tmp):
    """(name, ONNX path, input shape, PyTorch ns function of reps)."""
    torch.manual_seed(20261125)
    layer = torch.nn.ConvTranspose2d(64, 32, 4, stride=2, padding=1).eval()
    path = os.path.join(tmp, "conv_transpose.onnx")
    torch.onnx.export(layer, torch.zeros(1, 64, 56, 56), path, opset_version=13,
                      input_names=["x"], output_names=["y"])
    out = [("conv_transpose", path, (1, 64, 56, 56),
            lambda reps: bench_model.torch_best(layer, (1, 64, 56, 56), reps)[0])]

    def eager(fn, *shapes):
        xs = [torch.rand(s) for s in shapes]
        return lambda reps: bench_model.median_ns(lambda: fn(*xs), reps)

    for name, shape, perm in [("to_nhwc", (1, 64, 112, 112), (0, 2, 3, 1)),
                              ("to_nchw", (1, 224, 224, 3), (0, 3, 1, 2)),
                              ("transpose_mixed", (8, 64, 28, 28), (2, 0, 3, 1))]:
        path = os.path.join(tmp, name + ".onnx")
        layout_model(path, "Transpose", [("x", shape)], [shape[p] for p in perm], perm=perm)
        out.append((name, path, shape,
                    eager(lambda x, perm=perm: x.permute(perm).contiguous(), shape)))
    shape = (1, 64, 112, 112)
    path = os.path.join(tmp, "concat.onnx")
    layout_model(path, "Concat", [("a", shape), ("b", shape)], (1, 128, 112, 112), axis=1)
    out.append(("concat", path, shape, eager(lambda a, b: torch.cat((a, b), 1), shape, shape)))
    path = os.path.join(tmp, "pad_reflect.onnx")
    pads = helper.make_tensor("pads", TensorProto.INT64, [8], [0, 0, 1, 1, 0, 0, 1, 1])
    layout_model(path, "Pad", [("x", shape)], (1, 64, 114, 114), [pads], mode="reflect")
    out.append(("pad_reflect", path, shape,
                eager(lambda x: F.pad(x, (1, 1, 1, 1), mode="reflect"), shape)))
    return out


def main():
    args, bench = bench_model.parse_args()
    tmp = tempfile.mkdtemp(prefix="bench-graph-ops-")
    try:
        todo = cases(tmp)
        ours, theirs = {}, {}
        with torch.inference_mode():
            for _ in range(args.rounds):
                for name, path, shape, torch_ns in todo:
                    for t in bench_model.THREADS:
                        ns, _ = bench_model.ours_ns(bench, path, shape, t, args.reps)
                        ours.setdefault((name, t), []).append(ns)
                        torch.set_num_threads(t)
                        theirs.setdefault((name, t), []).append(torch_ns(args.reps))
        print("# batch 1, median of %d rounds of %d calls" % (args.rounds, args.reps))
        print("# %-16s %7s %12s %12s" % ("operator", "threads", "gst-cnn ms", "PyTorch ms"))
        for name, _, _, _ in todo:
            for t in bench_model.THREADS:
                print("# %-16s %7d %12.3f %12.3f" % (name, t,
                                                     statistics.median(ours[(name, t)]) / 1e6,
                                                     statistics.median(theirs[(name, t)]) / 1e6))
        for name, _, _, _ in todo:
            for t in bench_model.THREADS:
                print("ratio %s_t%d %.2f" % (name, t, statistics.median(theirs[(name, t)]) /
                                             statistics.median(ours[(name, t)])))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
