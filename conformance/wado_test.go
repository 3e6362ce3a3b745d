package conformance

import (
	"bytes"
	"fmt"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/suyashkumar/dicom"
	"github.com/suyashkumar/dicom/pkg/tag"
)

// parseDICOM parses a file with github.com/suyashkumar/dicom, an
// independent parser, so conversions are not checked by the code that made
// them.
func parseDICOM(t testing.TB, b []byte) dicom.Dataset {
	t.Helper()
	var firstErr error
	for _, opts := range [][]dicom.ParseOption{
		nil,
		// YBR_FULL_422 pixel data is shorter than the library expects.
		{dicom.AllowMismatchPixelDataLength()},
		// Files without a meta group (old CDs) parse as implicit VR.
		{dicom.SkipMetadataReadOnNewParserInit()},
	} {
		ds, err := dicom.Parse(bytes.NewReader(b), int64(len(b)), nil, opts...)
		if err == nil {
			return ds
		}
		if firstErr == nil {
			firstErr = err
		}
	}
	t.Fatalf("suyashkumar/dicom cannot parse %d bytes: %v", len(b), firstErr)
	return dicom.Dataset{}
}

// stringValue returns the first string value of an element, "" if none.
func stringValue(ds dicom.Dataset, t tag.Tag) string {
	e, err := ds.FindElementByTag(t)
	if err != nil || e.Value == nil || e.Value.ValueType() != dicom.Strings {
		return ""
	}
	v := dicom.MustGetStrings(e.Value)
	if len(v) == 0 {
		return ""
	}
	return strings.TrimRight(v[0], " \x00")
}

var tagTransferSyntaxUID = tag.Tag{Group: 0x0002, Element: 0x0010}

// sameDataset compares two parsed datasets (the meta group aside): the same
// elements with equal values, sequences item by item whatever their length
// encoding, equal pixel data. Group lengths, retired and recomputed by any
// writer, are ignored.
func sameDataset(t testing.TB, orig, conv dicom.Dataset) {
	t.Helper()
	var o, c []*dicom.Element
	for _, e := range orig.Elements {
		if e.Tag.Group != 0x0002 {
			o = append(o, e)
		}
	}
	for _, e := range conv.Elements {
		if e.Tag.Group != 0x0002 {
			c = append(c, e)
		}
	}
	sameElements(t, "", o, c)
}

func sameElements(t testing.TB, path string, orig, conv []*dicom.Element) {
	t.Helper()
	got := map[tag.Tag]*dicom.Element{}
	for _, e := range conv {
		if e.Tag.Element != 0x0000 {
			got[e.Tag] = e
		}
	}
	n := 0
	for _, e := range orig {
		if e.Tag.Element == 0x0000 {
			continue
		}
		n++
		where := path + e.Tag.String()
		c, ok := got[e.Tag]
		switch {
		case !ok:
			t.Errorf("element %s is missing after conversion", where)
		case e.Value.ValueType() == dicom.Sequences && c.Value.ValueType() == dicom.Sequences:
			oi := e.Value.GetValue().([]*dicom.SequenceItemValue)
			ci := c.Value.GetValue().([]*dicom.SequenceItemValue)
			if len(oi) != len(ci) {
				t.Errorf("sequence %s has %d items after conversion, want %d", where, len(ci), len(oi))
				continue
			}
			for i := range oi {
				sameElements(t, fmt.Sprintf("%s/%d/", where, i+1),
					oi[i].GetValue().([]*dicom.Element), ci[i].GetValue().([]*dicom.Element))
			}
		case e.Value.ValueType() == dicom.Bytes && c.Value.ValueType() == dicom.Strings:
			// An implicit VR private creator is UN to the parser; the
			// converted file rightly says LO.
			raw := strings.TrimRight(string(e.Value.GetValue().([]byte)), " \x00")
			if txt := strings.Join(c.Value.GetValue().([]string), "\\"); raw != txt {
				t.Errorf("element %s is %q after conversion, want %q", where, txt, raw)
			}
		case !e.Value.Equals(c.Value):
			t.Errorf("element %s (%s) differs after conversion: %.120s, want %.120s", where, e.RawValueRepresentation, c.Value.String(), e.Value.String())
		}
	}
	if n != len(got) {
		t.Errorf("converted dataset %shas %d elements, original %d", path, len(got), n)
	}
}

