// Package zipdicomdir writes a study as a ZIP archive that burns to a CD
// any DICOM viewer reads: the instance files under DICOM/ with 8-character
// upper-case path components (DICOM/PAT00001/STU00001/SER00001/IM000001),
// and a DICOMDIR at the root (PS3.10 media directory, PS3.3 Annex F Basic
// Directory IOD) whose patient, study, series and image records reference
// them.
//
// The archive is streamed: each instance goes straight from its reader
// into the ZIP, and only the header fields of the directory records are
// kept in memory. The DICOMDIR is written last, once every file and its
// transfer syntax is known; its record offsets are internal to the
// DICOMDIR file, so where it sits in the ZIP does not matter.
package zipdicomdir
