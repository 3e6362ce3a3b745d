#!/usr/bin/python3
"""Writes charset_golden.json: every text value of every file in
testdata/charset as pydicom 2.3.1 decodes it, the oracle for
TestCharsetGolden. Run from this folder with Debian's python3-pydicom:

    /usr/bin/python3 gen_charset_golden.py

Values are keyed by a tag path ("00400275/0/00100010": tag, item index,
tag, ...). PN values are objects of their three component groups; other
text values are lists of strings (empty list for an empty value).
"""
import glob
import json
import os

import pydicom
from pydicom.valuerep import PersonName

TEXT_VRS = {"AE", "AS", "CS", "DA", "DT", "LO", "LT", "PN", "SH", "ST",
            "TM", "UC", "UI", "UR", "UT"}


def values(elem):
    v = elem.value
    if v is None or v == "":
        return []
    if not isinstance(v, (list, pydicom.multival.MultiValue)):
        v = [v]
    out = []
    for x in v:
        if elem.VR == "PN":
            if x is None:
                x = PersonName("")
            groups = list(x.components) + ["", "", ""]
            out.append({"Alphabetic": groups[0], "Ideographic": groups[1],
                        "Phonetic": groups[2]})
        else:
            out.append("" if x is None else str(x))
    return out


def walk(ds, prefix, out):
    for elem in ds:
        path = prefix + "%08X" % elem.tag
        if elem.VR == "SQ":
            for i, item in enumerate(elem.value):
                walk(item, "%s/%d/" % (path, i), out)
        elif elem.VR in TEXT_VRS and elem.tag != 0x00080005:
            out[path] = {"vr": elem.VR, "values": values(elem)}


golden = {}
for f in sorted(glob.glob("../../../testdata/charset/*.dcm")):
    ds = pydicom.dcmread(f)
    out = {}
    walk(ds, "", out)
    golden[os.path.basename(f)] = out
with open("charset_golden.json", "w", encoding="utf-8") as fh:
    json.dump(golden, fh, ensure_ascii=False, indent=1, sort_keys=True)
    fh.write("\n")
