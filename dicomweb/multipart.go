package dicomweb

import (
	"crypto/rand"
	"encoding/hex"
)

// newBoundary returns a multipart boundary that cannot occur in DICOM data
// by chance.
func newBoundary() string {
	var b [16]byte
	rand.Read(b[:])
	return "pacslite-" + hex.EncodeToString(b[:])
}

// randomSuffix returns 8 random hex digits.
func randomSuffix() string {
	var b [4]byte
	rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// partHeader is the header of one part of a multipart/related response.
func partHeader(boundary, contentType string) string {
	return "--" + boundary + "\r\nContent-Type: " + contentType + "\r\n\r\n"
}

// closingDelimiter ends a multipart body.
func closingDelimiter(boundary string) string {
	return "\r\n--" + boundary + "--\r\n"
}
