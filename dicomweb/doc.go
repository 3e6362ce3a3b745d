// Package dicomweb serves the DICOMweb services of PS3.18 over HTTP:
// STOW-RS (store), QIDO-RS (search) and WADO-RS (retrieve, metadata, bulk
// data), plus DELETE of studies, series and instances.
//
// Instances are kept as received in a blob.Store; what QIDO-RS matches on and
// the WADO-RS metadata are precomputed at store time into the index, so that
// no request re-parses stored files to answer a search or a metadata call.
package dicomweb