// TestRetrieveConvertsToExplicitLittleEndian: with no transfer-syntax
// parameter PS3.18 asks for explicit VR little endian; implicit, big-endian
// and deflated instances are converted, and nothing but the encoding
// changes (checked with an independent parser).
func TestRetrieveConvertsToExplicitLittleEndian(t *testing.T) {
	t.Parallel()
	files := []string{
		"pydicom/MR_small_implicit.dcm",
		"pydicom/MR_small_bigendian.dcm",
		"pydicom/MR_small_expb.dcm",
		"pydicom/ExplVR_BigEnd.dcm",
		"pydicom/image_dfl.dcm",
		"suyashkumar/6.dcm",
		"pydicom/rtdose.dcm",
		"pydicom/rtplan.dcm",
		"pydicom/rtstruct.dcm",
		"suyashkumar/4.dcm",
		"pydicom/MR_small.dcm", // already explicit VR little endian
	}
	accepts := []struct{ name, header, param string }{
		{"no Accept", "", ""},
		{"type quoted", acceptDICOM, ""},
		{"type unquoted", "multipart/related; type=application/dicom", ""},
		{"explicit syntax", `multipart/related; type="application/dicom"; transfer-syntax=1.2.840.10008.1.2.1`, ""},
		{"any type", "*/*", ""},
		{"accept parameter", "", acceptDICOM},
	}
	for _, path := range files {
		t.Run(path, func(t *testing.T) {
			t.Parallel()
			f := corpusFile(path)
			s := startServer(t)
			orig := readTestdata(t, path)
			s.stowBytes(t, orig)
			want := parseDICOM(t, orig)
			wantMeta := stringValue(want, tag.MediaStorageSOPInstanceUID)
			if wantMeta == "" {
				wantMeta = f.instance // no meta group: the converted file gets one
			}
			var first []byte
			for _, a := range accepts {
				u := "/studies/" + f.study + "/series/" + f.series + "/instances/" + f.instance
				if a.param != "" {
					u += "?accept=" + url.QueryEscape(a.param)
				}
				r := s.get(t, u, a.header)
				wantStatus(t, r, http.StatusOK, a.name)
				parts := readParts(t, r, "application/dicom")
				if len(parts) != 1 {
					t.Fatalf("%s: %d parts, want 1", a.name, len(parts))
				}
				if ts := parts[0].TransferSyntax(); ts != tsExplicitLE {
					t.Errorf("%s: part Content-Type %q, want transfer-syntax=%s", a.name, parts[0].ContentType, tsExplicitLE)
				}
				if f.syntax == tsExplicitLE && !bytes.Equal(parts[0].Body, orig) {
					t.Errorf("%s: an explicit VR little endian instance was changed", a.name)
				}
				if first != nil {
					// Checked in depth once; every way of asking gets the same.
					if !bytes.Equal(parts[0].Body, first) {
						t.Errorf("%s: returned other bytes than %s", a.name, accepts[0].name)
					}
					continue
				}
				first = parts[0].Body
				got := parseDICOM(t, first)
				if ts := stringValue(got, tagTransferSyntaxUID); ts != tsExplicitLE {
					t.Errorf("%s: returned file says transfer syntax %q, want %s", a.name, ts, tsExplicitLE)
				}
				if len(first) < 132 || !bytes.Equal(first[128:132], []byte("DICM")) {
					t.Errorf("%s: returned file has no preamble and DICM prefix", a.name)
				}
				if sop := stringValue(got, tag.MediaStorageSOPInstanceUID); sop != wantMeta {
					t.Errorf("%s: MediaStorageSOPInstanceUID %q, want %q", a.name, sop, wantMeta)
				}
				// PS3.10 table 7.1-1: Type 1 in every file meta group.
				if cls := stringValue(got, tag.MediaStorageSOPClassUID); cls == "" {
					t.Errorf("%s: returned file has no MediaStorageSOPClassUID (0002,0002)", a.name)
				}
				if impl := stringValue(got, tag.ImplementationClassUID); impl == "" {
					t.Errorf("%s: returned file has no ImplementationClassUID (0002,0012)", a.name)
				}
				sameDataset(t, want, got)
			}
		})
	}
}

