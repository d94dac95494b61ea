#!/usr/bin/python3
"""Export check. Every ONNX backend test model this build reads is written
back by onnx_roundtrip; the copy must pass onnx.checker, keep the original's
nodes, attributes and initialisers (Constant nodes become initialisers),
write back byte for byte when read again, and give the same backend test
result as the original. A small CNN built in C must pass onnx.checker too,
and be written byte for byte the same after being prepared (fused) and run.

usage: export_check.py ROUNDTRIP RUNNER TESTDATA OUTDIR
Prints check's "Checks: N, Failures: F, Errors: 0" line."""
import os
import shutil
import subprocess
import sys

import numpy as np
import onnx
from onnx import helper, numpy_helper

SETS = ("node", "pytorch-converted", "pytorch-operator", "simple")


def constants(model):
    """Initialisers and Constant node values by name, as numpy arrays."""
    out = {t.name: numpy_helper.to_array(t) for t in model.graph.initializer}
    for n in model.graph.node:
        if n.op_type == "Constant":
            a = n.attribute[0]
            v = helper.get_attribute_value(a)
            out[n.output[0]] = (numpy_helper.to_array(v) if a.name == "value"
                                else np.array(v))
    return out


def same_model(orig, copy):
    """None when copy has orig's nodes, attributes and constants, else why not."""
    nodes = [n for n in orig.graph.node if n.op_type != "Constant"]
    if len(nodes) != len(copy.graph.node):
        return f"{len(copy.graph.node)} nodes, expected {len(nodes)}"
    def inputs(n):  # trailing omitted optional inputs are dropped
        names = list(n.input)
        while names and not names[-1]:
            names.pop()
        return names

    for a, b in zip(nodes, copy.graph.node):
        if (a.op_type, inputs(a), list(a.output)) != (b.op_type, inputs(b), list(b.output)):
            return f"node {a.name or a.output[0]} differs"
        attrs_a = {x.name: helper.get_attribute_value(x) for x in a.attribute}
        attrs_b = {x.name: helper.get_attribute_value(x) for x in b.attribute}
        if attrs_a != attrs_b:
            return f"node {a.name or a.output[0]}: attributes {attrs_b} != {attrs_a}"
    ca, cb = constants(orig), constants(copy)
    if set(ca) != set(cb):
        return f"constants {sorted(cb)} != {sorted(ca)}"
    for k in ca:
        if ca[k].shape != cb[k].shape or not np.array_equal(ca[k].astype(cb[k].dtype), cb[k]):
            return f"constant {k} differs"
    return None


def status_lines(runner, dirs):
    out = subprocess.run([runner] + dirs, capture_output=True, text=True).stdout
    return [line.split(":")[0] for line in out.splitlines()
            if line.startswith(("PASS", "FAIL", "SKIP"))]


def main(roundtrip, runner, testdata, outdir):
    shutil.rmtree(outdir, ignore_errors=True)
    checks = failures = 0
    originals, copies = [], []

    def fail(msg):
        nonlocal failures
        failures += 1
        print("FAIL", msg)

    for s in SETS:
        for test in sorted(os.listdir(os.path.join(testdata, s))):
            src = os.path.join(testdata, s, test)
            if not os.path.isfile(os.path.join(src, "model.onnx")):
                continue
            dst = os.path.join(outdir, s, test)
            os.makedirs(dst)
            model = os.path.join(dst, "model.onnx")
            r = subprocess.run([roundtrip, os.path.join(src, "model.onnx"), model],
                               capture_output=True, text=True)
            if r.returncode == 77:
                shutil.rmtree(dst)
                continue
            checks += 1
            if r.returncode != 0:
                fail(f"{s}/{test}: {r.stderr.strip()}")
                continue
            try:
                copy = onnx.load(model)
                onnx.checker.check_model(copy)
            except Exception as e:  # the checker's own exception types vary
                fail(f"{s}/{test}: onnx.checker: {e}")
                continue
            why = same_model(onnx.load(os.path.join(src, "model.onnx")), copy)
            if why:
                fail(f"{s}/{test}: {why}")
                continue
            again = os.path.join(dst, "again.onnx")
            subprocess.run([roundtrip, model, again], check=True)
            with open(model, "rb") as f1, open(again, "rb") as f2:
                if f1.read() != f2.read():
                    fail(f"{s}/{test}: reading the copy back and writing it differs")
                    continue
            os.remove(again)
            for d in os.listdir(src):
                if d.startswith("test_data_set_"):
                    os.symlink(os.path.join(src, d), os.path.join(dst, d))
            originals.append(src)
            copies.append(dst)
    if status_lines(runner, originals) != status_lines(runner, copies):
        fail("backend test results of the copies differ from the originals'")
    built = os.path.join(outdir, "built_small_cnn.onnx")
    checks += 1
    subprocess.run([roundtrip, "--built", built], check=True)
    try:
        onnx.checker.check_model(onnx.load(built), full_check=True)
    except Exception as e:
        fail(f"graph built in C: onnx.checker: {e}")
    prepared = os.path.join(outdir, "built_small_cnn_prepared.onnx")
    checks += 1
    subprocess.run([roundtrip, "--prepared", prepared], check=True)
    with open(built, "rb") as a, open(prepared, "rb") as b:
        if a.read() != b.read():
            fail("graph built in C: written after prepare, the file differs from before")
    print(f"{len(copies)} models written back, plus one built in C (and prepared)")
    print(f"Checks: {checks}, Failures: {failures}, Errors: 0")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:5]))
