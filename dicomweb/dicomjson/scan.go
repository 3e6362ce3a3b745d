package dicomjson

import (
	"fmt"
	"unicode/utf16"
	"unicode/utf8"
)

// scanner reads JSON tokens from a byte slice for the decoder. It accepts
// exactly RFC 8259 JSON; like encoding/json it replaces invalid UTF-8 and
// unpaired surrogate escapes in strings with U+FFFD. Errors give the byte
// offset.
type scanner struct {
	data []byte
	pos  int
}

// maxSkipDepth bounds the nesting skip follows.
const maxSkipDepth = 1000

func (s *scanner) errorf(format string, args ...any) error {
	return fmt.Errorf("offset %d: %s", s.pos, fmt.Sprintf(format, args...))
}

// unexpected reports the next byte where want was expected.
func (s *scanner) unexpected(want string) error {
	if s.pos >= len(s.data) {
		return s.errorf("unexpected end of JSON, want %s", want)
	}
	return s.errorf("unexpected %q, want %s", s.data[s.pos], want)
}

// peek skips white space and returns the next byte, or 0 at the end (see
// atEnd: the input may hold a NUL byte too).
func (s *scanner) peek() byte {
	for s.pos < len(s.data) {
		switch c := s.data[s.pos]; c {
		case ' ', '\t', '\n', '\r':
			s.pos++
		default:
			return c
		}
	}
	return 0
}

// atEnd skips white space and reports whether the input is used up.
func (s *scanner) atEnd() bool {
	s.peek()
	return s.pos >= len(s.data)
}

// consume skips white space and then c, reporting whether c was next.
func (s *scanner) consume(c byte) bool {
	if s.peek() == c {
		s.pos++
		return true
	}
	return false
}

func (s *scanner) expect(c byte, want string) error {
	if !s.consume(c) {
		return s.unexpected(want)
	}
	return nil
}

// literal consumes the keyword word (null, true or false) if it is next.
func (s *scanner) literal(word string) bool {
	s.peek()
	if len(s.data)-s.pos >= len(word) && string(s.data[s.pos:s.pos+len(word)]) == word {
		s.pos += len(word)
		return true
	}
	return false
}

// str reads a string.
func (s *scanner) str() (string, error) {
	if s.peek() != '"' {
		return "", s.unexpected("a string")
	}
	s.pos++
	start := s.pos
	for s.pos < len(s.data) {
		c := s.data[s.pos]
		if c == '"' {
			v := string(s.data[start:s.pos])
			s.pos++
			return v, nil
		}
		if c == '\\' || c < 0x20 || c >= utf8.RuneSelf {
			return s.strSlow(start)
		}
		s.pos++
	}
	return "", s.errorf("unterminated string")
}

// strSlow finishes a string that has escapes or non-ASCII bytes; s.pos is
// at the first of them.
func (s *scanner) strSlow(start int) (string, error) {
	b := make([]byte, 0, s.pos-start+16)
	b = append(b, s.data[start:s.pos]...)
	for s.pos < len(s.data) {
		c := s.data[s.pos]
		switch {
		case c == '"':
			s.pos++
			return string(b), nil
		case c < 0x20:
			return "", s.errorf("control character %#02x in string", c)
		case c == '\\':
			if s.pos+1 >= len(s.data) {
				return "", s.errorf("unterminated string")
			}
			e := s.data[s.pos+1]
			s.pos += 2
			switch e {
			case '"', '\\', '/':
				b = append(b, e)
			case 'b':
				b = append(b, '\b')
			case 'f':
				b = append(b, '\f')
			case 'n':
				b = append(b, '\n')
			case 'r':
				b = append(b, '\r')
			case 't':
				b = append(b, '\t')
			case 'u':
				r, ok := s.hex4()
				if !ok {
					return "", s.errorf(`invalid \u escape`)
				}
				if utf16.IsSurrogate(r) {
					r = s.lowSurrogate(r)
				}
				b = utf8.AppendRune(b, r)
			default:
				return "", s.errorf(`invalid escape \%c`, e)
			}
		case c < utf8.RuneSelf:
			b = append(b, c)
			s.pos++
		default:
			r, size := utf8.DecodeRune(s.data[s.pos:])
			if r == utf8.RuneError && size == 1 {
				b = append(b, "\uFFFD"...)
			} else {
				b = append(b, s.data[s.pos:s.pos+size]...)
			}
			s.pos += size
		}
	}
	return "", s.errorf("unterminated string")
}

// hex4 reads the 4 hex digits of a \u escape.
func (s *scanner) hex4() (rune, bool) {
	if len(s.data)-s.pos < 4 {
		return 0, false
	}
	var r rune
	for _, c := range s.data[s.pos : s.pos+4] {
		switch {
		case '0' <= c && c <= '9':
			c -= '0'
		case 'a' <= c && c <= 'f':
			c -= 'a' - 10
		case 'A' <= c && c <= 'F':
			c -= 'A' - 10
		default:
			return 0, false
		}
		r = r<<4 | rune(c)
	}
	s.pos += 4
	return r, true
}

// lowSurrogate completes the surrogate pair started by r when a \u escape
// of the low half follows, and returns U+FFFD otherwise.
func (s *scanner) lowSurrogate(r rune) rune {
	if r >= 0xDC00 || len(s.data)-s.pos < 6 || s.data[s.pos] != '\\' || s.data[s.pos+1] != 'u' {
		return utf8.RuneError
	}
	save := s.pos
	s.pos += 2
	r2, ok := s.hex4()
	if ok {
		if dec := utf16.DecodeRune(r, r2); dec != utf8.RuneError {
			return dec
		}
	}
	s.pos = save
	return utf8.RuneError
}

// number reads a number literal and returns its text.
func (s *scanner) number() (string, error) {
	s.peek()
	end := s.pos
	for end < len(s.data) {
		c := s.data[end]
		if !('0' <= c && c <= '9' || c == '-' || c == '+' || c == '.' || c == 'e' || c == 'E') {
			break
		}
		end++
	}
	lit := string(s.data[s.pos:end])
	if !isJSONNumber(lit) {
		return "", s.unexpected("a number")
	}
	s.pos = end
	return lit, nil
}

// skip reads and discards any JSON value.
func (s *scanner) skip(depth int) error {
	if depth > maxSkipDepth {
		return s.errorf("JSON nested too deep")
	}
	switch s.peek() {
	case '"':
		_, err := s.str()
		return err
	case '{':
		s.pos++
		if s.consume('}') {
			return nil
		}
		for {
			if _, err := s.str(); err != nil {
				return err
			}
			if err := s.expect(':', `":"`); err != nil {
				return err
			}
			if err := s.skip(depth + 1); err != nil {
				return err
			}
			if s.consume(',') {
				continue
			}
			return s.expect('}', `"," or "}"`)
		}
	case '[':
		s.pos++
		if s.consume(']') {
			return nil
		}
		for {
			if err := s.skip(depth + 1); err != nil {
				return err
			}
			if s.consume(',') {
				continue
			}
			return s.expect(']', `"," or "]"`)
		}
	case 't', 'f', 'n':
		if s.literal("true") || s.literal("false") || s.literal("null") {
			return nil
		}
		return s.unexpected("a value")
	}
	_, err := s.number()
	return err
}
