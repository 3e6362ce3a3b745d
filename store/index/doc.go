// Package index is the archive's catalogue: which studies, series and
// instances exist, where their bytes are (blob keys), the attributes QIDO-RS
// matches on, and the precomputed DICOM JSON that QIDO-RS and WADO-RS
// metadata answer with. It is SQLite (WAL mode) through database/sql, with
// ordered migrations, and is designed for millions of instances: every query a
// study list issues uses an index.
//
// The index knows nothing of HTTP or of DICOM parsing: callers hand it
// decoded values and opaque JSON bytes.
package index