// compressedFiles are the encapsulated test files (JPEG baseline/extended,
// JPEG 2000, JPEG-LS, RLE).
var compressedFiles = []string{
	"pydicom/JPEG-lossy.dcm",
	"pydicom/JPEG2000.dcm",
	"pydicom/MR_small_RLE.dcm",
	"pydicom/MR_small_jp2klossless.dcm",
	"pydicom/MR_small_jpeg_ls_lossless.dcm",
	"pydicom/SC_rgb_jpeg_dcmtk.dcm",
	"pydicom/SC_rgb_rle.dcm",
}

// TestRetrieveCompressed: compressed instances come back as stored with
// transfer-syntax=* or their own syntax named, and decoded to explicit VR
// little endian (native pixel data of the right size) when the client
// accepts only that, the PS3.18 default.
func TestRetrieveCompressed(t *testing.T) {
	t.Parallel()
	s := startServer(t)
	for _, path := range compressedFiles {
		t.Run(path, func(t *testing.T) {
			f := corpusFile(path)
			orig := readTestdata(t, path)
			s.stowBytes(t, orig)
			want := parseDICOM(t, orig)
			u := "/studies/" + f.study + "/series/" + f.series + "/instances/" + f.instance
			for _, accept := range []string{
				"",
				acceptDICOM,
				"multipart/related; type=application/dicom",
				`multipart/related; type="application/dicom"; transfer-syntax=` + tsExplicitLE,
				// A list: the preferred explicit VR little endian wins.
				acceptDICOM + ", " + acceptDICOMAny,
				acceptDICOMAny + "; q=0.5, " + acceptDICOM + "; q=0.9",
			} {
				r := s.get(t, u, accept)
				wantStatus(t, r, http.StatusOK, fmt.Sprintf("Accept %q", accept))
				parts := readParts(t, r, "application/dicom")
				if len(parts) != 1 {
					t.Fatalf("Accept %q: %d parts, want 1", accept, len(parts))
				}
				if ts := parts[0].TransferSyntax(); ts != tsExplicitLE {
					t.Errorf("Accept %q: part names transfer syntax %q, want %s", accept, ts, tsExplicitLE)
				}
				got := parseDICOM(t, parts[0].Body)
				if ts := stringValue(got, tagTransferSyntaxUID); ts != tsExplicitLE {
					t.Errorf("Accept %q: decoded file says transfer syntax %q, want %s", accept, ts, tsExplicitLE)
				}
				if sop := stringValue(got, tag.SOPInstanceUID); sop != f.instance {
					t.Errorf("Accept %q: decoded file is instance %q, want %q", accept, sop, f.instance)
				}
				rows, cols := intValue(want, tag.Rows), intValue(want, tag.Columns)
				spp, bits := intValue(want, tag.SamplesPerPixel), intValue(want, tag.BitsAllocated)
				frames := max(1, intValue(want, tag.NumberOfFrames))
				if n, wantN := nativePixelLength(t, parts[0].Body), rows*cols*spp*bits/8*frames; n != wantN {
					t.Errorf("Accept %q: native pixel data is %d bytes, want %d (%dx%dx%dx%d bits x %d frames)", accept, n, wantN, rows, cols, spp, bits, frames)
				}
			}
			for _, accept := range []string{
				acceptDICOMAny,
				"multipart/related; type=application/dicom; transfer-syntax=*",
				`multipart/related; type="application/dicom"; transfer-syntax=` + f.syntax,
			} {
				r := s.get(t, u, accept)
				wantStatus(t, r, http.StatusOK, fmt.Sprintf("Accept %q", accept))
				parts := readParts(t, r, "application/dicom")
				if len(parts) != 1 || !bytes.Equal(parts[0].Body, orig) {
					t.Errorf("Accept %q: did not return the stored bytes", accept)
					continue
				}
				if ts := parts[0].TransferSyntax(); ts != f.syntax {
					t.Errorf("Accept %q: part names transfer syntax %q, want %q", accept, ts, f.syntax)
				}
			}
			r := s.get(t, u+"?accept="+url.QueryEscape(acceptDICOMAny), "")
			wantStatus(t, r, http.StatusOK, "accept query parameter")
			if parts := readParts(t, r, "application/dicom"); len(parts) != 1 || !bytes.Equal(parts[0].Body, orig) {
				t.Errorf("accept query parameter: did not return the stored bytes")
			}
			// A syntax the archive cannot produce is refused with a reason.
			r = s.get(t, u, `multipart/related; type="application/dicom"; transfer-syntax=1.2.840.10008.1.2.4.100`)
			wantRefusal(t, r, http.StatusNotAcceptable, "MPEG2 requested")
		})
	}
}

