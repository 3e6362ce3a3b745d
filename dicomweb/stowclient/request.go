package stowclient

import (
	"context"
	"errors"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/textproto"
	"os"
)

// maxResponse bounds how much of an answer is read: a Store Instances
// Response lists each instance in well under 1 KiB.
const maxResponse = 16 << 20

// copyBufSize is the read size from disk into the request.
const copyBufSize = 256 << 10

// fileError is a local problem with one file of a batch (deleted since the
// scan, unreadable sector): the file fails and the rest of the batch goes
// on without it.
type fileError struct {
	index int
	err   error
}

func (e *fileError) Error() string { return e.err.Error() }
func (e *fileError) Unwrap() error { return e.err }

// errAbandoned stops the body writer once the answer is in.
var errAbandoned = errors.New("stowclient: request body abandoned")

// answer is an HTTP response to one attempt.
type answer struct {
	status int
	header http.Header
	body   []byte
}

// send makes one STOW-RS request for batch, streaming the files from disk
// through a pipe so that no more than one read buffer is in memory. Files
// that cannot be opened are left out of the request and returned as
// missing (indexes into batch); a file that fails while being read aborts
// the request with a *fileError.
func (c *Client) send(ctx context.Context, batch []File, pr *progressState) (ans *answer, missing []fileError, err error) {
	pipeR, pipeW := io.Pipe()
	mw := multipart.NewWriter(pipeW)
	var werr error
	done := make(chan struct{})
	go func() {
		defer close(done)
		missing, werr = writeParts(ctx, mw, batch, pr)
		if werr == nil {
			werr = mw.Close()
		}
		pipeW.CloseWithError(werr) // nil: the reader sees EOF
	}()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.url, pipeR)
	if err != nil {
		pipeR.CloseWithError(err)
		<-done
		return nil, nil, fmt.Errorf("stowclient: %w", err)
	}
	req.Header.Set("Content-Type", `multipart/related; type="application/dicom"; boundary=`+mw.Boundary())
	req.Header.Set("Accept", "application/dicom+json")
	if c.token != "" {
		req.Header.Set("Authorization", "Bearer "+c.token)
	}
	resp, err := c.hc.Do(req)
	if err == nil {
		defer resp.Body.Close()
	}
	// The server may answer before reading everything (an early 4xx):
	// stop the writer and wait for it so that it closes its file.
	pipeR.CloseWithError(errAbandoned)
	<-done
	var fe *fileError
	if errors.As(werr, &fe) {
		return nil, missing, fe
	}
	if err != nil {
		return nil, missing, fmt.Errorf("stowclient: %w", err) // err names the URL
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxResponse))
	if err != nil {
		return nil, missing, fmt.Errorf("stowclient: post %s: read answer: %w", c.url, err)
	}
	return &answer{status: resp.StatusCode, header: resp.Header, body: body}, missing, nil
}

// writeParts writes one application/dicom part per file. Files that do not
// open are skipped and returned.
func writeParts(ctx context.Context, mw *multipart.Writer, batch []File, pr *progressState) ([]fileError, error) {
	buf := make([]byte, copyBufSize)
	h := textproto.MIMEHeader{"Content-Type": {"application/dicom"}}
	var missing []fileError
	for i, file := range batch {
		f, err := os.Open(file.Path)
		if err != nil {
			missing = append(missing, fileError{index: i, err: err})
			continue
		}
		err = writePart(ctx, mw, h, f, buf, pr)
		f.Close()
		if err != nil {
			var fe *fileError
			if errors.As(err, &fe) {
				fe.index = i
			}
			return missing, err
		}
	}
	return missing, nil
}

func writePart(ctx context.Context, mw *multipart.Writer, h textproto.MIMEHeader, f *os.File, buf []byte, pr *progressState) error {
	part, err := mw.CreatePart(h)
	if err != nil {
		return err
	}
	for {
		if err := ctx.Err(); err != nil {
			return err
		}
		n, rerr := f.Read(buf)
		if n > 0 {
			if _, err := part.Write(buf[:n]); err != nil {
				return err // the request is gone
			}
			pr.sent(int64(n))
		}
		if rerr == io.EOF {
			return nil
		}
		if rerr != nil {
			return &fileError{err: rerr}
		}
	}
}
