// Package dicomjson is the DICOM JSON Model of PS3.18 Annex F (and the
// Native DICOM Model XML of PS3.19 for clients that ask for
// application/dicom+xml): one in-memory Object, an encoder and a decoder.
//
// Objects are built from parsed files (FromDataset), from index rows (QIDO
// results, with String, Num, PN and Seq) and by hand (the STOW-RS
// response). The encoding is canonical: attributes in ascending tag order,
// no insignificant white space, empty values as PS3.18 F.2.5 says, so that
// metadata computed at store time can be kept as bytes, compared byte for
// byte and served as stored: a WADO-RS metadata response is "[" followed by
// the stored objects separated by "," and then "]".
//
// The encoder (AppendJSON) is the hot path: it appends to a caller's
// buffer without allocating and never produces invalid JSON, whatever the
// file held. Numbers are the subtle part: see Number for what happens to
// DS and IS text that is not a JSON number, to NaN and infinities, and to
// garbage.
//
// The decoder (Object.UnmarshalJSON, DecodeArray) serves tests and
// clients: strict about the model, lenient about number forms.
//
// The package does not log; it returns errors, which wrap ErrInvalid for
// bad DICOM JSON.
package dicomjson
