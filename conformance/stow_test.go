package conformance

import (
	"bytes"
	"net/http"
	"net/url"
	"os"
	"strings"
	"testing"
)

// STOW-RS failure reasons (PS3.18 10.5.3, PS3.4 B.2.3), as DICOM JSON
// numbers.
const (
	reasonCannotUnderstand = "49152" // 0xC000
	reasonStudyMismatch    = "43264" // 0xA900
)

// TestStowRoundTrip stores every test file, one request each, and fetches
// it back with transfer-syntax=*: the bytes must be exactly the file's and
// the part must name the stored transfer syntax. Files STOW-RS must refuse
// (no identifying UIDs, truncated, not DICOM) get 409 with reason 0xC000.
// One archive serves all, so files sharing UIDs replace each other.
func TestStowRoundTrip(t *testing.T) {
	t.Parallel()
	s := startServer(t)
	for _, f := range corpus {
		t.Run(f.path, func(t *testing.T) {
			want := readTestdata(t, f.path)
			r := s.stowRaw(t, "/studies", dicomParts(want))
			if f.reject {
				wantStatus(t, r, http.StatusConflict, "STOW of a file to refuse")
				resp := decodeObject(t, r.Body)
				failed := resp.items(tagFailedSOPSequence)
				if len(failed) != 1 || failed[0].str(tagFailureReason) != reasonCannotUnderstand {
					t.Errorf("FailedSOPSequence = %v, want one item with FailureReason 0xC000", failed)
				}
				if resp.has(tagReferencedSOPSequence) && len(resp.items(tagReferencedSOPSequence)) > 0 {
					t.Errorf("ReferencedSOPSequence has items for a refused file")
				}
				return
			}
			wantStatus(t, r, http.StatusOK, "STOW")
			if ct := r.ContentType(); ct != "application/dicom+json" {
				t.Errorf("STOW response Content-Type %q, want application/dicom+json", ct)
			}
			resp := decodeObject(t, r.Body)
			refs := resp.items(tagReferencedSOPSequence)
			if len(refs) != 1 {
				t.Fatalf("ReferencedSOPSequence has %d items, want 1", len(refs))
			}
			if got := refs[0].str(tagReferencedSOPInstance); got != f.instance {
				t.Errorf("ReferencedSOPInstanceUID = %q, want %q", got, f.instance)
			}
			if refs[0].str(tagReferencedSOPClass) == "" {
				t.Errorf("ReferencedSOPClassUID missing")
			}
			wantURL := s.Root + "/studies/" + f.study + "/series/" + f.series + "/instances/" + f.instance
			if got := refs[0].str(tagRetrieveURL); got != wantURL {
				t.Errorf("item RetrieveURL = %q, want %q", got, wantURL)
			}

			g := s.get(t, wantURL, acceptDICOMAny)
			wantStatus(t, g, http.StatusOK, "WADO instance")
			parts := readParts(t, g, "application/dicom")
			if len(parts) != 1 {
				t.Fatalf("retrieve returned %d parts, want 1", len(parts))
			}
			if !bytes.Equal(parts[0].Body, want) {
				t.Errorf("retrieved %d bytes differ from the %d stored", len(parts[0].Body), len(want))
			}
			if ts := parts[0].TransferSyntax(); ts != f.syntax {
				t.Errorf("part Content-Type %q names transfer syntax %q, want %q", parts[0].ContentType, ts, f.syntax)
			}
			if mt := strings.TrimSpace(strings.Split(parts[0].ContentType, ";")[0]); mt != "application/dicom" {
				t.Errorf("part Content-Type %q, want application/dicom", parts[0].ContentType)
			}
		})
	}
}

