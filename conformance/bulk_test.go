package conformance

import (
	"bytes"
	bin "encoding/binary"
	"fmt"
	"math"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/suyashkumar/dicom"
	"github.com/suyashkumar/dicom/pkg/tag"
)

// bulkRef is a BulkDataURI found in metadata and where it was.
type bulkRef struct {
	path []bulkStep // from the top of the dataset
	uri  string
	vr   string
}

type bulkStep struct {
	tag  string
	item int // index of the item to descend into (not used for the last step)
}

func (b bulkRef) String() string {
	var s []string
	for i, st := range b.path {
		if i < len(b.path)-1 {
			s = append(s, fmt.Sprintf("%s[%d]", st.tag, st.item))
		} else {
			s = append(s, st.tag)
		}
	}
	return strings.Join(s, ".")
}

// bulkRefs lists every BulkDataURI of a metadata object.
func bulkRefs(o dcmObject, prefix []bulkStep) []bulkRef {
	var out []bulkRef
	keys := make([]string, 0, len(o))
	for k := range o {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		a := o[k]
		here := append(append([]bulkStep{}, prefix...), bulkStep{tag: k})
		if a.BulkDataURI != "" {
			out = append(out, bulkRef{path: here, uri: a.BulkDataURI, vr: a.VR})
		}
		if a.VR == "SQ" {
			for i, item := range o.items(k) {
				here[len(here)-1].item = i
				out = append(out, bulkRefs(item, append([]bulkStep{}, here...))...)
			}
		}
	}
	return out
}

// findElement follows a bulk path through a dataset parsed by
// suyashkumar/dicom.
func findElement(elems []*dicom.Element, path []bulkStep) *dicom.Element {
	for i, st := range path {
		n, _ := strconv.ParseUint(st.tag, 16, 32)
		want := tag.Tag{Group: uint16(n >> 16), Element: uint16(n)}
		var e *dicom.Element
		for _, x := range elems {
			if x.Tag == want {
				e = x
				break
			}
		}
		if e == nil || i == len(path)-1 {
			return e
		}
		items, ok := e.Value.GetValue().([]*dicom.SequenceItemValue)
		if !ok || st.item >= len(items) {
			return nil
		}
		elems = items[st.item].GetValue().([]*dicom.Element)
	}
	return nil
}

// expectedValue is the value of an element as little-endian bytes, as
// the bulk data resource must return it; for encapsulated pixel data, the
// fragments (the offset table left out).
func expectedValue(t *testing.T, file []byte, e *dicom.Element, bigEndian bool) (value []byte, fragments [][]byte) {
	t.Helper()
	vr := e.RawValueRepresentation
	switch e.Value.ValueType() {
	case dicom.PixelData:
		info := dicom.MustGetPixelDataInfo(e.Value)
		if info.IsEncapsulated {
			for _, f := range info.Frames {
				fragments = append(fragments, f.EncapsulatedData.Data)
			}
			return nil, fragments
		}
		raw, err := dicom.Parse(bytes.NewReader(file), int64(len(file)), nil, dicom.SkipProcessingPixelDataValue())
		if err != nil {
			t.Fatalf("parse for raw pixel data: %v", err)
		}
		px, err := raw.FindElementByTag(tag.PixelData)
		if err != nil {
			t.Fatal(err)
		}
		value = dicom.MustGetPixelDataInfo(px.Value).UnprocessedValueData
		if bigEndian && vr == "OW" {
			value = swap(value, 2)
		}
		return value, nil
	case dicom.Bytes:
		value = append([]byte(nil), e.Value.GetValue().([]byte)...)
		if bigEndian {
			value = swap(value, wordSize(vr))
		}
		return value, nil
	case dicom.Ints:
		var b []byte
		for _, v := range e.Value.GetValue().([]int) {
			switch wordSize(vr) {
			case 2:
				b = bin.LittleEndian.AppendUint16(b, uint16(v))
			case 4:
				b = bin.LittleEndian.AppendUint32(b, uint32(v))
			case 8:
				b = bin.LittleEndian.AppendUint64(b, uint64(v))
			default:
				b = append(b, byte(v))
			}
		}
		return b, nil
	case dicom.Floats:
		var b []byte
		for _, v := range e.Value.GetValue().([]float64) {
			if wordSize(vr) == 4 {
				b = bin.LittleEndian.AppendUint32(b, math.Float32bits(float32(v)))
			} else {
				b = bin.LittleEndian.AppendUint64(b, math.Float64bits(v))
			}
		}
		return b, nil
	}
	t.Fatalf("element %v: cannot tell the bytes of a %v value", e.Tag, e.Value.ValueType())
	return nil, nil
}

