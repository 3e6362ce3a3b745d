package dicomweb

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"mime/quotedprintable"
	"net/textproto"
	"strings"
)

// stowReader reads the parts of a STOW-RS multipart/related body. It
// follows mime/multipart's Reader rule for rule (the same tolerance of
// "\n" line ends, transport padding and preambles; FuzzSTOWReader checks
// they agree), but reads the body through one large buffer and hands part
// data out of it in large pieces (stowPart.WriteTo). mime/multipart's
// 4 KB window made the boundary scan and the per-read overhead a tenth of
// the CPU of storing a large instance.
type stowReader struct {
	br               *bufio.Reader
	nl               []byte // "\r\n", or "\n" once the first boundary line ends so
	nlDashBoundary   []byte // nl + "--" + boundary
	dashBoundary     []byte // "--" + boundary
	dashBoundaryDash []byte // "--" + boundary + "--"
	partsRead        int
	current          *stowPart
	size             int // of br; a part's header block must fit in it
}

// newStowReader reads parts from r, which it buffers with size bytes
// (larger than any part header and boundary line).
func newStowReader(r io.Reader, boundary string, size int) *stowReader {
	b := []byte("\r\n--" + boundary + "--")
	return &stowReader{
		br:               bufio.NewReaderSize(&stickyReader{r: r}, size),
		nl:               b[:2],
		nlDashBoundary:   b[:len(b)-2],
		dashBoundary:     b[2 : len(b)-2],
		dashBoundaryDash: b[2:],
		size:             size,
	}
}

// stowPart is one part: its header, and its body until the next boundary.
type stowPart struct {
	Header textproto.MIMEHeader
	r      io.Reader // raw, or a quoted-printable decoder over it
	raw    rawPart
}

// Read reads the part's body.
func (p *stowPart) Read(d []byte) (int, error) { return p.r.Read(d) }

// WriteTo writes the rest of the part's body to w straight out of the
// read buffer.
func (p *stowPart) WriteTo(w io.Writer) (int64, error) {
	if p.r == &p.raw {
		return p.raw.WriteTo(w)
	}
	return io.Copy(w, p.r)
}

// Close skips the rest of the part.
func (p *stowPart) Close() error {
	_, err := p.raw.WriteTo(io.Discard)
	return err
}

// NextPart returns the next part, or io.EOF after the last one. The
// previous part is skipped if it was not read to its end.
func (r *stowReader) NextPart() (*stowPart, error) {
	if r.current != nil {
		r.current.Close()
		r.current = nil
	}
	if string(r.dashBoundary) == "--" {
		return nil, errors.New("multipart: boundary is empty")
	}
	expectNewPart := false
	for {
		line, err := r.br.ReadSlice('\n')
		if err == io.EOF && r.isFinalBoundary(line) {
			// "--boundary--" at the very end, without a line end.
			return nil, io.EOF
		}
		if err != nil {
			return nil, fmt.Errorf("multipart: NextPart: %w", err)
		}
		if r.isBoundaryDelimiterLine(line) {
			r.partsRead++
			p, err := r.newPart()
			if err != nil {
				return nil, err
			}
			r.current = p
			return p, nil
		}
		if r.isFinalBoundary(line) {
			return nil, io.EOF
		}
		if expectNewPart {
			return nil, fmt.Errorf("multipart: expecting a new Part; got line %q", string(line))
		}
		if r.partsRead == 0 {
			continue // the preamble
		}
		// The line end between a part's body and the boundary line.
		if bytes.Equal(line, r.nl) {
			expectNewPart = true
			continue
		}
		return nil, fmt.Errorf("multipart: unexpected line in Next(): %q", line)
	}
}

// newPart reads a part's header. The header block is found in the buffer
// first and handed to textproto whole, so that a hostile header cannot
// grow past the buffer.
func (r *stowReader) newPart() (*stowPart, error) {
	end, scanned, eof := 0, 0, false
	for {
		// What is buffered first: waiting for more before looking could
		// wait for data the client only sends after an answer.
		buf, _ := r.br.Peek(r.br.Buffered())
		// Lines already scanned are not scanned again, however slowly
		// the header arrives.
		n, done := headerEnd(buf, scanned)
		if done {
			end = n
			break
		}
		scanned = n
		if eof {
			// The body ends in the header: textproto says how (io.EOF
			// for mime/multipart, which callers take as the end).
			end = len(buf)
			break
		}
		if len(buf) >= r.size {
			return nil, errors.New("multipart: part header too large")
		}
		if _, err := r.br.Peek(len(buf) + 1); err == io.EOF {
			eof = true
		} else if err != nil {
			return nil, fmt.Errorf("multipart: NextPart: %w", err)
		}
	}
	block, _ := r.br.Peek(end)
	h, err := textproto.NewReader(bufio.NewReader(bytes.NewReader(block))).ReadMIMEHeader()
	r.br.Discard(end)
	if err != nil {
		return nil, err
	}
	p := &stowPart{Header: h, raw: rawPart{mr: r}}
	p.r = &p.raw
	const cte = "Content-Transfer-Encoding"
	if strings.EqualFold(h.Get(cte), "quoted-printable") {
		h.Del(cte)
		p.r = quotedprintable.NewReader(&p.raw)
	}
	return p, nil
}

// headerEnd looks for the empty line that ends the header block at the
// start of buf, from offset off (the start of a line). done reports whether
// it found it, and n is the length of the block then, else the offset
// after the last complete line.
func headerEnd(buf []byte, off int) (n int, done bool) {
	for {
		i := bytes.IndexByte(buf[off:], '\n')
		if i < 0 {
			return off, false
		}
		line := buf[off : off+i+1]
		off += i + 1
		if len(line) == 1 || len(line) == 2 && line[0] == '\r' {
			return off, true
		}
	}
}

