package reportdcm

import (
	"bytes"
	"encoding/binary"
	"strings"
	"testing"
	"time"

	"github.com/pacslite/pacslite/dicomweb/dataset"
)

func TestNewUID(t *testing.T) {
	a, b := NewUID(), NewUID()
	if a == b || !strings.HasPrefix(a, "2.25.") || len(a) > 64 || strings.HasPrefix(a, "2.25.0") {
		t.Errorf("NewUID() = %q, %q; want distinct 2.25 UIDs of at most 64 characters", a, b)
	}
}

func TestEncapsulatedPDF(t *testing.T) {
	pdf := []byte("%PDF-1.7 odd length")
	b, err := EncapsulatedPDF(Document{
		Study: Study{StudyUID: "1.2.3", StudyDate: "20230710", PatientName: "शर्मा^प्रिया", PatientID: "P-1", Accession: "A-17",
			Description: strings.Repeat("long description ", 10)},
		SeriesUID: "1.2.3.4", SOPUID: "1.2.3.4.5", SeriesNumber: 9901, InstanceNumber: 2, Title: "Radiology report",
		Created: time.Date(2026, 1, 2, 10, 4, 5, 0, time.UTC), Manufacturer: "pacslite", PDF: pdf,
	})
	if err != nil {
		t.Fatal(err)
	}
	f, err := dataset.Parse(bytes.NewReader(b), dataset.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if f.TransferSyntax != explicitVRLittleEndian {
		t.Errorf("transfer syntax %q", f.TransferSyntax)
	}
	cs, _ := dataset.NewCharset([]string{"ISO_IR 192"})
	get := func(tag dataset.Tag) string {
		e := f.Dataset.Find(tag)
		if e == nil {
			t.Fatalf("no element %v", tag)
		}
		return strings.Join(e.Strings(cs), `\`)
	}
	for tag, want := range map[dataset.Tag]string{0x00080016: EncapsulatedPDFStorage, 0x00080018: "1.2.3.4.5", 0x0020000D: "1.2.3",
		0x0020000E: "1.2.3.4", 0x00080060: "DOC", 0x00420012: "application/pdf", 0x00200013: "2", 0x00080020: "20230710"} {
		if got := get(tag); got != want {
			t.Errorf("%v = %q, want %q", tag, got, want)
		}
	}
	if got := f.Dataset.Find(0x00100010).PersonNames(cs)[0]; !strings.Contains(got.Alphabetic, "प्रिया") {
		t.Errorf("patient name = %+v", got)
	}
	if n := len(get(0x00081030)); n > 64 {
		t.Errorf("study description is %d bytes, longer than LO allows", n)
	}
	doc := f.Dataset.Find(0x00420011).Value
	n := binary.LittleEndian.Uint32(f.Dataset.Find(0x00420015).Value)
	if !bytes.Equal(doc[:n], pdf) || len(doc) != len(pdf)+1 {
		t.Errorf("encapsulated document = %q (length %d), want the PDF padded to even length", doc, n)
	}
	if c := f.Dataset.Find(0x0040A043); c == nil || len(c.Items) != 1 {
		t.Error("no concept name code")
	}
}