// TestStowStatus covers the status codes of PS3.18 10.5.3 and the failure
// reasons of partly stored requests.
func TestStowStatus(t *testing.T) {
	t.Parallel()
	s := startServer(t)
	ct := readTestdata(t, "pydicom/CT_small.dcm")
	mr := readTestdata(t, "pydicom/MR_small.dcm")
	ctFile, mrFile := corpusFile("pydicom/CT_small.dcm"), corpusFile("pydicom/MR_small.dcm")
	garbage := []byte("this is not a DICOM file, just text that a client sent by mistake\n")
	otherStudy := "1.2.3.4.5.6.7.8.9"

	type check struct {
		name     string
		path     string
		parts    []part
		status   int
		stored   []string // SOP Instance UIDs in ReferencedSOPSequence
		failures []string // FailureReason of each FailedSOPSequence item
	}
	for _, c := range []check{
		{"corrupt part among good ones", "/studies", append(dicomParts(ct), append([]part{{"application/dicom", garbage}}, dicomParts(mr)...)...),
			http.StatusAccepted, []string{ctFile.instance, mrFile.instance}, []string{reasonCannotUnderstand}},
		{"truncated part among good ones", "/studies", dicomParts(ct, mr[:len(mr)/3]),
			http.StatusAccepted, []string{ctFile.instance}, []string{reasonCannotUnderstand}},
		{"only a corrupt part", "/studies", []part{{"application/dicom", garbage}},
			http.StatusConflict, nil, []string{reasonCannotUnderstand}},
		{"study in the path differs", "/studies/" + otherStudy, dicomParts(ct),
			http.StatusConflict, nil, []string{reasonStudyMismatch}},
		{"one of two in another study", "/studies/" + ctFile.study, dicomParts(ct, mr),
			http.StatusAccepted, []string{ctFile.instance}, []string{reasonStudyMismatch}},
		{"study in the path matches", "/studies/" + ctFile.study, dicomParts(ct),
			http.StatusOK, []string{ctFile.instance}, nil},
	} {
		t.Run(c.name, func(t *testing.T) {
			r := s.stowRaw(t, c.path, c.parts)
			wantStatus(t, r, c.status, "STOW")
			resp := decodeObject(t, r.Body)
			var stored, failures []string
			for _, it := range resp.items(tagReferencedSOPSequence) {
				stored = append(stored, it.str(tagReferencedSOPInstance))
				if u := it.str(tagRetrieveURL); !strings.HasPrefix(u, s.Root+"/studies/") {
					t.Errorf("stored item RetrieveURL %q is not under %s", u, s.Root)
				}
			}
			for _, it := range resp.items(tagFailedSOPSequence) {
				failures = append(failures, it.str(tagFailureReason))
			}
			if strings.Join(stored, " ") != strings.Join(c.stored, " ") {
				t.Errorf("ReferencedSOPSequence SOP UIDs = %q, want %q", stored, c.stored)
			}
			if strings.Join(failures, " ") != strings.Join(c.failures, " ") {
				t.Errorf("FailedSOPSequence reasons = %q, want %q", failures, c.failures)
			}
			if c.status == http.StatusConflict && len(resp.items(tagFailedSOPSequence)) > 0 {
				// The SOP Instance UID of a readable instance is reported.
				if c.failures[0] == reasonStudyMismatch {
					if got := resp.items(tagFailedSOPSequence)[0].str(tagReferencedSOPInstance); got != ctFile.instance {
						t.Errorf("failed item ReferencedSOPInstanceUID = %q, want %q", got, ctFile.instance)
					}
				}
			}
		})
	}

	body, boundary := multipartBody(dicomParts(ct)...)
	for _, c := range []struct {
		name        string
		contentType string
		body        []byte
		status      int
	}{
		{"bare application/dicom", "application/dicom", ct, http.StatusUnsupportedMediaType},
		{"no Content-Type", "", body, http.StatusUnsupportedMediaType},
		{"multipart of DICOM JSON", `multipart/related; type="application/dicom+json"; boundary=` + boundary, body, http.StatusUnsupportedMediaType},
		{"multipart/form-data", "multipart/form-data; boundary=" + boundary, body, http.StatusUnsupportedMediaType},
		{"JSON", "application/json", []byte(`{}`), http.StatusUnsupportedMediaType},
		{"no boundary", `multipart/related; type="application/dicom"`, body, http.StatusBadRequest},
		{"garbage body", `multipart/related; type="application/dicom"; boundary=` + boundary, []byte("\x00\x01garbage, no boundary anywhere\r\n\r\n"), http.StatusBadRequest},
		{"no parts", `multipart/related; type="application/dicom"; boundary=` + boundary, []byte("--" + boundary + "--\r\n"), http.StatusBadRequest},
		{"empty body", `multipart/related; type="application/dicom"; boundary=` + boundary, nil, http.StatusBadRequest},
	} {
		t.Run(c.name, func(t *testing.T) {
			var hdr []string
			if c.contentType != "" {
				hdr = []string{"Content-Type", c.contentType}
			}
			r := s.request(t, http.MethodPost, "/studies", bytes.NewReader(c.body), hdr...)
			wantRefusal(t, r, c.status, "STOW "+c.name)
		})
	}

	t.Run("nothing else stored", func(t *testing.T) {
		got := uids(s.qido(t, "/instances"), tagSOPInstanceUID)
		if len(got) != 2 {
			t.Errorf("archive holds %q, want the CT and the MR instance only", got)
		}
	})
}

