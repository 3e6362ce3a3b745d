package conformance

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"flag"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/golden/conformance")

// goldenDir holds the expected metadata, with the server's base URL
// replaced by {{BASE}}.
var goldenDir = filepath.Join("..", "testdata", "golden", "conformance")

// metadataGoldens are the instance metadata compared with golden files:
// one per transfer syntax family and per kind of content.
var metadataGoldens = []string{
	"pydicom/CT_small.dcm",           // explicit VR LE, private tags, native pixels
	"pydicom/MR_small_bigendian.dcm", // explicit VR BE
	"pydicom/rtplan.dcm",             // implicit VR LE, nested sequences
	"pydicom/image_dfl.dcm",          // deflated
	"pydicom/JPEG2000.dcm",           // encapsulated pixel data
	"pydicom/test-SR.dcm",            // structured report
	"pydicom/waveform_ecg.dcm",       // waveform bulk data
	"charset/chrH31.dcm",             // ISO 2022 Japanese, three PN groups
	"crafted/muller_latin1.dcm",      // ISO_IR 100
}

// canonical decodes JSON for comparison: numbers keep their literal, the
// server's base URL becomes {{BASE}}, and an array of objects is sorted by
// SOP Instance UID (the order of instances in metadata is not specified).
func canonical(t *testing.T, b []byte, base string) any {
	t.Helper()
	if base != "" {
		b = bytes.ReplaceAll(b, []byte(base), []byte("{{BASE}}"))
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		t.Fatalf("invalid JSON: %v", err)
	}
	if arr, ok := v.([]any); ok {
		key := func(o any) string {
			m, _ := o.(map[string]any)
			a, _ := m[tagSOPInstanceUID].(map[string]any)
			vals, _ := a["Value"].([]any)
			if len(vals) == 0 {
				return ""
			}
			s, _ := vals[0].(string)
			return s
		}
		sort.SliceStable(arr, func(i, j int) bool { return key(arr[i]) < key(arr[j]) })
	}
	return v
}

// compareGolden compares a metadata response with a golden file, or
// rewrites the file with -update.
func compareGolden(t *testing.T, name string, body []byte, base string) {
	t.Helper()
	got := canonical(t, body, base)
	path := filepath.Join(goldenDir, name)
	if *update {
		b, err := json.MarshalIndent(got, "", " ")
		if err != nil {
			t.Fatal(err)
		}
		if err := os.MkdirAll(goldenDir, 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, append(b, '\n'), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run with -update to create it)", err)
	}
	if diff := cmp.Diff(canonical(t, want, ""), got); diff != "" {
		t.Errorf("%s differs from the golden file (-want +got):\n%s", name, diff)
	}
}

func goldenName(path string) string {
	return strings.ReplaceAll(strings.TrimSuffix(path, ".dcm"), "/", "-") + ".json"
}

// TestMetadataGolden compares instance, series and study metadata with
// golden files reviewed against pydicom's and dcm2json's DICOM JSON.
func TestMetadataGolden(t *testing.T) {
	t.Parallel()
	s := startServer(t)
	s.stowFiles(t, metadataGoldens...)
	s.stowFiles(t, "crafted/muller_utf8_ct.dcm", "crafted/muller_utf8_mr.dcm")
	for _, path := range metadataGoldens {
		t.Run(path, func(t *testing.T) {
			f := corpusFile(path)
			r := s.get(t, "/studies/"+f.study+"/series/"+f.series+"/instances/"+f.instance+"/metadata", acceptDICOMJSON)
			wantStatus(t, r, http.StatusOK, "instance metadata")
			if ct := r.ContentType(); ct != "application/dicom+json" {
				t.Errorf("Content-Type %q, want application/dicom+json", ct)
			}
			decodeArray(t, r.Body)
			compareGolden(t, goldenName(path), r.Body, s.Root)
		})
	}
	m := corpusFile("crafted/muller_utf8_ct.dcm")
	for name, path := range map[string]string{
		"study-muller.json":     "/studies/" + m.study + "/metadata",
		"series-muller-ct.json": "/studies/" + m.study + "/series/" + m.series + "/metadata",
	} {
		t.Run(name, func(t *testing.T) {
			r := s.get(t, path, acceptDICOMJSON)
			wantStatus(t, r, http.StatusOK, "metadata")
			compareGolden(t, name, r.Body, s.Root)
		})
	}
}

