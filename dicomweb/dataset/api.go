package dataset

import (
	"encoding/binary"
	"errors"
)

// Well-known transfer syntax UIDs.
const (
	ImplicitVRLittleEndian         = "1.2.840.10008.1.2"
	ExplicitVRLittleEndian         = "1.2.840.10008.1.2.1"
	DeflatedExplicitVRLittleEndian = "1.2.840.10008.1.2.1.99"
	ExplicitVRBigEndian            = "1.2.840.10008.1.2.2"
)

// ErrNotDICOM reports input that is not a DICOM Part 10 stream (no "DICM"
// prefix and not recognisable as a bare dataset either).
var ErrNotDICOM = errors.New("dataset: not a DICOM file")

// ErrMalformed reports a DICOM stream that breaks the encoding rules
// (truncated value, impossible length, bad sequence nesting).
var ErrMalformed = errors.New("dataset: malformed DICOM")

// Tag is a DICOM attribute tag, group in the high 16 bits.
type Tag uint32

// Common tags.
const (
	TagTransferSyntaxUID    Tag = 0x00020010
	TagSpecificCharacterSet Tag = 0x00080005
	TagSOPClassUID          Tag = 0x00080016
	TagSOPInstanceUID       Tag = 0x00080018
	TagStudyInstanceUID     Tag = 0x0020000D
	TagSeriesInstanceUID    Tag = 0x0020000E
	TagPixelData            Tag = 0x7FE00010
	TagItem                 Tag = 0xFFFEE000
	TagItemDelimitation     Tag = 0xFFFEE00D
	TagSequenceDelimitation Tag = 0xFFFEE0DD
)

// Group returns the tag's group number.
func (t Tag) Group() uint16 { return uint16(t >> 16) }

// Element returns the tag's element number.
func (t Tag) Element() uint16 { return uint16(t) }

// Fragment is one item of encapsulated pixel data: where its bytes lie in the
// (decoded) stream. The first fragment is the Basic Offset Table (possibly
// empty).
type Fragment struct {
	Offset int64
	Length int64
}

// Element is one data element.
type Element struct {
	Tag Tag
	// VR is the two-letter value representation: read from the stream for
	// explicit VR syntaxes, from the data dictionary for implicit VR and for
	// VRs the standard does not define (see DictionaryVR; "UN" when the tag
	// is unknown, e.g. private tags). An element of undefined length stored
	// as UN, or of unknown VR in implicit VR, is a sequence: VR "SQ".
	VR string
	// Offset is the position of the first value byte in the decoded stream
	// (for deflated files: in the inflated stream, see File.Deflated).
	Offset int64
	// Length is the value length in bytes, or -1 for undefined length
	// (sequences and encapsulated pixel data).
	Length int64
	// Value holds the raw value bytes in the file's byte order, or nil when
	// the value is longer than Options.InlineLimit (then Bulk is true).
	// For SQ and encapsulated pixel data Value is nil.
	Value []byte
	// Bulk is true when the value was skipped rather than kept in Value.
	Bulk bool
	// Items are the items of a sequence (VR SQ).
	Items []*Dataset
	// Fragments are the items of encapsulated pixel data, Basic Offset
	// Table first; nil for native values.
	Fragments []Fragment
}

// Dataset is an ordered list of elements (ascending tag order as in the file).
type Dataset struct {
	Elements []*Element
}

// File is a parsed Part 10 file.
type File struct {
	// Meta holds the File Meta Information (group 0002), always explicit VR
	// little endian.
	Meta *Dataset
	// Dataset is the main dataset.
	Dataset *Dataset
	// TransferSyntax is the UID from the meta group; for a file without
	// one, ImplicitVRLittleEndian or ExplicitVRLittleEndian as detected from
	// the first element.
	TransferSyntax string
	// ByteOrder and Implicit describe how Dataset is encoded. Implicit is
	// also set for the files that declare explicit VR but are written in
	// implicit VR. Items of a sequence that the file stores as UN of
	// undefined length are always implicit VR little endian (PS3.5 6.2.2):
	// in a big endian file their values are little endian.
	ByteOrder binary.ByteOrder
	Implicit  bool
	// Deflated is true for the deflated transfer syntax: offsets in Dataset
	// then refer to the inflated stream, not to the file.
	Deflated bool
	// DatasetOffset is where the main dataset starts in the file.
	DatasetOffset int64
	// HasPreamble is false for files that start directly with the meta group
	// or with a bare dataset (seen on old CDs).
	HasPreamble bool
}

// Options tune Parse.
type Options struct {
	// InlineLimit is the longest value kept in Element.Value; longer values
	// are skipped and marked Bulk. Zero means 64 KiB.
	InlineLimit int64
	// StopAtPixelData stops parsing at the top-level Pixel Data element
	// (its offset, length and fragments are still recorded).
	StopAtPixelData bool
	// MaxElements limits the elements and sequence items of one file, so
	// that a small upload of empty elements (or a deflate bomb) cannot
	// exhaust memory: each costs about 150 bytes. Zero means 1<<20, ten
	// times the largest structure sets seen in practice.
	MaxElements int
}