// TestStowRetrieveURL follows the RetrieveURLs of a Store Instances
// Response, as Weasis-like clients do: they are absolute and return the
// study and the instances.
func TestStowRetrieveURL(t *testing.T) {
	t.Parallel()
	s := startServer(t)
	files := []string{"pydicom/SC_rgb_small_odd.dcm", "pydicom/SC_ybr_full_422_uncompressed.dcm"}
	resp := s.stowFiles(t, files...)
	study := corpusFile(files[0]).study
	studyURL := resp.str(tagRetrieveURL)
	if want := s.Root + "/studies/" + study; studyURL != want {
		t.Errorf("RetrieveURL = %q, want %q", studyURL, want)
	}
	u, err := url.Parse(studyURL)
	if err != nil || !u.IsAbs() {
		t.Fatalf("RetrieveURL %q is not an absolute URL (%v)", studyURL, err)
	}
	r := s.get(t, studyURL, acceptDICOMAny)
	wantStatus(t, r, http.StatusOK, "GET study RetrieveURL")
	if n := len(readParts(t, r, "application/dicom")); n != 2 {
		t.Errorf("study RetrieveURL returned %d instances, want 2", n)
	}
	refs := resp.items(tagReferencedSOPSequence)
	if len(refs) != 2 {
		t.Fatalf("ReferencedSOPSequence has %d items, want 2", len(refs))
	}
	for i, it := range refs {
		want := readTestdata(t, files[i])
		if got := it.str(tagReferencedSOPInstance); got != corpusFile(files[i]).instance {
			t.Errorf("item %d is %q, want %q (parts in request order)", i+1, got, corpusFile(files[i]).instance)
		}
		r := s.get(t, it.str(tagRetrieveURL), acceptDICOMAny)
		wantStatus(t, r, http.StatusOK, "GET instance RetrieveURL")
		parts := readParts(t, r, "application/dicom")
		if len(parts) != 1 || !bytes.Equal(parts[0].Body, want) {
			t.Errorf("instance RetrieveURL %s did not return %s", it.str(tagRetrieveURL), files[i])
		}
	}
}

// TestStowSameBytesTwice: storing an instance again with the same bytes
// changes nothing.
func TestStowSameBytesTwice(t *testing.T) {
	t.Parallel()
	s := startServer(t)
	s.stowFiles(t, "pydicom/CT_small.dcm", "pydicom/MR_small.dcm")
	before := blobFiles(t, s.DataDir)
	beforeStudies, beforeInstances := s.qido(t, "/studies"), s.qido(t, "/instances")
	s.stowFiles(t, "pydicom/CT_small.dcm")
	s.stowFiles(t, "pydicom/CT_small.dcm", "pydicom/MR_small.dcm")
	after := blobFiles(t, s.DataDir)
	if len(before) != 2 || strings.Join(before, "\n") != strings.Join(after, "\n") {
		t.Errorf("blob files before %q, after storing again %q; want the same two", before, after)
	}
	studies, instances := s.qido(t, "/studies"), s.qido(t, "/instances")
	if len(studies) != len(beforeStudies) || len(instances) != len(beforeInstances) || len(instances) != 2 {
		t.Errorf("after storing again: %d studies, %d instances; before %d and %d", len(studies), len(instances), len(beforeStudies), len(beforeInstances))
	}
	for _, st := range studies {
		if st.str(tagStudyRelatedInstances) != "1" {
			t.Errorf("study %s: NumberOfStudyRelatedInstances %q, want 1", st.str(tagStudyInstanceUID), st.str(tagStudyRelatedInstances))
		}
	}
}

