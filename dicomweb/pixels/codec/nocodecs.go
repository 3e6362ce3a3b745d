//go:build !cgo || nocodecs

package codec

import "fmt"

// Without cgo (or with the nocodecs tag) only RLE decodes.
const cgoCodecs = false

func decodeJPEG(ts string, _ []byte, _ FrameInfo) ([]byte, error) {
	return nil, fmt.Errorf("%w: %s needs a build with cgo", ErrUnsupported, ts)
}

func decodeJPEGLS(_ []byte, _ FrameInfo) ([]byte, error) {
	return nil, fmt.Errorf("%w: JPEG-LS needs a build with cgo", ErrUnsupported)
}

func decodeJ2K(_ []byte, _ FrameInfo) ([]byte, error) {
	return nil, fmt.Errorf("%w: JPEG 2000 needs a build with cgo", ErrUnsupported)
}
