package zipdicomdir

import (
	"archive/zip"
	"bytes"
	"encoding/binary"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/suyashkumar/dicom"
	"github.com/suyashkumar/dicom/pkg/tag"
)

// testFiles are real instances: two series of one study with a UTF-8
// name, two other patients, and a JPEG 2000 file (stored, not deflated).
var testFiles = []string{
	"crafted/muller_utf8_ct.dcm", "crafted/muller_utf8_mr.dcm", "crafted/doe.dcm",
	"crafted/smith.dcm", "pydicom/JPEG2000.dcm",
}

// headerOf reads the directory record fields of a file with the dicom
// library, as the portal reads them from the archive's metadata.
func headerOf(t *testing.T, path string) Instance {
	t.Helper()
	ds, err := dicom.ParseFile(path, nil, dicom.SkipPixelData())
	if err != nil {
		t.Fatalf("parse %s: %v", path, err)
	}
	s := func(tg tag.Tag) string {
		e, err := ds.FindElementByTag(tg)
		if err != nil {
			return ""
		}
		v, _ := e.Value.GetValue().([]string)
		return strings.Join(v, `\`)
	}
	return Instance{
		PatientID: s(tag.PatientID), PatientName: s(tag.PatientName), PatientBirthDate: s(tag.PatientBirthDate), PatientSex: s(tag.PatientSex),
		StudyInstanceUID: s(tag.StudyInstanceUID), StudyDate: s(tag.StudyDate), StudyTime: s(tag.StudyTime), StudyID: s(tag.StudyID),
		AccessionNumber: s(tag.AccessionNumber), StudyDescription: s(tag.StudyDescription),
		SeriesInstanceUID: s(tag.SeriesInstanceUID), Modality: s(tag.Modality), SeriesNumber: s(tag.SeriesNumber),
		SOPClassUID: s(tag.SOPClassUID), SOPInstanceUID: s(tag.SOPInstanceUID), InstanceNumber: s(tag.InstanceNumber),
		TransferSyntaxUID: s(tag.TransferSyntaxUID),
	}
}

// writeTestZip writes the test files into a ZIP in dir and returns its
// path and the files' contents by SOP Instance UID.
func writeTestZip(t *testing.T, dir string) (string, map[string][]byte) {
	t.Helper()
	out, err := os.Create(filepath.Join(dir, "study.zip"))
	if err != nil {
		t.Fatal(err)
	}
	defer out.Close()
	zw := NewWriter(out, Options{Readme: "Images of one study.\r\n"})
	want := map[string][]byte{}
	for _, f := range testFiles {
		path := filepath.Join("..", "..", "testdata", f)
		inst := headerOf(t, path)
		data, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		w, err := zw.Add(inst)
		if err != nil {
			t.Fatalf("Add(%s) = %v", f, err)
		}
		if _, err := io.Copy(w, bytes.NewReader(data)); err != nil {
			t.Fatal(err)
		}
		want[inst.SOPInstanceUID] = data
	}
	if _, err := zw.Add(headerOf(t, filepath.Join("..", "..", "testdata", testFiles[0]))); err == nil {
		t.Error("Add of the same instance again succeeded, want ErrDuplicate")
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return out.Name(), want
}

func TestZipHoldsFilesAndDICOMDIR(t *testing.T) {
	dir := t.TempDir()
	path, want := writeTestZip(t, dir)
	zr, err := zip.OpenReader(path)
	if err != nil {
		t.Fatal(err)
	}
	defer zr.Close()
	files := map[string][]byte{}
	var names []string
	for _, f := range zr.File {
		rc, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(rc)
		rc.Close()
		files[f.Name] = b
		names = append(names, f.Name)
	}
	wantNames := []string{
		"DICOM/PAT00001/STU00001/SER00001/IM000001", "DICOM/PAT00001/STU00001/SER00002/IM000001",
		"DICOM/PAT00002/STU00001/SER00001/IM000001", "DICOM/PAT00003/STU00001/SER00001/IM000001",
		"DICOM/PAT00004/STU00001/SER00001/IM000001", "README.TXT", "DICOMDIR",
	}
	if diff := cmp.Diff(wantNames, names); diff != "" {
		t.Errorf("ZIP entries (-want +got):\n%s", diff)
	}
	for _, f := range zr.File {
		if f.Name == "DICOM/PAT00004/STU00001/SER00001/IM000001" && f.Method != zip.Store {
			t.Errorf("JPEG 2000 file method = %d, want stored", f.Method)
		}
	}

	dd := files["DICOMDIR"]
	recs := walkRecords(t, dd)
	var got []string
	for _, r := range recs {
		got = append(got, r.kind)
		if r.kind != "IMAGE" {
			continue
		}
		b, ok := files[strings.ReplaceAll(r.fileID, `\`, "/")]
		if !ok {
			t.Errorf("record references %q, not in the ZIP", r.fileID)
			continue
		}
		if !bytes.Equal(b, want[r.sop]) {
			t.Errorf("file %s is not the instance %s its record names", r.fileID, r.sop)
		}
	}
	wantKinds := []string{"PATIENT", "STUDY", "SERIES", "IMAGE", "SERIES", "IMAGE", "PATIENT", "STUDY", "SERIES", "IMAGE",
		"PATIENT", "STUDY", "SERIES", "IMAGE", "PATIENT", "STUDY", "SERIES", "IMAGE"}
	if diff := cmp.Diff(wantKinds, got); diff != "" {
		t.Errorf("records reached through the offsets (-want +got):\n%s", diff)
	}

	// The dicom library reads the DICOMDIR back: 18 records, file IDs in
	// 8-character components, the UTF-8 name intact.
	ds, err := dicom.Parse(bytes.NewReader(dd), int64(len(dd)), nil)
	if err != nil {
		t.Fatalf("dicom.Parse(DICOMDIR) = %v", err)
	}
	seq, err := ds.FindElementByTag(tag.DirectoryRecordSequence)
	if err != nil {
		t.Fatal(err)
	}
	items := seq.Value.GetValue().([]*dicom.SequenceItemValue)
	if len(items) != len(wantKinds) {
		t.Fatalf("DICOMDIR has %d records, want %d", len(items), len(wantKinds))
	}
	var patientNames []string
	for _, it := range items {
		for _, e := range it.GetValue().([]*dicom.Element) {
			switch e.Tag {
			case tag.PatientName:
				patientNames = append(patientNames, e.Value.GetValue().([]string)[0])
			case tag.ReferencedFileID:
				for _, c := range e.Value.GetValue().([]string) {
					if len(c) > 8 || strings.ToUpper(c) != c {
						t.Errorf("file ID component %q is not 8 upper-case characters at most", c)
					}
				}
			}
		}
	}
	if diff := cmp.Diff([]string{"Müller^Jürgen", "Doe^John", "Smith^Jane", "CompressedSamples^NM1"}, patientNames); diff != "" {
		t.Errorf("patient names (-want +got):\n%s", diff)
	}
	if meta, _ := ds.FindElementByTag(tag.MediaStorageSOPClassUID); meta == nil || meta.Value.GetValue().([]string)[0] != MediaStorageDirectoryStorage {
		t.Errorf("media storage SOP class = %v, want %s", meta, MediaStorageDirectoryStorage)
	}
}

type walked struct{ kind, fileID, sop string }

// walkRecords follows the DICOMDIR's offsets from the root's first record,
// depth first, as a media reader does, checking each lands on an item.
func walkRecords(t *testing.T, b []byte) []walked {
	t.Helper()
	u32 := func(o int) int { return int(binary.LittleEndian.Uint32(b[o:])) }
	// Top level: after the meta group, File-set ID then the two offsets.
	meta := 132 + 12 + u32(140)
	fsid := int(binary.LittleEndian.Uint16(b[meta+6:]))
	first := u32(meta + 8 + fsid + 8)
	var out []walked
	seen := map[int]bool{}
	var walk func(off int)
	walk = func(off int) {
		for off != 0 {
			if seen[off] || off+8 > len(b) || binary.LittleEndian.Uint32(b[off:]) != 0xE000FFFE {
				t.Fatalf("offset %d is not the start of a fresh record item", off)
			}
			seen[off] = true
			item := b[off+8 : off+8+u32(off+4)]
			var r walked
			next, lower := 0, 0
			for p := 0; p < len(item); {
				tg := uint32(binary.LittleEndian.Uint16(item[p:]))<<16 | uint32(binary.LittleEndian.Uint16(item[p+2:]))
				vr := string(item[p+4 : p+6])
				n, h := int(binary.LittleEndian.Uint16(item[p+6:])), 8
				if longVR(vr) {
					n, h = int(binary.LittleEndian.Uint32(item[p+8:])), 12
				}
				v := item[p+h : p+h+n]
				switch tg {
				case tagNextRecord:
					next = int(binary.LittleEndian.Uint32(v))
				case tagLowerEntity:
					lower = int(binary.LittleEndian.Uint32(v))
				case tagRecordType:
					r.kind = strings.TrimSpace(string(v))
				case tagFileID:
					r.fileID = strings.TrimSpace(string(v))
				case tagRefSOPInstance:
					r.sop = strings.TrimRight(string(v), "\x00")
				}
				p += h + n
			}
			out = append(out, r)
			walk(lower)
			off = next
		}
	}
	walk(first)
	return out
}

// TestDICOMDIRWithTools checks the DICOMDIR with DCMTK's dcmdump and
// pydicom's FileSet (which follows the offsets and opens every referenced
// file) where they are installed; neither is needed to run the tests.
func TestDICOMDIRWithTools(t *testing.T) {
	dir := t.TempDir()
	path, want := writeTestZip(t, dir)
	zr, err := zip.OpenReader(path)
	if err != nil {
		t.Fatal(err)
	}
	defer zr.Close()
	media := filepath.Join(dir, "cd")
	for _, f := range zr.File {
		p := filepath.Join(media, filepath.FromSlash(f.Name))
		os.MkdirAll(filepath.Dir(p), 0o755)
		rc, _ := f.Open()
		b, _ := io.ReadAll(rc)
		rc.Close()
		if err := os.WriteFile(p, b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	ran := false
	if dcmdump, err := exec.LookPath("dcmdump"); err == nil {
		ran = true
		out, err := exec.Command(dcmdump, "-q", "+L", filepath.Join(media, "DICOMDIR")).CombinedOutput()
		if err != nil || bytes.Contains(out, []byte("E: ")) || bytes.Contains(out, []byte("W: ")) {
			t.Errorf("dcmdump DICOMDIR: %v\n%s", err, out)
		}
		if n := bytes.Count(out, []byte("(0004,1430) CS [IMAGE]")); n != len(want) {
			t.Errorf("dcmdump shows %d image records, want %d", n, len(want))
		}
	}
	script := `import sys
from pydicom import dcmread
from pydicom.fileset import FileSet
fs = FileSet(dcmread(sys.argv[1]))
n = 0
for inst in fs:
    ds = inst.load()
    assert ds.SOPInstanceUID == inst.ReferencedSOPInstanceUIDInFile
    n += 1
print(n)`
	for _, py := range []string{"python3", "/usr/bin/python3"} {
		if exec.Command(py, "-c", "import pydicom.fileset").Run() != nil {
			continue
		}
		ran = true
		out, err := exec.Command(py, "-c", script, filepath.Join(media, "DICOMDIR")).CombinedOutput()
		if err != nil || strings.TrimSpace(string(out)) != "5" {
			t.Errorf("pydicom FileSet: %v\n%s", err, out)
		}
		break
	}
	if !ran {
		t.Skip("neither dcmdump nor pydicom is installed")
	}
}
