#!/bin/sh
# Writes dcmconv/*.dcm.gz: dcmtk's conversion of the Transcode test inputs
# to Explicit VR Little Endian, the oracle for TestTranscodeDcmconv.
# Run from this folder (dcmtk 3.6.7, Debian):  sh gen_dcmconv_golden.sh
set -e
for f in pydicom/MR_small_implicit pydicom/MR_small_bigendian pydicom/MR_small_expb \
         pydicom/image_dfl suyashkumar/6 pydicom/rtplan; do
	out=dcmconv/$(basename $f).dcm
	dcmconv +te ../../../testdata/$f.dcm $out
	gzip -9 -n -f $out
done
