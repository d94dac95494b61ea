#!/usr/bin/python3
"""Read meson's testlog.json and print the closing line `N passed, N failed`.

A check program counts each of its test cases (from its "Checks: N,
Failures: F, Errors: E" line); any other test counts once. A program that
crashed or timed out before check could report counts as one failure. The
exit status is non-zero when anything failed."""
import json
import re
import sys

CHECK_LINE = re.compile(r"Checks: (\d+), Failures: (\d+), Errors: (\d+)")
SKIP_LINE = re.compile(r"^SKIPPED: (\d+)", re.M)


def main(path):
    passed = failed = skipped = 0
    with open(path) as log:
        for line in log:
            if not line.strip():
                continue
            test = json.loads(line)
            out = test.get("stdout", "") or ""
            counts = CHECK_LINE.findall(out)
            result = test.get("result")
            if result == "SKIP":
                skipped += 1
                continue
            if counts:
                for checks, failures, errors in counts:
                    bad = int(failures) + int(errors)
                    passed += int(checks) - bad
                    failed += bad
                # a check run whose process then died still failed
                if result != "OK" and not any(int(f) + int(e) for _, f, e in counts):
                    failed += 1
            elif result == "OK":
                passed += 1
            else:
                failed += 1
            skipped += sum(int(n) for n in SKIP_LINE.findall(out))
            if result != "OK":
                print("FAILED: %s (%s)" % (test.get("name"), result))
    if skipped:  # before the last line, which keeps its fixed form
        print("%d skipped (see the test log for the reasons)" % skipped)
    print("%d passed, %d failed" % (passed, failed))
    return 1 if failed or passed == 0 else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
