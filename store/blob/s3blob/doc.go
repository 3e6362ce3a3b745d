// Package s3blob keeps blobs in an S3-compatible bucket (AWS S3, MinIO,
// SeaweedFS, Ceph, versitygw, ...): key "a/b" is object PREFIX+"a/b". It is
// the only package that imports minio-go.
//
// Put streams: it reads the blob one part at a time into a pooled buffer of
// Options.PartSize bytes, sends a blob that fits in one part with a single
// PUT and a larger one as a multipart upload, so memory per Put stays at one
// part whatever the blob's size (and at 64 KiB or 1 MiB for blobs that
// small: the buffer grows only as data arrives). S3 makes the object visible only when the
// PUT or CompleteMultipartUpload succeeds, which gives the atomicity
// blob.Store asks for; a Put that fails or is cancelled aborts its upload
// (with a context of its own, so cancellation does not prevent the abort)
// and leaves the old object in place. Every request carries the SHA-256 of
// its body in its signature, so the server rejects damaged data.
//
// Open and OpenRange issue the GET at once, so a missing key is reported by
// them (as blob.ErrNotFound), not by the first Read.
package s3blob
