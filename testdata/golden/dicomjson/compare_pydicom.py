#!/usr/bin/python3
"""Compare the dicomjson golden files with pydicom's and dcmtk's DICOM JSON.

Usage (from the repository root):

    /usr/bin/python3 testdata/golden/dicomjson/compare_pydicom.py [--dcm2json] [name.json ...]

For each golden file it converts the source file with pydicom 2.3.1
(Dataset.to_json_dict, values over 64 bytes as BulkDataURI like the Go test's
options) or, with --dcm2json, with dcmtk's dcm2json, and prints every
difference, so that a reviewer can check each one is expected (see README.md).
Numbers are compared by value (FL with single precision); BulkDataURI strings
are not compared, only their presence. A development tool only: the Go tests
never run it.
"""

import base64
import json
import math
import os
import subprocess
import sys

import pydicom

HERE = os.path.dirname(os.path.abspath(__file__))
TESTDATA = os.path.join(HERE, "..", "..")


def source_of(name):
    base = name[: -len(".json")]
    if base.startswith("suyashkumar-"):
        return os.path.join(TESTDATA, "suyashkumar", base[len("suyashkumar-"):] + ".dcm")
    for folder in ("pydicom", "charset"):
        path = os.path.join(TESTDATA, folder, base + ".dcm")
        if os.path.exists(path):
            return path
    raise SystemExit("no source for " + name)


def pydicom_json(path):
    ds = pydicom.dcmread(path)
    return ds.to_json_dict(64, lambda elem: "bulk")


def dcm2json(path):
    out = subprocess.run(["dcm2json", "-fc", path], check=True, capture_output=True).stdout
    return json.loads(out)


def as_float(v):
    if isinstance(v, str):
        v = v.strip()
        low = v.lower()
        if low in ("nan", "-nan"):
            return math.nan
        if low in ("inf", "infinity", "+inf", "+infinity"):
            return math.inf
        if low in ("-inf", "-infinity"):
            return -math.inf
    return float(v)


def same_number(a, b, vr):
    try:
        fa, fb = as_float(a), as_float(b)
    except (TypeError, ValueError):
        return a == b
    if math.isnan(fa) and math.isnan(fb):
        return True
    if fa == fb:
        return True
    tol = 1e-6 if vr == "FL" else 1e-12
    return abs(fa - fb) <= tol * max(abs(fa), abs(fb))


def compare(path, ours, theirs, out):
    for key in sorted(set(ours) | set(theirs)):
        where = path + key
        if key not in ours:
            out.append(f"{where}: only in oracle: {json.dumps(theirs[key])[:120]}")
            continue
        if key not in theirs:
            out.append(f"{where}: only in golden: {json.dumps(ours[key])[:120]}")
            continue
        a, b = ours[key], theirs[key]
        if a.get("vr") != b.get("vr"):
            out.append(f"{where}: vr {a.get('vr')} vs oracle {b.get('vr')}")
        vr = a.get("vr")
        kinds_a = sorted(k for k in a if k != "vr")
        kinds_b = sorted(k for k in b if k != "vr")
        if kinds_a != kinds_b:
            out.append(f"{where}: {kinds_a or 'empty'} vs oracle {kinds_b or 'empty'}")
            continue
        if "InlineBinary" in a and base64.b64decode(a["InlineBinary"]) != base64.b64decode(b["InlineBinary"]):
            out.append(f"{where}: InlineBinary differs")
        if "Value" not in a:
            continue
        va, vb = a["Value"], b["Value"]
        if len(va) != len(vb):
            out.append(f"{where}: {len(va)} values vs oracle {len(vb)}: {va!r:.100} vs {vb!r:.100}")
            continue
        for i, (x, y) in enumerate(zip(va, vb)):
            w = f"{where}[{i}]"
            if vr == "SQ":
                compare(w + ".", x, y, out)
            elif vr in ("DS", "IS", "FL", "FD", "SL", "SS", "UL", "US", "SV", "UV"):
                if x is None or y is None:
                    if x != y:
                        out.append(f"{w}: {x!r} vs oracle {y!r}")
                elif not same_number(x, y, vr):
                    out.append(f"{w}: {x!r} vs oracle {y!r}")
            elif x != y:
                out.append(f"{w}: {x!r:.100} vs oracle {y!r:.100}")


def main(argv):
    use_dcmtk = "--dcm2json" in argv
    names = [a for a in argv if not a.startswith("--")] or sorted(
        n for n in os.listdir(HERE) if n.endswith(".json"))
    for name in names:
        with open(os.path.join(HERE, name), encoding="utf-8") as f:
            ours = json.load(f)
        src = source_of(name)
        try:
            theirs = dcm2json(src) if use_dcmtk else pydicom_json(src)
        except Exception as e:  # the oracle's failure is a finding too
            print(f"== {name}: oracle failed: {e!r}")
            continue
        diffs = []
        compare("", ours, theirs, diffs)
        print(f"== {name}: {len(diffs)} differences")
        for d in diffs:
            print("  " + d)


if __name__ == "__main__":
    main(sys.argv[1:])
