package s3blob

import (
	"context"
	"fmt"
	"time"
)

// CleanUploads aborts the multipart uploads under the store's prefix that
// started more than olderThan ago: the remains of Puts that a crash
// interrupted before they could abort (S3 keeps their parts, invisible
// but billed, until then). A Put in progress keeps its upload open for as
// long as it runs, so olderThan must exceed the longest upload of one blob
// (an hour is safe); with no Put running, 0 aborts them all. It returns
// how many it aborted.
func (s *Store) CleanUploads(ctx context.Context, olderThan time.Duration) (int, error) {
	cutoff := time.Now().Add(-olderThan)
	aborted := 0
	keyMarker, idMarker := "", ""
	for {
		res, err := s.core.ListMultipartUploads(ctx, s.bucket, s.prefix, keyMarker, idMarker, "", 1000)
		if err != nil {
			return aborted, s.wrap("clean uploads", "list", err)
		}
		for _, u := range res.Uploads {
			if olderThan > 0 && !u.Initiated.Before(cutoff) {
				continue
			}
			if err := s.core.AbortMultipartUpload(ctx, s.bucket, u.Key, u.UploadID); err != nil {
				return aborted, s.wrap("clean uploads", u.Key, err)
			}
			aborted++
		}
		if !res.IsTruncated || (res.NextKeyMarker == keyMarker && res.NextUploadIDMarker == idMarker) {
			return aborted, nil
		}
		keyMarker, idMarker = res.NextKeyMarker, res.NextUploadIDMarker
	}
}

// String describes the store for logs: bucket, prefix and endpoint.
func (s *Store) String() string {
	return fmt.Sprintf("s3://%s/%s at %s", s.bucket, s.prefix, s.endpoint)
}
