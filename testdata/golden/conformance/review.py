#!/usr/bin/python3
"""Compare the conformance metadata golden files with pydicom's (default) or
dcmtk's (--dcm2json) DICOM JSON of their source files, printing every
difference for a reviewer. Reuses ../dicomjson/compare_pydicom.py.

Usage (from the repository root):

    /usr/bin/python3 testdata/golden/conformance/review.py [--dcm2json]

Golden files are named <folder>-<file>.json after testdata/<folder>/<file>.dcm
and hold the server's metadata array with the base URL as {{BASE}}; the
study-*/series-* files are checked against their crafted sources. A
development tool only: the Go tests never run it.
"""

import json
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
TESTDATA = os.path.join(HERE, "..", "..")
sys.path.insert(0, os.path.join(HERE, "..", "dicomjson"))
import compare_pydicom as cp  # noqa: E402

GROUPS = {
    "series-muller-ct.json": ["crafted/muller_utf8_ct.dcm"],
    "study-muller.json": ["crafted/muller_utf8_ct.dcm", "crafted/muller_utf8_mr.dcm"],
}


def sources(name):
    if name in GROUPS:
        return GROUPS[name]
    folder, base = name[: -len(".json")].split("-", 1)
    return [folder + "/" + base + ".dcm"]


def main(argv):
    use_dcmtk = "--dcm2json" in argv
    for name in sorted(n for n in os.listdir(HERE) if n.endswith(".json")):
        with open(os.path.join(HERE, name), encoding="utf-8") as f:
            ours = json.load(f)
        for obj, src in zip(ours, sources(name)):
            path = os.path.join(TESTDATA, src)
            try:
                theirs = cp.dcm2json(path) if use_dcmtk else cp.pydicom_json(path)
            except Exception as e:  # the oracle's failure is a finding too
                print(f"== {name} ({src}): oracle failed: {e!r}")
                continue
            diffs = []
            cp.compare("", obj, theirs, diffs)
            print(f"== {name} ({src}): {len(diffs)} differences")
            for d in diffs:
                print("  " + d)


if __name__ == "__main__":
    main(sys.argv[1:])
