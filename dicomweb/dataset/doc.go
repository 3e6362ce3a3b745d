// Package dataset reads DICOM Part 10 files (PS3.10) into a tree of data
// elements that remembers where every value lies in the file.
//
// The archive needs byte offsets, not just values: WADO-RS serves frames and
// bulk data with ranged reads from storage, and large values (pixel data,
// waveforms, embedded documents) must never be held in memory. Parse keeps
// short values in memory and records only the offset and length of long ones.
//
// github.com/suyashkumar/dicom loads every value and loses positions, so this
// package has its own element walker; it uses that library's data dictionary
// (VRs for implicit VR files, keywords) so there is one dictionary in the
// program. Text is decoded per Specific Character Set, including ISO 2022
// code extensions (PS3.5 section 6.1), which the library does not handle.
//
// The pieces:
//   - Parse walks a stream (reader.go, start.go, header.go, parse.go);
//   - Element.Strings, PersonNames, Numbers and Tags decode values
//     (values.go), with a Charset for text (charset.go, iso2022.go);
//   - Tag, ParseTag, TagForKeyword and DictionaryVR name tags (tag.go,
//     dictionary.go);
//   - Transcode rewrites a stream as Explicit VR Little Endian (transcode.go).
//
// Parse and Transcode read untrusted uploads: they never panic, bound the
// memory a forged length can claim, and report bad input as errors wrapping
// ErrNotDICOM or ErrMalformed (ErrCompressed for Transcode of compressed
// pixel data).
package dataset
