// Package portal is the patient portal: accounts and sessions, the study
// dashboard and study pages, a built-in image viewer, settings, support and
// admin pages, all server-rendered from embedded templates; and the guard
// in front of the archive's DICOMweb handler that decides, for sessions,
// API clients and anonymous callers alike, which studies a request may see
// and whether it may store or delete (see Handler.DICOMweb).
//
// The portal reads the archive only through DICOMweb (package archive): a
// page shows exactly what the same account would get from QIDO-RS. What
// the archive does not know (accounts, who may see which study, workflow
// status, support requests, the audit trail) lives in package store.
package portal
