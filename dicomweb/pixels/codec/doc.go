// Package codec decodes compressed DICOM pixel data, one frame at a time,
// into native pixels: little endian, BitsAllocated bits per sample, samples
// of a pixel interleaved (Planar Configuration 0).
//
// It binds well-kept C libraries with cgo rather than carrying codecs of
// its own: DCMTK's IJG builds for JPEG (8, 12 and 16 bit, baseline,
// extended and lossless processes), CharLS for JPEG-LS and OpenJPEG 2.5 for
// JPEG 2000 and HTJ2K. RLE Lossless (PS3.5 Annex G) is simple enough to be
// decoded in Go. Building needs the Debian packages libdcmtk-dev,
// libcharls-dev and libopenjp2-7-dev (test.sh installs them).
//
// This package is the only importer of those libraries.
package codec
