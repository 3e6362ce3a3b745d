package dataset

import (
	"bufio"
	"bytes"
	"compress/flate"
	"errors"
	"fmt"
	"io"
)

// reader is a bufio.Reader that counts the bytes consumed, so that every
// element knows its offset in the (decoded) stream. Reads past the end are
// reported as ErrMalformed, other read errors as they are.
type reader struct {
	br  *bufio.Reader
	off int64
}

func newReader(r io.Reader) *reader {
	return &reader{br: bufio.NewReaderSize(r, 64<<10)}
}

// peek returns up to n upcoming bytes without consuming them; fewer at the
// end of the stream.
func (r *reader) peek(n int) []byte {
	b, _ := r.br.Peek(n)
	return b
}

// atEnd reports whether the stream is exhausted; other read errors (corrupt
// deflate data, a failing source) are returned.
func (r *reader) atEnd() (bool, error) {
	_, err := r.br.Peek(1)
	if err == io.EOF {
		return true, nil
	}
	if err != nil {
		return false, r.fail(err)
	}
	return false, nil
}

// full fills p, failing if the stream ends first.
func (r *reader) full(p []byte) error {
	n, err := io.ReadFull(r.br, p)
	r.off += int64(n)
	if err != nil {
		return r.fail(err)
	}
	return nil
}

// discard skips n bytes.
func (r *reader) discard(n int64) error {
	for n > 0 {
		chunk := n
		if chunk > 1<<30 {
			chunk = 1 << 30
		}
		d, err := r.br.Discard(int(chunk))
		r.off += int64(d)
		n -= int64(d)
		if err != nil {
			return r.fail(err)
		}
	}
	return nil
}

// value reads an n-byte value. Memory grows with the bytes actually read,
// so a forged length cannot make it allocate more than the input holds.
func (r *reader) value(n int64) ([]byte, error) {
	const direct = 64 << 10
	if n <= direct {
		b := make([]byte, n)
		return b, r.full(b)
	}
	var buf bytes.Buffer
	buf.Grow(direct)
	c, err := io.CopyN(&buf, r.br, n)
	r.off += c
	if err != nil {
		return nil, r.fail(err)
	}
	return buf.Bytes(), nil
}

// copyRest copies the rest of the stream to w.
func (r *reader) copyRest(w io.Writer) error {
	buf := make([]byte, 32<<10)
	for {
		n, err := r.br.Read(buf)
		r.off += int64(n)
		if _, werr := w.Write(buf[:n]); werr != nil {
			return fmt.Errorf("dataset: write: %w", werr)
		}
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return r.fail(err)
		}
	}
}

// fail turns the end of the stream and corrupt deflate data into
// ErrMalformed; other errors (the underlying reader's) pass through.
func (r *reader) fail(err error) error {
	if err == io.EOF || isInputError(err) {
		return fmt.Errorf("%w: data truncated or corrupt at offset %d", ErrMalformed, r.off)
	}
	return fmt.Errorf("dataset: read: %w", err)
}

func isInputError(err error) bool {
	var corrupt flate.CorruptInputError
	return errors.Is(err, io.ErrUnexpectedEOF) || errors.As(err, &corrupt)
}
