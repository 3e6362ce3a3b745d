package zipdicomdir

import (
	"archive/zip"
	"bytes"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/suyashkumar/dicom"
	"github.com/suyashkumar/dicom/pkg/tag"

	"github.com/pacslite/pacslite/dicomweb/dataset"
	"github.com/pacslite/pacslite/dicomweb/dicomjson"
)

// headerWithMetadata is headerOf plus the file's attributes as DICOM JSON,
// which is what the portal passes from the archive's metadata.
func headerWithMetadata(t *testing.T, path string) Instance {
	t.Helper()
	inst := headerOf(t, path)
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	pf, err := dataset.Parse(f, dataset.Options{StopAtPixelData: true})
	if err != nil {
		t.Fatalf("parse %s: %v", path, err)
	}
	if inst.Header, err = dicomjson.FromDataset(pf.Dataset, pf.Charset(), pf.ByteOrder, dicomjson.FromOptions{}); err != nil {
		t.Fatal(err)
	}
	if inst.TransferSyntaxUID == "" {
		inst.TransferSyntaxUID = pf.TransferSyntax
	}
	return inst
}

func TestRecordType(t *testing.T) {
	for _, tt := range []struct{ class, want string }{
		{"1.2.840.10008.5.1.4.1.1.2", "IMAGE"},           // CT
		{"1.2.840.10008.5.1.4.1.1.66.4", "IMAGE"},        // Segmentation
		{"1.2.840.10008.5.1.4.1.1.88.33", "SR DOCUMENT"}, // Comprehensive SR
		{"1.2.840.10008.5.1.4.1.1.88.67", "SR DOCUMENT"}, // X-Ray Radiation Dose SR
		{"1.2.840.10008.5.1.4.1.1.88.59", "KEY OBJECT DOC"},
		{"1.2.840.10008.5.1.4.1.1.104.1", "ENCAP DOC"},
		{"1.2.840.10008.5.1.4.1.1.11.1", "PRESENTATION"},
		{"1.2.840.10008.5.1.4.1.1.481.2", "RT DOSE"},
		{"1.2.840.10008.5.1.4.1.1.481.3", "RT STRUCTURE SET"},
		{"1.2.840.10008.5.1.4.1.1.481.5", "RT PLAN"},
		{"1.2.840.10008.5.1.4.1.1.481.4", "RT TREAT RECORD"},
		{"1.2.840.10008.5.1.4.1.1.9.1.1", "WAVEFORM"},
		{"1.2.840.10008.5.1.4.1.1.66", "RAW DATA"},
		{"1.2.840.10008.5.1.4.1.1.66.1", "REGISTRATION"},
		{"1.2.840.10008.5.1.4.1.1.4.2", "SPECTROSCOPY"},
		{"1.2.3.4.5.6", "IMAGE"}, // private: dcmmkdir's default
	} {
		if got := RecordType(tt.class); got != tt.want {
			t.Errorf("RecordType(%s) = %q, want %q", tt.class, got, tt.want)
		}
	}
}

// recordFiles are real non-image files (and one image) with the record
// type and the keys each record must carry, as dcmmkdir writes them.
var recordFiles = []struct {
	file, kind string
	keys       map[tag.Tag]string // "" means present and empty
}{
	{"pydicom/test-SR.dcm", "SR DOCUMENT", map[tag.Tag]string{tag.CompletionFlag: "COMPLETE", tag.VerificationFlag: "VERIFIED",
		tag.ContentDate: "20010213", tag.ContentTime: "184746", tag.VerificationDateTime: "20010213184746", tag.InstanceNumber: "1"}},
	{"pydicom/reportsi.dcm", "SR DOCUMENT", map[tag.Tag]string{tag.CompletionFlag: "PARTIAL", tag.VerificationFlag: "UNVERIFIED",
		tag.ContentDate: "20050530", tag.ContentTime: "160527"}},
	{"crafted/pixels/encapsulated_pdf.dcm", "ENCAP DOC", map[tag.Tag]string{tag.DocumentTitle: "Test report",
		tag.MIMETypeOfEncapsulatedDocument: "application/pdf", tag.ContentDate: "", tag.ContentTime: ""}},
	{"pydicom/rtdose.dcm", "RT DOSE", map[tag.Tag]string{tag.DoseSummationType: "BEAM"}},
	{"pydicom/rtplan.dcm", "RT PLAN", map[tag.Tag]string{tag.RTPlanLabel: "Plan1", tag.RTPlanDate: "20030903", tag.RTPlanTime: "150023"}},
	{"pydicom/rtstruct.dcm", "RT STRUCTURE SET", map[tag.Tag]string{tag.StructureSetLabel: "", tag.StructureSetDate: "", tag.StructureSetTime: ""}},
	{"pydicom/waveform_ecg.dcm", "WAVEFORM", map[tag.Tag]string{tag.ContentDate: "20130125", tag.ContentTime: "105919"}},
	{"crafted/doe.dcm", "IMAGE", map[tag.Tag]string{tag.InstanceNumber: ""}},
}