func wordSize(vr string) int {
	switch vr {
	case "OW", "US", "SS":
		return 2
	case "OL", "OF", "UL", "SL", "FL", "AT":
		return 4
	case "OD", "OV", "FD", "SV", "UV":
		return 8
	}
	return 1
}

func swap(b []byte, size int) []byte {
	out := append([]byte(nil), b...)
	for i := 0; i+size <= len(out); i += size {
		for j, k := i, i+size-1; j < k; j, k = j+1, k-1 {
			out[j], out[k] = out[k], out[j]
		}
	}
	return out
}

// bodyOrParts returns a single-part body or the parts of a multipart one.
func bodyOrParts(t *testing.T, r *response) [][]byte {
	t.Helper()
	if r.ContentType() != "multipart/related" {
		return [][]byte{r.Body}
	}
	var out [][]byte
	for _, p := range readParts(t, r, "") {
		out = append(out, p.Body)
	}
	return out
}

// TestBulkData resolves every BulkDataURI of several instances' metadata
// and compares what it returns with the value read independently.
func TestBulkData(t *testing.T) {
	t.Parallel()
	s := startServer(t)
	files := append(append([]string{}, metadataGoldens...), "pydicom/SC_rgb_small_odd.dcm", "suyashkumar/5.dcm", "pydicom/MR_small_expb.dcm")
	for _, path := range files {
		t.Run(path, func(t *testing.T) {
			f := corpusFile(path)
			file := readTestdata(t, path)
			s.stowBytes(t, file)
			r := s.get(t, "/studies/"+f.study+"/series/"+f.series+"/instances/"+f.instance+"/metadata", acceptDICOMJSON)
			wantStatus(t, r, http.StatusOK, "metadata")
			md := decodeArray(t, r.Body)[0]
			refs := bulkRefs(md, nil)
			if md.has(tagPixelData) && md[tagPixelData].BulkDataURI == "" {
				t.Errorf("Pixel Data has no BulkDataURI")
			}
			ds := parseDICOM(t, file)
			for _, ref := range refs {
				u, err := url.Parse(ref.uri)
				if err != nil || !u.IsAbs() || !strings.HasPrefix(ref.uri, s.Root+"/") {
					t.Errorf("%s: BulkDataURI %q is not an absolute URL under %s", ref, ref.uri, s.Root)
					continue
				}
				e := findElement(ds.Elements, ref.path)
				if e == nil {
					t.Errorf("%s: the file has no such element", ref)
					continue
				}
				value, fragments := expectedValue(t, file, e, f.syntax == tsExplicitBE)

				got := s.get(t, ref.uri, "*/*")
				wantStatus(t, got, http.StatusOK, ref.String()+" with Accept */*")
				bodies := bodyOrParts(t, got)
				if fragments != nil {
					if len(bodies) != len(fragments) {
						t.Errorf("%s: %d parts, want %d fragments", ref, len(bodies), len(fragments))
					}
					for i := range min(len(bodies), len(fragments)) {
						if !bytes.Equal(bodies[i], fragments[i]) {
							t.Errorf("%s: fragment %d differs (%d bytes, want %d)", ref, i+1, len(bodies[i]), len(fragments[i]))
						}
					}
					continue
				}
				if len(bodies) != 1 || !bytes.Equal(bodies[0], value) {
					t.Errorf("%s: value differs (%d parts, first %d bytes; want %d bytes)", ref, len(bodies), len(bodies[0]), len(value))
				}

				mp := s.get(t, ref.uri, acceptOctetParts)
				wantStatus(t, mp, http.StatusOK, ref.String()+" as multipart")
				parts := readParts(t, mp, "application/octet-stream")
				if len(parts) != 1 || !bytes.Equal(parts[0].Body, value) {
					t.Errorf("%s as multipart: %d parts, want one with the value", ref, len(parts))
				}

				if ref.String() == tagPixelData {
					checkPixelLength(t, md, len(value))
				}
			}
		})
	}
}

