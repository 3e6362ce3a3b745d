package codec

import "fmt"

// sof is what a JPEG frame header (SOFn marker) declares.
type sof struct {
	marker     byte // 0xC0..0xCF
	precision  int
	rows, cols int
	components int
}

// lossless reports the lossless processes (SOF3, SOF7, SOF11, SOF15).
func (s sof) lossless() bool { return s.marker&3 == 3 }

// readSOF finds the frame header of a JPEG stream, skipping the segments
// before it (APPn, DQT, DHT, ...).
func readSOF(b []byte) (sof, error) {
	if len(b) < 4 || b[0] != 0xFF || b[1] != 0xD8 {
		return sof{}, fmt.Errorf("%w: no JPEG start of image marker", ErrCorrupt)
	}
	i := 2
	for i+4 <= len(b) {
		if b[i] != 0xFF {
			return sof{}, fmt.Errorf("%w: JPEG marker expected at byte %d", ErrCorrupt, i)
		}
		m := b[i+1]
		switch {
		case m == 0xFF: // fill byte
			i++
			continue
		case m == 0x01 || m >= 0xD0 && m <= 0xD7: // no length
			i += 2
			continue
		}
		n := int(b[i+2])<<8 | int(b[i+3])
		if m >= 0xC0 && m <= 0xCF && m != 0xC4 && m != 0xC8 && m != 0xCC {
			if n < 8 || i+2+n > len(b) {
				return sof{}, fmt.Errorf("%w: truncated JPEG frame header", ErrCorrupt)
			}
			h := b[i+4:]
			return sof{marker: m, precision: int(h[0]), rows: int(h[1])<<8 | int(h[2]),
				cols: int(h[3])<<8 | int(h[4]), components: int(h[5])}, nil
		}
		if m == 0xDA || n < 2 {
			break
		}
		i += 2 + n
	}
	return sof{}, fmt.Errorf("%w: no JPEG frame header", ErrCorrupt)
}
