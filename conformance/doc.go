// Package conformance holds black-box DICOMweb tests: they build the real
// pacslite binary, start it on a loopback port with a fresh data folder, and
// talk to it over HTTP with the real DICOM files in ../testdata, as a
// hospital system or a viewer would.
package conformance