// checkPixelLength: native Pixel Data holds Rows x Columns x Samples x
// BitsAllocated/8 bytes per frame (plus one padding byte when that is odd).
func checkPixelLength(t *testing.T, md dcmObject, got int) {
	t.Helper()
	n := func(tag string, def int) int {
		v, err := strconv.Atoi(md.str(tag))
		if err != nil {
			return def
		}
		return v
	}
	want := n(tagRows, 0) * n(tagColumns, 0) * n("00280002", 1) * n("00280100", 0) / 8 * n("00280008", 1)
	if got != want && !(want%2 == 1 && got == want+1) {
		t.Errorf("Pixel Data has %d bytes, want %d (Rows x Columns x SamplesPerPixel x BitsAllocated/8 x frames)", got, want)
	}
}

// TestBulkDataRange reads parts of native pixel data with Range requests.
func TestBulkDataRange(t *testing.T) {
	t.Parallel()
	s := startServer(t)
	f := corpusFile("pydicom/CT_small.dcm")
	file := readTestdata(t, f.path)
	s.stowBytes(t, file)
	md := decodeArray(t, s.get(t, "/studies/"+f.study+"/series/"+f.series+"/instances/"+f.instance+"/metadata", acceptDICOMJSON).Body)[0]
	uri := md[tagPixelData].BulkDataURI
	value, _ := expectedValue(t, file, findElement(parseDICOM(t, file).Elements, []bulkStep{{tag: tagPixelData}}), false)
	size := len(value)
	for _, c := range []struct {
		rng        string
		start, end int // inclusive
	}{
		{"bytes=0-99", 0, 99},
		{"bytes=1000-1999", 1000, 1999},
		{"bytes=-16", size - 16, size - 1},
		{fmt.Sprintf("bytes=%d-", size-10), size - 10, size - 1},
		{fmt.Sprintf("bytes=%d-%d", size-5, size+100), size - 5, size - 1},
	} {
		r := s.get(t, uri, "application/octet-stream", "Range", c.rng)
		wantStatus(t, r, http.StatusPartialContent, "Range "+c.rng)
		if want := fmt.Sprintf("bytes %d-%d/%d", c.start, c.end, size); r.Header.Get("Content-Range") != want {
			t.Errorf("Range %s: Content-Range %q, want %q", c.rng, r.Header.Get("Content-Range"), want)
		}
		if !bytes.Equal(r.Body, value[c.start:c.end+1]) {
			t.Errorf("Range %s: %d bytes that are not the range", c.rng, len(r.Body))
		}
	}
	r := s.get(t, uri, "application/octet-stream", "Range", fmt.Sprintf("bytes=%d-", size+10))
	if r.Status != http.StatusRequestedRangeNotSatisfiable {
		t.Errorf("Range past the end: status %d, want 416", r.Status)
	}
	if r := s.get(t, uri, "application/octet-stream"); r.Header.Get("Accept-Ranges") != "bytes" {
		t.Errorf("Accept-Ranges %q, want bytes", r.Header.Get("Accept-Ranges"))
	}
}