func (r *stowReader) isFinalBoundary(line []byte) bool {
	if !bytes.HasPrefix(line, r.dashBoundaryDash) {
		return false
	}
	rest := skipLWSP(line[len(r.dashBoundaryDash):])
	return len(rest) == 0 || bytes.Equal(rest, r.nl)
}

func (r *stowReader) isBoundaryDelimiterLine(line []byte) bool {
	if !bytes.HasPrefix(line, r.dashBoundary) {
		return false
	}
	rest := skipLWSP(line[len(r.dashBoundary):])
	// Lines that end in "\n" instead of "\r\n" break the standard but
	// occur in practice: the first boundary line decides.
	if r.partsRead == 0 && len(rest) == 1 && rest[0] == '\n' {
		r.nl = r.nl[1:]
		r.nlDashBoundary = r.nlDashBoundary[1:]
	}
	return bytes.Equal(rest, r.nl)
}

func skipLWSP(b []byte) []byte {
	for len(b) > 0 && (b[0] == ' ' || b[0] == '\t') {
		b = b[1:]
	}
	return b
}

// rawPart reads a part's body out of the reader's buffer.
type rawPart struct {
	mr      *stowReader
	n       int   // buffered bytes known to be body
	total   int64 // body bytes read so far
	err     error // after the n bytes: io.EOF at the boundary, or why not
	readErr error // the buffer's read error
}

// fill finds body bytes in the buffer (p.n > 0) or the reason there are
// none (p.err).
func (p *rawPart) fill() {
	br := p.mr.br
	for p.n == 0 && p.err == nil {
		peek, _ := br.Peek(br.Buffered())
		p.n, p.err = scanUntilBoundary(peek, p.mr.dashBoundary, p.mr.nlDashBoundary, p.total, p.readErr)
		if p.n == 0 && p.err == nil {
			// Read more into the buffer.
			_, p.readErr = br.Peek(len(peek) + 1)
			if p.readErr == io.EOF {
				p.readErr = io.ErrUnexpectedEOF
			}
		}
	}
}

func (p *rawPart) Read(d []byte) (int, error) {
	p.fill()
	if p.n == 0 {
		return 0, p.err
	}
	n, _ := p.mr.br.Read(d[:min(len(d), p.n)])
	p.total += int64(n)
	p.n -= n
	if p.n == 0 {
		return n, p.err
	}
	return n, nil
}

// WriteTo writes the rest of the body to w, a buffer's worth at a time.
func (p *rawPart) WriteTo(w io.Writer) (int64, error) {
	var written int64
	for {
		p.fill()
		if p.n == 0 {
			if p.err == io.EOF {
				return written, nil
			}
			return written, p.err
		}
		buf, _ := p.mr.br.Peek(p.n)
		m, err := w.Write(buf)
		p.mr.br.Discard(m)
		p.total += int64(m)
		p.n -= m
		written += int64(m)
		if err != nil {
			return written, err
		}
	}
}

// scanUntilBoundary is mime/multipart's: it returns how many bytes at the
// start of buf are body, and io.EOF if the boundary follows them. total is
// the body read so far, readErr the buffer's read error.
func scanUntilBoundary(buf, dashBoundary, nlDashBoundary []byte, total int64, readErr error) (int, error) {
	if total == 0 {
		// At the beginning of the body, allow dashBoundary.
		if bytes.HasPrefix(buf, dashBoundary) {
			switch matchAfterPrefix(buf, dashBoundary, readErr) {
			case -1:
				return len(dashBoundary), nil
			case 0:
				return 0, nil
			case +1:
				return 0, io.EOF
			}
		}
		if bytes.HasPrefix(dashBoundary, buf) {
			return 0, readErr
		}
	}
	// Search for "\n--boundary".
	if i := bytes.Index(buf, nlDashBoundary); i >= 0 {
		switch matchAfterPrefix(buf[i:], nlDashBoundary, readErr) {
		case -1:
			return i + len(nlDashBoundary), nil
		case 0:
			return i, nil
		case +1:
			return i, io.EOF
		}
	}
	if bytes.HasPrefix(nlDashBoundary, buf) {
		return 0, readErr
	}
	// Everything before a possible start of the boundary at the end of buf
	// is body. Such a start is shorter than the boundary, so only the tail
	// needs a look (mime/multipart scans all of buf backwards, byte by
	// byte).
	tail := max(0, len(buf)-len(nlDashBoundary))
	if i := bytes.LastIndexByte(buf[tail:], nlDashBoundary[0]); i >= 0 && bytes.HasPrefix(nlDashBoundary, buf[tail+i:]) {
		return tail + i, nil
	}
	return len(buf), readErr
}

// matchAfterPrefix checks whether buf, which starts with prefix, is a
// boundary: +1 if it is, -1 if not, 0 if more data must tell.
func matchAfterPrefix(buf, prefix []byte, readErr error) int {
	if len(buf) == len(prefix) {
		if readErr != nil {
			return +1
		}
		return 0
	}
	c := buf[len(prefix)]
	if c == ' ' || c == '\t' || c == '\r' || c == '\n' {
		return +1
	}
	// "--" ends the body.
	if c == '-' {
		if len(buf) == len(prefix)+1 {
			if readErr != nil {
				return -1 // prefix + "-" and nothing more
			}
			return 0
		}
		if buf[len(prefix)+1] == '-' {
			return +1
		}
	}
	return -1
}

// stickyReader keeps returning the first error of r, which a bufio.Reader
// may otherwise read past.
type stickyReader struct {
	r   io.Reader
	err error
}

func (r *stickyReader) Read(p []byte) (int, error) {
	if r.err != nil {
		return 0, r.err
	}
	n, err := r.r.Read(p)
	r.err = err
	return n, err
}
