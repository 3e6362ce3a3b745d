#!/usr/bin/python3
"""Writes structure_golden.json: the top-level elements of every test file
that pydicom 2.3.1 reads, as pydicom's reader sees them before any value
is converted (tag, VR, value offset, value length), the oracle for
TestStructureGolden. Run from this folder with Debian's python3-pydicom:

    /usr/bin/python3 gen_structure_golden.py

Offsets of deflated files count bytes of the inflated dataset, like Parse.
Sequences carry no offset (pydicom parses them eagerly and keeps none).
"""
import glob
import json
import os
import warnings

import pydicom
from pydicom.dataelem import RawDataElement

warnings.simplefilter("ignore")

golden = {}
files = sorted(glob.glob("../../../testdata/*/*.dcm"))
for f in files:
    name = os.path.relpath(f, "../../../testdata")
    forced = False
    try:
        ds = pydicom.dcmread(f)
    except pydicom.errors.InvalidDicomError:
        ds = pydicom.dcmread(f, force=True)  # no "DICM": a bare dataset
        forced = True
    elems = []
    for tag, e in ds._dict.items():
        if isinstance(e, RawDataElement):
            elems.append({"tag": "%08X" % tag, "vr": e.VR or "", "offset": e.value_tell,
                          "length": -1 if e.length == 0xFFFFFFFF else e.length})
        else:
            elems.append({"tag": "%08X" % tag, "vr": e.VR, "offset": -2,
                          "length": -2})
    golden[name] = {"transfer_syntax": str(ds.file_meta.get("TransferSyntaxUID", "")),
                    "forced": forced, "elements": elems}
# One element per line keeps the file small and its diffs readable.
with open("structure_golden.json", "w") as fh:
    fh.write("{\n")
    for i, name in enumerate(sorted(golden)):
        g = golden[name]
        fh.write('%s: {"transfer_syntax": %s, "forced": %s, "elements": [\n' % (
            json.dumps(name), json.dumps(g["transfer_syntax"]), json.dumps(g["forced"])))
        fh.write(",\n".join(json.dumps(e, sort_keys=True, separators=(",", ":")) for e in g["elements"]))
        fh.write("\n]}%s\n" % ("," if i < len(golden) - 1 else ""))
    fh.write("}\n")
