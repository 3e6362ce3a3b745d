#!/bin/sh
# Reference renderings for conformance/rendered_test.go, made with DCMTK
# 3.6.7's dcmj2pnm (Debian 12). Run from this folder: sh make.sh
# Each line: reference name, testdata file, dcmj2pnm options. For JPEG 2000
# and HTJ2K (and JPEG-LS, which dcmj2pnm 3.6.7 refuses), the lossless
# source file is rendered instead. Default VOI as pacslite applies it: the
# first window in the file (+Wi 1), else min-max over the frame (+Wm);
# colour images are not windowed. The enhanced CT (5.dcm) keeps its window
# (49/102 HU) and rescale (-1024) in functional groups, which dcmj2pnm
# ignores: its window is given on stored values (+Ww 49 102).
set -eu
T=../..
render() { # out-name options file
	name=$1
	shift
	dcmj2pnm -q +on "$@" "$name.png"
}
while read -r name file opts; do
	[ -z "$name" ] && continue
	# shellcheck disable=SC2086
	render "$name" $opts "$T/$file"
done <<'LIST'
CT_small                       pydicom/CT_small.dcm                           +Wm
MR_small                       pydicom/MR_small.dcm                           +Wi 1
MR_small_RLE                   pydicom/MR_small_RLE.dcm                       +Wi 1
MR_small_bigendian             pydicom/MR_small_bigendian.dcm                 +Wi 1
MR_small_implicit              pydicom/MR_small_implicit.dcm                  +Wi 1
MR_small_jpeg_ls_lossless      pydicom/MR_small.dcm                                   +Wi 1
MR_small_jp2klossless          pydicom/MR_small.dcm                           +Wi 1
ExplVR_BigEnd                  pydicom/ExplVR_BigEnd.dcm                      -W
JPGExtended                    pydicom/JPGExtended.dcm                        +Wm
SC_rgb_jpeg_dcmtk              pydicom/SC_rgb_jpeg_dcmtk.dcm                  -W
SC_rgb_rle                     pydicom/SC_rgb_rle.dcm                         -W
SC_rgb_small_odd               pydicom/SC_rgb_small_odd.dcm                   -W
SC_ybr_full_422_uncompressed   pydicom/SC_ybr_full_422_uncompressed.dcm       -W
image_dfl                      pydicom/image_dfl.dcm                          +Wm
liver_1frame                   pydicom/liver_1frame.dcm                       +Wm
rtdose                         pydicom/rtdose.dcm                             +Wm
PET1                           suyashkumar/1.dcm                              +Wi 1
MR3                            suyashkumar/3.dcm                              +Wi 1
CR4                            suyashkumar/4.dcm                              +Wi 1
CT5                            suyashkumar/5.dcm                              +Ww 49 102
dfl6                           suyashkumar/6.dcm                              +Wm
MR_small_jpeg_sv1              crafted/pixels/MR_small_jpeg_sv1.dcm           +Wi 1
MR_small_jpeg_p14              crafted/pixels/MR_small_jpeg_p14.dcm           +Wi 1
MR_small_htj2k                 pydicom/MR_small.dcm                           +Wi 1
CT_small_jpeg_sv1              crafted/pixels/CT_small_jpeg_sv1.dcm           +Wm
CT5_jpeg_sv1_split             crafted/pixels/CT5_jpeg_sv1_split.dcm          +Ww 49 102
dfl_jpeg_baseline              crafted/pixels/dfl_jpeg_baseline.dcm           +Wm
SC_rgb_jpls_near               pydicom/SC_rgb_rle.dcm                         -W
SC_rgb_j2k_rct                 pydicom/SC_rgb_rle.dcm                         -W
palette_color                  crafted/pixels/palette_color.dcm               -W
LIST
