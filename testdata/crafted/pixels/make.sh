#!/bin/sh
# Regenerates the pixel-data test files in this folder (see ../../README.md)
# from files elsewhere in testdata, with DCMTK 3.6.7 (dcmcjpeg, dcmcjpls,
# dcmdrle, pdf2dcm), OpenJPH 0.9 (ojph_compress), OpenJPEG 2.5
# (opj_compress) and pydicom 2.3.1 + numpy (Debian's python3-pydicom), all
# Debian 12 packages. Run from this folder: sh make.sh
set -eu
P=../../pydicom
S=../../suyashkumar
# JPEG lossless, first-order prediction (process 14 SV1, .4.70) and process
# 14 with selection value 6 (.4.57): lossless, so they decode to exactly the
# source pixels. +ua gives them SOP Instance UIDs of their own.
dcmcjpeg -q +e1 +ua $P/MR_small.dcm MR_small_jpeg_sv1.dcm
dcmcjpeg -q +e1 +ua $P/CT_small.dcm CT_small_jpeg_sv1.dcm
dcmcjpeg -q +el +sv 6 +ua $P/MR_small.dcm MR_small_jpeg_p14.dcm
# Two-frame enhanced CT: with a Basic Offset Table and one fragment per
# frame; and with an empty offset table and 8 KB fragments (frames then
# found by their JPEG start-of-image markers).
dcmcjpeg -q +e1 +ua $S/5.dcm CT5_jpeg_sv1_bot.dcm
dcmcjpeg -q +e1 +ua -ot +fs 8 $S/5.dcm CT5_jpeg_sv1_split.dcm
# Baseline JPEG of an 8-bit grayscale image (lossy, .4.50).
dcmcjpeg -q +eb +ua $P/image_dfl.dcm dfl_jpeg_baseline.dcm
# JPEG-LS colour from the RLE RGB sample: near-lossless (.4.81, line
# interleaved) and lossless without interleaving (.4.80).
dcmdrle -q $P/SC_rgb_rle.dcm rgb_native.tmp
dcmcjpls -q +en +md 2 +ua rgb_native.tmp SC_rgb_jpls_near.dcm
dcmcjpls -q +el +in +ua rgb_native.tmp SC_rgb_jpls_planar.dcm
rm -f rgb_native.tmp
# Encapsulated PDF (a one-page blank PDF written here).
printf '%%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 200 100]>>endobj\ntrailer<</Root 1 0 R>>\n%%%%EOF\n' >tiny.pdf.tmp
pdf2dcm -q +pn 'Pdf^Test' +pi PDF +t 'Test report' +sg tiny.pdf.tmp encapsulated_pdf.dcm
rm -f tiny.pdf.tmp
# The rest (HTJ2K, JPEG 2000 colour, Extended Offset Table, 1-bit
# multi-frame, palette colour, encapsulated PDF, H.264 video) by make.py.
/usr/bin/python3 make.py
