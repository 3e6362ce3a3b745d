package portal

import (
	"bytes"
	"fmt"
	"strings"
	"time"

	"github.com/pacslite/pacslite/portal/archive"
	"github.com/pacslite/pacslite/portal/reportpdf"
	"github.com/pacslite/pacslite/portal/store"
)

// sexName spells out a DICOM Patient's Sex.
func sexName(s string) string {
	if n, ok := map[string]string{"F": "Female", "M": "Male", "O": "Other"}[s]; ok {
		return n
	}
	return s
}

// signedAt formats a signature time as the report prints it.
func signedAt(t time.Time) string { return t.Local().Format("2 Jan 2006, 15:04 MST") }

// renderReportPDF renders the PDF of a signed report view: what the
// patient downloads and what the archive stores.
func (h *Handler) renderReportPDF(study archive.Study, v reportView) ([]byte, error) {
	sex := sexName(study.Sex)
	rep := reportpdf.Report{
		Site:  h.opts.SiteName,
		Title: "Radiology report",
		Patient: []reportpdf.Field{
			{Label: "Patient", Value: archive.FormatName(study.PatientName)}, {Label: "Patient ID", Value: study.PatientID},
			{Label: "Date of birth", Value: formatDate(study.BirthDate)}, {Label: "Sex", Value: sex},
		},
		Study: []reportpdf.Field{
			{Label: "Study date", Value: formatDate(study.Date)}, {Label: "Modality", Value: strings.Join(study.Modalities, ", ")},
			{Label: "Description", Value: study.Description}, {Label: "Accession number", Value: study.Accession},
			{Label: "Referring physician", Value: archive.FormatName(study.Referring)},
		},
		Footer: h.opts.SiteName + " · Study " + study.UID,
	}
	for _, a := range v.Amendments {
		rep.Notice += fmt.Sprintf("Amended by %s on %s. ", a.SignedBy, signedAt(a.SignedAt))
	}
	for _, s := range sectionsOf(v.Current.ReportSections) {
		rep.Sections = append(rep.Sections, reportpdf.Section{Heading: strings.ToUpper(s.Heading), Text: s.Text})
	}
	for _, a := range v.Amendments {
		if a.Note != "" {
			rep.Sections = append(rep.Sections, reportpdf.Section{Heading: "REASON FOR AMENDMENT (VERSION " + fmt.Sprint(a.Version) + ")",
				Text: a.Note, Note: "Signed by " + a.SignedBy + " on " + signedAt(a.SignedAt)})
		}
	}
	for _, a := range v.Addenda {
		rep.Sections = append(rep.Sections, reportpdf.Section{Heading: "ADDENDUM", Text: a.Note,
			Note: "Signed by " + a.SignedBy + " on " + signedAt(a.SignedAt)})
	}
	rep.Signed = "Electronically signed by " + v.Original.SignedBy + " on " + signedAt(v.Original.SignedAt)
	var buf bytes.Buffer
	if err := h.reports.pdf.Render(&buf, rep); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// signing returns the view a version will have once signed: the signed
// versions before it and the new one.
func signing(versions []store.ReportVersion, next store.ReportVersion) reportView {
	var list []store.ReportVersion
	for _, v := range versions {
		if v.Final && v.Version < next.Version {
			list = append(list, v)
		}
	}
	next.Final = true
	v, _ := viewOf(append(list, next), 0)
	return v
}
