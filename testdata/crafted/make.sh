#!/bin/sh
# Regenerates the crafted QIDO test files from ../charset/chrFren.dcm (a
# 1.9 KB secondary capture, ISO_IR 100) with DCMTK's dcmodify (3.6.7).
# Run from this folder. UIDs are fixed so tests can name them; 2.25.* is
# the UUID-derived root, the numbers are made up.
set -eu
craft() { # out charset name pid date time modality accession description study series sop seriesno seriesdesc slice sex birth
	cp ../charset/chrFren.dcm "$1"
	dcmodify -q -nb -i "(0008,0005)=$2" -m "(0010,0010)=$3" -m "(0010,0020)=$4" \
		-m "(0008,0020)=$5" -m "(0008,0030)=$6" -m "(0008,0060)=$7" -m "(0008,0050)=$8" \
		-i "(0008,1030)=$9" -m "(0020,000d)=${10}" -m "(0020,000e)=${11}" -m "(0008,0018)=${12}" \
		-m "(0020,0011)=${13}" -i "(0008,103e)=${14}" -i "(0018,0050)=${15}" \
		-m "(0010,0040)=${16}" -m "(0010,0030)=${17}" -m "(0020,0010)=${4}" \
		-i "(0008,0021)=$5" -i "(0008,0031)=$6" "$1"
}
S=2.25.4711000000000000000000000000
craft muller_utf8_ct.dcm 'ISO_IR 192' 'Müller^Jürgen' PID-0001 20200115 101500 CT ACC-1001 'CT Thorax' \
	$S.1 $S.1.1 $S.1.1.1 1 'Axial 5mm' 5 M 19600101
craft muller_utf8_mr.dcm 'ISO_IR 192' 'Müller^Jürgen' PID-0001 20200115 101500 MR ACC-1001 'CT Thorax' \
	$S.1 $S.1.2 $S.1.2.1 2 'T1 sag' 2.5 M 19600101
craft muller_latin1.dcm 'ISO_IR 100' "$(printf 'M\374ller^J\374rgen')" PID-0002 20210320 140000 MR ACC-2002 'MR Brain' \
	$S.2 $S.2.1 $S.2.1.1 1 'T2 ax' 3 M 19650505
craft muller_ascii.dcm 'ISO_IR 100' 'Muller^Jurgen' PID-0003 20191231 235959 CR XR-77 'Chest X-ray' \
	$S.3 $S.3.1 $S.3.1.1 1 'PA' 1 M 19700707
craft doe.dcm 'ISO_IR 100' 'Doe^John' 12345 20220601 091500 US A-0042 'Abdomen US' \
	$S.4 $S.4.1 $S.4.1.1 1 'Liver' 1 M 19801010
craft smith.dcm 'ISO_IR 100' 'Smith^Jane' JS-9 20230710 080000 CT ACC-3003 'CT Head' \
	$S.5 $S.5.1 $S.5.1.1 1 'Brain 1mm' 1 F 19901231
# The base of the many-instance tests: they patch the SOP (and series) UID
# in place with same-length UIDs (…00000000 -> …00000001, …).
craft series_base.dcm 'ISO_IR 100' 'Bulk^Series' BULK-1 20240101 120000 CT ACC-9999 'Many instances' \
	2.25.1111111111111111111100000000 2.25.2222222222222222222200000000 2.25.3333333333333333333300000000 \
	1 'Bulk' 1 O 20000101
