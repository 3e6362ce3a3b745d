package stowclient

import (
	"os"
	"path/filepath"
	"testing"
)

// FuzzSniff feeds arbitrary file heads to the classifier, which reads
// whatever is on a CD.
func FuzzSniff(f *testing.F) {
	for _, name := range []string{"pydicom/CT_small.dcm", "pydicom/rtstruct.dcm", "pydicom/dicomdirtests/DICOMDIR"} {
		b, err := os.ReadFile(filepath.Join(testdata, filepath.FromSlash(name)))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b[:min(len(b), sniffLen)])
		f.Add(b[min(len(b), 132):min(len(b), 132+sniffLen)])
	}
	f.Add([]byte("\x08\x00\x05\x00OB\x00\x00\xff\xff\xff\xff"))
	f.Fuzz(func(t *testing.T, b []byte) {
		b = b[:min(len(b), sniffLen)]
		sniff("x", b, int64(len(b)))
		sniff("DICOMDIR", b, 1<<40)
	})
}

// FuzzParseResponse feeds arbitrary server answers to the response parser.
func FuzzParseResponse(f *testing.F) {
	f.Add([]byte(`{"00081199":{"vr":"SQ","Value":[{"00081155":{"vr":"UI","Value":["1.2"]}}]},` +
		`"00081198":{"vr":"SQ","Value":[{"00081197":{"vr":"US","Value":[49152]}}]}}`))
	f.Add([]byte(`[{"00081198":{"vr":"SQ","Value":[{"00081197":{"vr":"US","Value":["x"]}}]}}]`))
	f.Add([]byte(`{"00081199":{"vr":"SQ","Value":[1,"a",null,{}]}}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		parseResponse(b)
		serverMessage(b)
	})
}
