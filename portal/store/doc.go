// Package store keeps the portal's own records in a SQLite file of their
// own (portal.db in the data folder): accounts, sessions, API clients, which
// account may see which study and where each study is in the workflow,
// support requests, and the append-only audit trail.
//
// The archive's index is a different file owned by store/index: the
// portal never reads it, it asks the archive through DICOMweb. Keeping the
// two apart lets each migrate on its own and lets the archive run without
// the portal.
//
// The package knows nothing of HTTP and does not log; it returns errors
// prefixed "store:" that wrap ErrNotFound, ErrConflict or ErrInvalid where
// a caller may act on them.
package store