// TestRetrieveLevels retrieves whole studies and series.
func TestRetrieveLevels(t *testing.T) {
	t.Parallel()
	s := startServer(t)
	sc := []string{
		"pydicom/SC_rgb_jpeg_dcmtk.dcm",
		"pydicom/SC_rgb_rle.dcm",
		"pydicom/SC_rgb_small_odd.dcm",
		"pydicom/SC_ybr_full_422_uncompressed.dcm",
	}
	muller := []string{"crafted/muller_utf8_ct.dcm", "crafted/muller_utf8_mr.dcm"}
	s.stowFiles(t, append(append(sc, muller...), "pydicom/CT_small.dcm")...)

	byUID := map[string][]byte{}
	for _, p := range append(append(sc, muller...), "pydicom/CT_small.dcm") {
		byUID[corpusFile(p).instance] = readTestdata(t, p)
	}
	scStudy, scSeries := corpusFile(sc[0]).study, corpusFile(sc[0]).series
	m1, m2 := corpusFile(muller[0]), corpusFile(muller[1])

	for _, c := range []struct {
		name, path, accept string
		want               []string // SOP Instance UIDs
	}{
		{"study as stored", "/studies/" + scStudy, acceptDICOMAny, instancesOf(sc)},
		{"series as stored", "/studies/" + scStudy + "/series/" + scSeries, acceptDICOMAny, instancesOf(sc)},
		{"study of two series", "/studies/" + m1.study, "", instancesOf(muller)},
		{"one series of two", "/studies/" + m1.study + "/series/" + m2.series, acceptDICOM, []string{m2.instance}},
	} {
		t.Run(c.name, func(t *testing.T) {
			r := s.get(t, c.path, c.accept)
			wantStatus(t, r, http.StatusOK, "retrieve")
			parts := readParts(t, r, "application/dicom")
			var got []string
			for _, p := range parts {
				ds := parseDICOM(t, p.Body)
				sop := stringValue(ds, tag.SOPInstanceUID)
				got = append(got, sop)
				want, ok := byUID[sop]
				if !ok {
					t.Errorf("unexpected instance %q", sop)
					continue
				}
				ts := stringValue(ds, tagTransferSyntaxUID)
				if p.TransferSyntax() != ts {
					t.Errorf("part of %s: Content-Type %q but the file says %s", sop, p.ContentType, ts)
				}
				if c.accept == acceptDICOMAny && !bytes.Equal(p.Body, want) {
					t.Errorf("part of %s differs from the stored file", sop)
				}
			}
			sort.Strings(got)
			want := append([]string(nil), c.want...)
			sort.Strings(want)
			if strings.Join(got, " ") != strings.Join(want, " ") {
				t.Errorf("instances %q, want %q", got, want)
			}
		})
	}

	t.Run("study with compressed instances", func(t *testing.T) {
		// Decoded to the default syntax, every part explicit VR little endian.
		r := s.get(t, "/studies/"+scStudy, "")
		wantStatus(t, r, http.StatusOK, "default syntax")
		parts := readParts(t, r, "application/dicom")
		if len(parts) != len(sc) {
			t.Fatalf("%d parts, want %d", len(parts), len(sc))
		}
		for _, p := range parts {
			if ts := stringValue(parseDICOM(t, p.Body), tagTransferSyntaxUID); ts != tsExplicitLE || p.TransferSyntax() != tsExplicitLE {
				t.Errorf("part %q holds transfer syntax %q, want %s", p.ContentType, ts, tsExplicitLE)
			}
		}
	})
	t.Run("series of another study", func(t *testing.T) {
		wantRefusal(t, s.get(t, "/studies/"+m1.study+"/series/"+scSeries, acceptDICOMAny), http.StatusNotFound, "retrieve")
	})
	t.Run("instance of another series", func(t *testing.T) {
		wantRefusal(t, s.get(t, "/studies/"+m1.study+"/series/"+m1.series+"/instances/"+m2.instance, acceptDICOMAny), http.StatusNotFound, "retrieve")
	})
}

