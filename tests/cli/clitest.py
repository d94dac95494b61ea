"""What the cli script tests share: the gst-cnn path and check-style counting
(tests/summarize.py reads the closing "Checks: N, Failures: F, Errors: 0")."""
import os
import sys

BUILD = os.environ.get("CNN_BUILD_ROOT", "build")
SOURCE = os.environ.get("CNN_SOURCE_ROOT", ".")
GST_CNN = os.path.join(BUILD, "pipelines", "gst-cnn")

counts = {"checks": 0, "failures": 0, "skipped": 0}


def check(name, ok, detail=""):
    counts["checks"] += 1
    if not ok:
        counts["failures"] += 1
    print("%s: %s%s" % ("PASS" if ok else "FAIL", name, "" if ok else " -- " + str(detail)))
    sys.stdout.flush()


def skip(name):
    counts["skipped"] += 1
    print("SKIP: " + name)


def finish():
    """Print the summary line; the exit status for sys.exit."""
    print("Checks: %d, Failures: %d, Errors: 0" % (counts["checks"], counts["failures"]))
    if counts["skipped"]:
        print("SKIPPED: %d" % counts["skipped"])
    return 1 if counts["failures"] else 0
