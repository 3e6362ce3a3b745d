// Package fsck checks that the index and the blob store agree: it finds
// orphan blobs (no index row points at them) and missing blobs (index rows
// whose blob is gone), and on request deletes the orphans. `pacslite fsck`
// and the server's periodic sweep both run Check.
//
// The archive writes a blob before the index row that points at it and
// deletes rows before their blobs, so a crash leaves orphans, never
// missing blobs; a missing blob means damage from outside (a deleted file,
// a bucket lifecycle rule, a restored backup).
//
// Check is safe while the server runs, within these rules:
//   - A blob modified less than Options.Grace ago is never an orphan: a
//     STOW in progress has written its blob but not yet committed its row.
//     The grace must exceed the longest time between the two; an hour is
//     ample. (S3 dates a multipart upload's object from the upload's start,
//     so the grace must also exceed the longest upload of one instance.)
//   - A blob any index row points at is never deleted, however old.
//   - The blobs are listed before the index is read, and listed again (each
//     orphan once more, right before its deletion) to pick up blobs written
//     meanwhile. What remains is one narrow race: an old orphan re-stored
//     with identical bytes (same key) between that last look and the delete.
//
// Memory stays small for millions of blobs: keys are held as 64-bit hashes.
// A hash collision can only make Check keep an orphan or skip a missing
// blob report, never delete a referenced blob.
package fsck
