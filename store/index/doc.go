// Package index is the archive's catalogue: which studies, series and
// instances exist, where their bytes are (blob keys), the attributes QIDO-RS
// matches on, and the precomputed DICOM JSON that QIDO-RS and WADO-RS
// metadata answer with. It is SQLite (WAL mode) through database/sql, with
// ordered migrations, and is designed for millions of instances: every query a
// study list issues uses an index.
//
// The index knows nothing of HTTP or of DICOM parsing: callers hand it
// decoded values and opaque JSON bytes.
//
// # Connections and durability
//
// One read-write connection takes every write, in order; a pool of
// read-only connections serves lookups and, thanks to WAL, never waits for
// it. The file runs with synchronous=FULL: when PutInstance returns, the
// row is on disk. Callers keep blobs and rows consistent by ordering: write
// and sync the blob, then PutInstance, then acknowledge; delete blobs
// (ReplacedBlobKey, the keys Delete* return) only after the call that
// released them has returned. A crash then leaves at worst a blob without
// a row, which AllBlobKeys lets a checker find, never a row without a blob.
//
// # Schema
//
// studies (patient attributes denormalised, counters and ModalitiesInStudy
// maintained in the same transaction as every change), series and
// instances, each with the DICOM JSON of its level in attrs; instance
// metadata in a table of its own. Person names are stored in matching form
// (lower case; folded tokens for fuzzy matching), dates as YYYYMMDD and
// times as HHMMSS.FFFFFF, so that matching is string comparison.
//
// # Matching
//
// Search follows PS3.4 C.2.2.2: single value, UID list, wildcard ('*' and
// '?') and range matching (DA, TM and IS). Text compares case-sensitively;
// PN case-insensitively, group by group ("=山田*" matches the ideographic
// group), and with Query.FuzzyNames case- and accent-insensitively against
// the start of any name component of any group. A range bound names a
// period: a TM upper bound "1200" includes 12:00:59.
package index
