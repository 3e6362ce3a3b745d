// Package dicomjson is the DICOM JSON Model of PS3.18 Annex F (and the
// Native DICOM Model XML of PS3.19 for clients that ask for
// application/dicom+xml): one in-memory Object, an encoder and a decoder.
//
// Objects are built from parsed files (FromDataset), from index rows (QIDO
// results) and by hand (the STOW-RS response). The encoding is canonical:
// attributes in ascending tag order, no insignificant white space, so that
// stored metadata can be compared byte for byte and served as stored.
package dicomjson