func instancesOf(paths []string) []string {
	var out []string
	for _, p := range paths {
		out = append(out, corpusFile(p).instance)
	}
	return out
}

// TestRetrieveBadUIDs: unknown UIDs are 404, malformed ones 400, for
// retrieve and metadata at every level.
func TestRetrieveBadUIDs(t *testing.T) {
	t.Parallel()
	s := startServer(t)
	f := corpusFile("pydicom/CT_small.dcm")
	s.stowFiles(t, f.path)
	long := "1." + strings.Repeat("2", 63) // 65 characters
	for _, c := range []struct {
		path   string
		status int
	}{
		{"/studies/1.2.3.999", http.StatusNotFound},
		{"/studies/" + f.study + "/series/1.2.3.999", http.StatusNotFound},
		{"/studies/" + f.study + "/series/" + f.series + "/instances/1.2.3.999", http.StatusNotFound},
		{"/studies/1.2.3.999/series/" + f.series + "/instances/" + f.instance, http.StatusNotFound},
		{"/studies/abc", http.StatusBadRequest},
		{"/studies/1..2", http.StatusBadRequest},
		{"/studies/.1.2", http.StatusBadRequest},
		{"/studies/1.2.", http.StatusBadRequest},
		{"/studies/" + long, http.StatusBadRequest},
		{"/studies/1.2.3%20", http.StatusBadRequest},
		{"/studies/" + f.study + "/series/x1.2", http.StatusBadRequest},
		{"/studies/" + f.study + "/series/" + f.series + "/instances/-1", http.StatusBadRequest},
		{"/studies/" + f.study + "/series/" + f.series + "/instances/1.2.3;drop", http.StatusBadRequest},
	} {
		for _, suffix := range []string{"", "/metadata"} {
			r := s.get(t, c.path+suffix, acceptDICOMAny+", application/dicom+json")
			wantRefusal(t, r, c.status, "GET "+c.path+suffix)
		}
	}
}

// intValue returns the first value of an integer (US, UL...) or IS element,
// 0 if none.
func intValue(ds dicom.Dataset, t tag.Tag) int {
	e, err := ds.FindElementByTag(t)
	if err != nil || e.Value == nil {
		return 0
	}
	switch e.Value.ValueType() {
	case dicom.Ints:
		if v := dicom.MustGetInts(e.Value); len(v) > 0 {
			return v[0]
		}
	case dicom.Strings:
		if v := dicom.MustGetStrings(e.Value); len(v) > 0 {
			n, _ := strconv.Atoi(strings.TrimSpace(v[0]))
			return n
		}
	}
	return 0
}

// nativePixelLength returns the length of a file's native Pixel Data value,
// read by suyashkumar/dicom without interpreting it.
func nativePixelLength(t *testing.T, file []byte) int {
	t.Helper()
	ds, err := dicom.Parse(bytes.NewReader(file), int64(len(file)), nil, dicom.SkipProcessingPixelDataValue())
	if err != nil {
		t.Fatalf("parse converted file: %v", err)
	}
	px, err := ds.FindElementByTag(tag.PixelData)
	if err != nil {
		t.Fatalf("converted file has no Pixel Data: %v", err)
	}
	info := dicom.MustGetPixelDataInfo(px.Value)
	if info.IsEncapsulated {
		t.Fatalf("converted file still has encapsulated Pixel Data")
	}
	return len(info.UnprocessedValueData)
}
