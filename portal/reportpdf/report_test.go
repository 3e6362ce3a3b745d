package reportpdf

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// sample is a report with names and text in several scripts.
func sample() Report {
	return Report{
		Site:  "City Hospital",
		Title: "Radiology report",
		Patient: []Field{{"Patient", "प्रिया शर्मा"}, {"Patient ID", "P-0042"}, {"Date of birth", "2 Jan 1980"},
			{"Sex", "F"}},
		Study: []Field{{"Study date", "10 Jul 2023"}, {"Modality", "CT"}, {"Description", "CT Kopf — Müller Jürgen"},
			{"Accession", "A-17"}, {"Referring physician", "山田太郎"}},
		Sections: []Section{
			{Heading: "CLINICAL HISTORY", Text: "सिर में दर्द, क्षत्रिय परिवार। Headache for two weeks."},
			{Heading: "FINDINGS", Text: strings.Repeat("No acute intracranial haemorrhage. The ventricles are normal in size. ", 40)},
			{Heading: "IMPRESSION", Text: "Normal study. 正常。 Ελληνικά. العربية"},
			{Heading: "ADDENDUM", Text: "Reviewed with the referrer.", Note: "Signed by Dr Rao on 3 Jan 2026"},
		},
		Signed: "Electronically signed by Dr Anjali Rao on 2 Jan 2026, 10:04",
		Footer: "Study 2.25.1",
	}
}

// renderer is shared by the tests: fonts are parsed once.
var renderer = New()

func render(t *testing.T, r Report) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := renderer.Render(&buf, r); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func TestRenderDeterministic(t *testing.T) {
	a, b := render(t, sample()), render(t, sample())
	if !bytes.Equal(a, b) {
		t.Error("two renders of the same report differ")
	}
	if !bytes.HasPrefix(a, []byte("%PDF-1.7")) || !bytes.HasSuffix(a, []byte("%%EOF\n")) {
		t.Error("not a complete PDF")
	}
	for _, want := range []string{"/FontFile2", "NotoSansDevanagari-Regular", "DroidSansFallbackFull"} {
		if !bytes.Contains(a, []byte(want)) {
			t.Errorf("PDF lacks %s", want)
		}
	}
}

// TestTextRoundTrips extracts the text with poppler's pdftotext: every
// script must come back as written, Devanagari conjuncts included.
func TestTextRoundTrips(t *testing.T) {
	pdftotext, err := exec.LookPath("pdftotext")
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("pdftotext is missing: test.sh installs poppler-utils")
		}
		t.Skip("pdftotext (poppler-utils) is missing")
	}
	path := filepath.Join(t.TempDir(), "report.pdf")
	if err := os.WriteFile(path, render(t, sample()), 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(pdftotext, "-enc", "UTF-8", path, "-").Output()
	if err != nil {
		t.Fatal(err)
	}
	text := string(out)
	for _, want := range []string{"प्रिया शर्मा", "सिर में दर्द, क्षत्रिय परिवार।", "Müller Jürgen", "山田太郎", "正常", "Ελληνικά",
		"CLINICAL HISTORY", "FINDINGS", "IMPRESSION", "Electronically signed by Dr Anjali Rao", "Page 2 of 2"} {
		if !strings.Contains(text, want) {
			t.Errorf("pdftotext lacks %q:\n%s", want, text)
		}
	}
}