// TestRecordTypesOfRealFiles writes SR, PDF, RT and waveform files into a
// ZIP and reads the DICOMDIR back with the dicom library: each record has
// the type of its SOP class and that type's keys, with the file's values.
func TestRecordTypesOfRealFiles(t *testing.T) {
	var buf bytes.Buffer
	zw := NewWriter(&buf, Options{})
	byUID := map[string]int{}
	for i, rf := range recordFiles {
		inst := headerWithMetadata(t, filepath.Join("..", "..", "testdata", rf.file))
		w, err := zw.Add(inst)
		if err != nil {
			t.Fatalf("Add(%s) = %v", rf.file, err)
		}
		data, _ := os.ReadFile(filepath.Join("..", "..", "testdata", rf.file))
		w.Write(data)
		byUID[inst.SOPInstanceUID] = i
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	dd, files := unzip(t, buf.Bytes())
	ds, err := dicom.Parse(bytes.NewReader(dd), int64(len(dd)), nil)
	if err != nil {
		t.Fatalf("dicom.Parse(DICOMDIR) = %v", err)
	}
	seq, err := ds.FindElementByTag(tag.DirectoryRecordSequence)
	if err != nil {
		t.Fatal(err)
	}
	seen := map[int]bool{}
	for _, it := range seq.Value.GetValue().([]*dicom.SequenceItemValue) {
		rec := map[tag.Tag]*dicom.Element{}
		var tags []tag.Tag
		for _, e := range it.GetValue().([]*dicom.Element) {
			rec[e.Tag] = e
			tags = append(tags, e.Tag)
		}
		for i := 1; i < len(tags); i++ {
			if tags[i].Group < tags[i-1].Group || tags[i].Group == tags[i-1].Group && tags[i].Element <= tags[i-1].Element {
				t.Errorf("record keys out of tag order: %v after %v", tags[i], tags[i-1])
			}
		}
		sop := str(rec[tag.ReferencedSOPInstanceUIDInFile])
		if sop == "" {
			continue // patient, study, series
		}
		i, ok := byUID[sop]
		if !ok {
			t.Errorf("record for unknown instance %s", sop)
			continue
		}
		seen[i] = true
		rf := recordFiles[i]
		if got := str(rec[tag.DirectoryRecordType]); got != rf.kind {
			t.Errorf("%s: record type %q, want %q", rf.file, got, rf.kind)
		}
		if _, ok := files[strings.ReplaceAll(str(rec[tag.ReferencedFileID]), `\`, "/")]; !ok {
			t.Errorf("%s: record references %q, not in the ZIP", rf.file, str(rec[tag.ReferencedFileID]))
		}
		for tg, want := range rf.keys {
			e, ok := rec[tg]
			if !ok {
				t.Errorf("%s: %s record lacks %v", rf.file, rf.kind, tg)
				continue
			}
			if got := str(e); want != "" && got != want {
				t.Errorf("%s: %v = %q, want %q", rf.file, tg, got, want)
			}
		}
		if rf.kind == "SR DOCUMENT" {
			cn, ok := rec[tag.ConceptNameCodeSequence]
			if !ok || len(cn.Value.GetValue().([]*dicom.SequenceItemValue)) != 1 {
				t.Errorf("%s: no Concept Name Code Sequence with one item", rf.file)
				continue
			}
			var meaning string
			for _, e := range cn.Value.GetValue().([]*dicom.SequenceItemValue)[0].GetValue().([]*dicom.Element) {
				if e.Tag == tag.CodeMeaning {
					meaning = str(e)
				}
			}
			if meaning == "" {
				t.Errorf("%s: the document title has no Code Meaning", rf.file)
			}
		}
	}
	if len(seen) != len(recordFiles) {
		t.Errorf("%d of %d instances have a record", len(seen), len(recordFiles))
	}
}

// TestRecordTypesWithDCMTK has dcmdump read the DICOMDIR of the files
// above (no error, no warning) and compares its record types and keys with
// what DCMTK's own dcmmkdir writes for them, where DCMTK is installed.
func TestRecordTypesWithDCMTK(t *testing.T) {
	dcmdump, err := exec.LookPath("dcmdump")
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("dcmdump is missing")
		}
		t.Skip("dcmdump is not installed")
	}
	var buf bytes.Buffer
	zw := NewWriter(&buf, Options{})
	for _, rf := range recordFiles {
		w, err := zw.Add(headerWithMetadata(t, filepath.Join("..", "..", "testdata", rf.file)))
		if err != nil {
			t.Fatal(err)
		}
		data, _ := os.ReadFile(filepath.Join("..", "..", "testdata", rf.file))
		w.Write(data)
	}
	zw.Close()
	dd, _ := unzip(t, buf.Bytes())
	path := filepath.Join(t.TempDir(), "DICOMDIR")
	os.WriteFile(path, dd, 0o644)
	out, err := exec.Command(dcmdump, "-q", "+L", path).CombinedOutput()
	if err != nil || bytes.Contains(out, []byte("E: ")) || bytes.Contains(out, []byte("W: ")) {
		t.Fatalf("dcmdump DICOMDIR: %v\n%s", err, out)
	}
	var kinds []string
	for _, line := range strings.Split(string(out), "\n") {
		if strings.Contains(line, "(0004,1430)") {
			kinds = append(kinds, line[strings.Index(line, "[")+1:strings.Index(line, "]")])
		}
	}
	want := []string{"PATIENT", "STUDY", "SERIES", "SR DOCUMENT", "PATIENT", "STUDY", "SERIES", "SR DOCUMENT",
		"PATIENT", "STUDY", "SERIES", "ENCAP DOC", "PATIENT", "STUDY", "SERIES", "RT DOSE", "PATIENT", "STUDY", "SERIES",
		"RT PLAN", "PATIENT", "STUDY", "SERIES", "RT STRUCTURE SET", "PATIENT", "STUDY", "SERIES", "WAVEFORM", "PATIENT", "STUDY", "SERIES", "IMAGE"}
	if diff := cmp.Diff(want, kinds); diff != "" {
		t.Errorf("dcmdump's record types (-want +got):\n%s", diff)
	}
	for _, line := range []string{
		"(0040,a491) CS [COMPLETE]", "(0040,a493) CS [VERIFIED]", "(0040,a030) DT [20010213184746]",
		"(0008,0104) LO [Diagnosis]", "(0042,0010) ST [Test report]", "(0042,0012) LO [application/pdf]",
		"(3004,000a) CS [BEAM]", "(300a,0002) SH [Plan1]", "(0008,0023) DA [20130125]",
	} {
		if !bytes.Contains(out, []byte(line)) {
			t.Errorf("dcmdump lacks %q", line)
		}
	}
}

func unzip(t *testing.T, b []byte) ([]byte, map[string][]byte) {
	t.Helper()
	zr, err := zip.NewReader(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		t.Fatal(err)
	}
	files := map[string][]byte{}
	for _, f := range zr.File {
		rc, _ := f.Open()
		files[f.Name], _ = io.ReadAll(rc)
		rc.Close()
	}
	return files["DICOMDIR"], files
}

func str(e *dicom.Element) string {
	if e == nil {
		return ""
	}
	v, _ := e.Value.GetValue().([]string)
	return strings.TrimSpace(strings.Join(v, `\`))
}
