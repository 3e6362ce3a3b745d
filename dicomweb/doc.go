// Package dicomweb serves the DICOMweb services of PS3.18 over HTTP:
// STOW-RS (store), QIDO-RS (search) and WADO-RS (retrieve, metadata, bulk
// data), plus DELETE of studies, series and instances.
//
// Instances are kept as received in a blob.Store; what QIDO-RS matches on and
// the WADO-RS metadata are precomputed at store time into the index, so that
// no request re-parses stored files to answer a search or a metadata call.
package dicomweb

// ImplementationClassUID and ImplementationVersionName identify pacslite in
// the files it writes (PS3.7 D.3.3.2, PS3.10 7.1). The UID is a UUID-derived
// UID (PS3.5 B.2), so it needs no registered root.
const (
	ImplementationClassUID    = "2.25.152585810625469645588908646534981356127"
	ImplementationVersionName = "PACSLITE_1"
)