// TestMetadataLevels counts the objects of study, series and instance
// metadata and checks XML and unknown UIDs.
func TestMetadataLevels(t *testing.T) {
	t.Parallel()
	s := startServer(t)
	ct, mr := corpusFile("crafted/muller_utf8_ct.dcm"), corpusFile("crafted/muller_utf8_mr.dcm")
	s.stowFiles(t, ct.path, mr.path, "pydicom/CT_small.dcm")
	for path, want := range map[string][]string{
		"/studies/" + ct.study + "/metadata":                                                        {ct.instance, mr.instance},
		"/studies/" + ct.study + "/series/" + mr.series + "/metadata":                               {mr.instance},
		"/studies/" + ct.study + "/series/" + ct.series + "/instances/" + ct.instance + "/metadata": {ct.instance},
	} {
		r := s.get(t, path, "")
		wantStatus(t, r, http.StatusOK, path)
		got := uids(decodeArray(t, r.Body), tagSOPInstanceUID)
		sort.Strings(got)
		sort.Strings(want)
		if strings.Join(got, " ") != strings.Join(want, " ") {
			t.Errorf("%s: instances %q, want %q", path, got, want)
		}

		r = s.get(t, path, acceptXMLParts)
		wantStatus(t, r, http.StatusOK, path+" as XML")
		parts := readParts(t, r, "application/dicom+xml")
		if len(parts) != len(want) {
			t.Errorf("%s as XML: %d parts, want %d", path, len(parts), len(want))
		}
		for _, p := range parts {
			m := decodeXML(t, p.Body)
			if got := xmlText(m.Attrs, tagStudyInstanceUID); got != ct.study {
				t.Errorf("%s as XML: StudyInstanceUID %q, want %q", path, got, ct.study)
			}
		}
	}
	for _, path := range []string{
		"/studies/1.2.3.4/metadata",
		"/studies/" + ct.study + "/series/1.2.3.4/metadata",
		"/studies/" + ct.study + "/series/" + ct.series + "/instances/" + mr.instance + "/metadata",
	} {
		wantRefusal(t, s.get(t, path, acceptDICOMJSON), http.StatusNotFound, path)
	}
}

// TestMetadataGzipAndETag: metadata is gzip-compressed on request and
// carries an ETag that answers If-None-Match with 304 until the series
// changes.
func TestMetadataGzipAndETag(t *testing.T) {
	t.Parallel()
	s := startServer(t)
	f := corpusFile("crafted/muller_utf8_ct.dcm")
	s.stowFiles(t, f.path)
	path := "/studies/" + f.study + "/series/" + f.series + "/metadata"

	plain := s.get(t, path, acceptDICOMJSON)
	wantStatus(t, plain, http.StatusOK, "metadata")
	if enc := plain.Header.Get("Content-Encoding"); enc != "" {
		t.Errorf("Content-Encoding %q without Accept-Encoding", enc)
	}
	zipped := s.get(t, path, acceptDICOMJSON, "Accept-Encoding", "gzip, deflate, br")
	wantStatus(t, zipped, http.StatusOK, "metadata with gzip")
	if enc := zipped.Header.Get("Content-Encoding"); enc != "gzip" {
		t.Fatalf("Content-Encoding %q, want gzip", enc)
	}
	zr, err := gzip.NewReader(bytes.NewReader(zipped.Body))
	if err != nil {
		t.Fatal(err)
	}
	unzipped, err := io.ReadAll(zr)
	if err != nil {
		t.Fatalf("gunzip: %v", err)
	}
	if diff := cmp.Diff(canonical(t, plain.Body, s.Root), canonical(t, unzipped, s.Root)); diff != "" {
		t.Errorf("gzip body differs from the plain one:\n%s", diff)
	}

	etag := plain.Header.Get("ETag")
	if etag == "" {
		t.Fatal("metadata has no ETag")
	}
	r := s.get(t, path, acceptDICOMJSON, "If-None-Match", etag)
	if r.Status != http.StatusNotModified || len(r.Body) != 0 {
		t.Errorf("If-None-Match with the ETag: status %d with %d bytes, want 304 and no body", r.Status, len(r.Body))
	}
	if r := s.get(t, path, acceptDICOMJSON, "If-None-Match", `"something-else"`); r.Status != http.StatusOK {
		t.Errorf("If-None-Match with another ETag: status %d, want 200", r.Status)
	}

	// A second instance in the series changes the metadata and its ETag.
	sop2 := f.instance[:len(f.instance)-1] + "9"
	s.stowBytes(t, patchUID(t, readTestdata(t, f.path), f.instance, sop2))
	r = s.get(t, path, acceptDICOMJSON, "If-None-Match", etag)
	wantStatus(t, r, http.StatusOK, "metadata after a new instance, old ETag")
	if n := len(decodeArray(t, r.Body)); n != 2 {
		t.Errorf("metadata has %d objects after the second instance, want 2", n)
	}
	if e := r.Header.Get("ETag"); e == "" || e == etag {
		t.Errorf("ETag %q after the series changed, was %q", e, etag)
	}
}
