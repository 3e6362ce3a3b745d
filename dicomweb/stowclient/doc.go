// Package stowclient uploads DICOM files to a DICOMweb archive with STOW-RS
// (PS3.18 §10.5): Scan finds the DICOM files in folders (CDs, DVDs, USB
// sticks, exports), and Client.Store sends them in batches, each one
// multipart/related request streamed from disk, and reports per file what
// the server stored or refused and why.
//
// It is the engine of "pacslite import" and depends only on the standard
// library and github.com/suyashkumar/dicom (to find a failed file's SOP
// Instance UID).
package stowclient