// TestStowReplace: different bytes for a stored SOP Instance UID replace
// the instance; the old file is removed.
func TestStowReplace(t *testing.T) {
	t.Parallel()
	s := startServer(t)
	first, second := "pydicom/MR_small.dcm", "pydicom/MR_small_implicit.dcm"
	f := corpusFile(first)
	s.stowFiles(t, first)
	old := blobFiles(t, s.DataDir)
	if len(old) != 1 {
		t.Fatalf("%d blob files after one instance, want 1", len(old))
	}
	s.stowFiles(t, second)
	want := readTestdata(t, second)

	r := s.get(t, "/studies/"+f.study+"/series/"+f.series+"/instances/"+f.instance, acceptDICOMAny)
	wantStatus(t, r, http.StatusOK, "retrieve")
	parts := readParts(t, r, "application/dicom")
	if len(parts) != 1 || !bytes.Equal(parts[0].Body, want) {
		t.Fatalf("retrieve after replace did not return the new bytes")
	}
	if ts := parts[0].TransferSyntax(); ts != tsImplicitLE {
		t.Errorf("replaced instance has transfer syntax %q, want %q", ts, tsImplicitLE)
	}
	blobs := blobFiles(t, s.DataDir)
	if len(blobs) != 1 {
		t.Fatalf("blob files after replace: %q, want one", blobs)
	}
	if _, err := os.Stat(old[0]); err == nil && old[0] != blobs[0] {
		t.Errorf("old blob %s still exists", old[0])
	}
	if b, _ := os.ReadFile(blobs[0]); !bytes.Equal(b, want) {
		t.Errorf("the remaining blob file does not hold the new bytes")
	}
	if n := len(s.qido(t, "/instances")); n != 1 {
		t.Errorf("QIDO finds %d instances after replace, want 1", n)
	}
}

// TestStowXMLResponse asks for the Store Instances Response as
// application/dicom+xml.
func TestStowXMLResponse(t *testing.T) {
	t.Parallel()
	s := startServer(t)
	ct := corpusFile("pydicom/CT_small.dcm")
	parts := append(dicomParts(readTestdata(t, ct.path)), part{"application/dicom", []byte("not DICOM")})
	r := s.stowRaw(t, "/studies", parts, "Accept", "application/dicom+xml")
	wantStatus(t, r, http.StatusAccepted, "STOW")
	if got := r.ContentType(); got != "application/dicom+xml" {
		t.Fatalf("Content-Type %q, want application/dicom+xml", got)
	}
	m := decodeXML(t, r.Body)
	refs, ok := findXML(m.Attrs, tagReferencedSOPSequence)
	if !ok || refs.VR != "SQ" || len(refs.Items) != 1 {
		t.Fatalf("ReferencedSOPSequence = %+v, want one SQ item", refs)
	}
	if got := xmlText(refs.Items[0].Attrs, tagReferencedSOPInstance); got != ct.instance {
		t.Errorf("ReferencedSOPInstanceUID = %q, want %q", got, ct.instance)
	}
	wantURL := s.Root + "/studies/" + ct.study + "/series/" + ct.series + "/instances/" + ct.instance
	if got := xmlText(refs.Items[0].Attrs, tagRetrieveURL); got != wantURL {
		t.Errorf("RetrieveURL = %q, want %q", got, wantURL)
	}
	failed, ok := findXML(m.Attrs, tagFailedSOPSequence)
	if !ok || len(failed.Items) != 1 {
		t.Fatalf("FailedSOPSequence = %+v, want one item", failed)
	}
	if got := xmlText(failed.Items[0].Attrs, tagFailureReason); got != reasonCannotUnderstand {
		t.Errorf("FailureReason = %q, want %s (0xC000)", got, reasonCannotUnderstand)
	}
	if a, _ := findXML(m.Attrs, tagReferencedSOPSequence); a.Keyword != "ReferencedSOPSequence" {
		t.Errorf("keyword attribute %q, want ReferencedSOPSequence", a.Keyword)
	}
}
