package stowclient

import (
	"bytes"
	"encoding/binary"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

const testdata = "../../testdata"

// scanAll runs Scan and returns the files it found.
func scanAll(t *testing.T, roots ...string) ([]File, Stats) {
	t.Helper()
	var files []File
	st, err := Scan(roots, func(f File) error {
		files = append(files, f)
		return nil
	})
	if err != nil {
		t.Fatalf("Scan(%q) error: %v", roots, err)
	}
	return files, st
}

func TestScanDICOMDIRTree(t *testing.T) {
	root := filepath.Join(testdata, "pydicom", "dicomdirtests")
	files, st := scanAll(t, root)
	// 31 instances under 7765*/9889*, 50 under TINY_ALPHA; 8 DICOMDIRs
	// (DICOMDIR, -bigEnd, -empty.dcm, -implicit, -nooffset, -nopatient,
	// -reordered, TINY_ALPHA/DICOMDIR) and 2 READMEs skipped.
	want := Stats{Files: 91, DICOM: 81, Skipped: 10, Directories: 8}
	var size int64
	for _, f := range files {
		size += f.Size
		if strings.Contains(filepath.Base(f.Path), "DICOMDIR") || strings.Contains(f.Path, "README") {
			t.Errorf("Scan reported %s as an instance", f.Path)
		}
	}
	want.Bytes = size
	if diff := cmp.Diff(want, st); diff != "" {
		t.Errorf("Scan(%s) stats mismatch (-want +got):\n%s", root, diff)
	}
	if len(files) != want.DICOM {
		t.Errorf("Scan(%s) called fn %d times, want %d", root, len(files), want.DICOM)
	}
	if got, want := files[0].Path, filepath.Join(root, "77654033", "CR1", "6154"); got != want {
		t.Errorf("first file = %s, want %s (lexical order)", got, want)
	}
}

// readTestdata returns a file of the shared test data.
func readTestdata(t *testing.T, path ...string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(append([]string{testdata}, path...)...))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// stripMeta returns a Part-10 file's data set without preamble and meta
// group, the way pre-1993 media stored it.
func stripMeta(t *testing.T, b []byte) []byte {
	t.Helper()
	// (0002,0000) UL 4 <len> follows "DICM".
	if string(b[128:132]) != "DICM" || binary.LittleEndian.Uint16(b[132:]) != 2 {
		t.Fatal("stripMeta: not a Part-10 file with a meta group length")
	}
	metaLen := binary.LittleEndian.Uint32(b[140:])
	return b[144+metaLen:]
}

func writeTree(t *testing.T, root string, files map[string][]byte) {
	t.Helper()
	for name, data := range files {
		p := filepath.Join(root, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

func TestScanMixedTree(t *testing.T) {
	ct := readTestdata(t, "pydicom", "CT_small.dcm")
	mr := readTestdata(t, "pydicom", "MR_small.dcm")
	exe := append([]byte("MZ\x90\x00\x03\x00\x00\x00\x04\x00"), bytes.Repeat([]byte{0xff, 0, 0xb8, 0}, 1000)...)
	root := t.TempDir()
	writeTree(t, root, map[string][]byte{
		// Instances.
		"CD/DICOM/PT0/ST0/IM0":   ct,                                         // Part 10, no extension
		"CD/DICOM/PT0/ST0/IM1":   mr[132:],                                   // meta group, no preamble
		"CD/DICOM/PT0/ST0/IM2":   stripMeta(t, mr),                           // explicit VR LE data set
		"CD/DICOM/PT0/ST0/IM3":   readTestdata(t, "pydicom", "rtstruct.dcm"), // implicit VR LE data set
		"CD/DICOM/PT0/ST0/x.DCM": readTestdata(t, "pydicom", "JPEG2000.dcm"),
		// Not instances.
		"CD/DICOMDIR":          readTestdata(t, "pydicom", "dicomdirtests", "TINY_ALPHA", "DICOMDIR"),
		"CD/autorun.inf":       []byte("[autorun]\r\nopen=viewer\\viewer.exe\r\nicon=viewer\\icon.ico\r\n"),
		"CD/viewer/viewer.exe": exe,
		"CD/viewer/readme.pdf": []byte("%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\nendobj\n"),
		"CD/viewer/logo.png":   []byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x10"),
		"CD/truncated":         ct[:10],
		"CD/empty":             nil,
		"CD/group8-garbage":    []byte("\x08\x00\x10\x00\xff\xff\xff\x7fnot really DICOM at all......"),
		"CD/group8-descending": []byte("\x08\x00\x20\x00DA\x08\x0020240101\x08\x00\x10\x00CS\x02\x00AB"),
	})
	if err := os.Symlink("DICOM/PT0/ST0/IM0", filepath.Join(root, "CD", "link-to-IM0")); err != nil {
		t.Fatal(err)
	}

	files, st := scanAll(t, root, filepath.Join(root, "CD", "DICOM", "PT0", "ST0", "IM0")) // IM0 twice
	var got []string
	for _, f := range files {
		rel, _ := filepath.Rel(root, f.Path)
		got = append(got, filepath.ToSlash(rel))
	}
	wantFiles := []string{
		"CD/DICOM/PT0/ST0/IM0", "CD/DICOM/PT0/ST0/IM1", "CD/DICOM/PT0/ST0/IM2",
		"CD/DICOM/PT0/ST0/IM3", "CD/DICOM/PT0/ST0/x.DCM",
	}
	if diff := cmp.Diff(wantFiles, got); diff != "" {
		t.Errorf("Scan instances mismatch (-want +got):\n%s", diff)
	}
	var size int64
	for _, f := range files {
		fi, err := os.Stat(f.Path)
		if err != nil || fi.Size() != f.Size {
			t.Errorf("File %s size = %d, want %d (%v)", f.Path, f.Size, fi.Size(), err)
		}
		size += f.Size
	}
	want := Stats{Files: 15, DICOM: 5, Skipped: 10, Bytes: size, Directories: 1}
	if diff := cmp.Diff(want, st); diff != "" {
		t.Errorf("Scan stats mismatch (-want +got):\n%s", diff)
	}
}

func TestScanUnreadable(t *testing.T) {
	if os.Geteuid() == 0 {
		t.Skip("root reads files whatever their mode")
	}
	root := t.TempDir()
	writeTree(t, root, map[string][]byte{
		"a/IM0":      readTestdata(t, "pydicom", "CT_small.dcm"),
		"a/secret":   readTestdata(t, "pydicom", "MR_small.dcm"),
		"locked/IM1": readTestdata(t, "pydicom", "MR_small.dcm"),
	})
	for _, p := range []string{"a/secret", "locked"} {
		if err := os.Chmod(filepath.Join(root, p), 0); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { os.Chmod(filepath.Join(root, p), 0o755) })
	}
	files, st := scanAll(t, root)
	if len(files) != 1 || st.Unreadable != 2 || st.Skipped != 2 || st.DICOM != 1 {
		t.Errorf("Scan = %d files, %+v, want 1 file, 2 unreadable and skipped", len(files), st)
	}
}

func TestScanErrors(t *testing.T) {
	if _, err := Scan([]string{filepath.Join(t.TempDir(), "nope")}, func(File) error { return nil }); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("Scan(missing root) error = %v, want ErrNotExist", err)
	}
	errStop := errors.New("stop")
	calls := 0
	st, err := Scan([]string{filepath.Join(testdata, "pydicom", "dicomdirtests")}, func(File) error {
		calls++
		return errStop
	})
	if !errors.Is(err, errStop) || calls != 1 || st.DICOM != 1 {
		t.Errorf("Scan with failing fn = %v after %d calls (%+v), want %v after 1", err, calls, st, errStop)
	}
}

func TestSniff(t *testing.T) {
	mr := readTestdata(t, "pydicom", "MR_small.dcm")
	dir := readTestdata(t, "pydicom", "dicomdirtests", "DICOMDIR-implicit")
	tests := []struct {
		name string
		file string
		b    []byte
		want kind
	}{
		{"part 10", "x", mr, instance},
		{"DICOMDIR by SOP class", "whatever", dir, directory},
		{"DICOMDIR without preamble", "whatever", dir[132:], directory},
		{"DICOMDIR meta cut short, by name", "DICOMDIR", dir[:140], directory},
		{"instance meta cut short", "IM0", mr[:140], instance},
		{"no preamble, explicit", "x", stripMeta(t, mr), instance},
		{"short", "x", []byte{8, 0, 5, 0}, notDICOM},
		{"group 0010 first", "x", []byte("\x10\x00\x10\x00PN\x04\x00Doe^"), notDICOM},
		{"long VR with bad reserved bytes", "x", []byte("\x08\x00\x05\x00OB\x01\x00\x02\x00\x00\x00ab"), notDICOM},
		{"length past end", "x", []byte("\x08\x00\x05\x00CS\x40\x00ISO_IR 100"), notDICOM},
		{"text", "x", []byte("hello, world: this is text\n"), notDICOM},
	}
	for _, tt := range tests {
		b := tt.b[:min(len(tt.b), sniffLen)]
		if got := sniff(tt.file, b, int64(len(tt.b))); got != tt.want {
			t.Errorf("sniff(%s) = %v, want %v", tt.name, got, tt.want)
		}
	}
}
