package portal

import (
	"github.com/pacslite/pacslite/portal/store"
)

// reportView is a signed report as readers see it: the text of the latest
// signed version, who signed the original, and the addenda and amendments
// that followed.
type reportView struct {
	Current    store.ReportVersion // the latest signed version
	Original   store.ReportVersion // version 1
	Addenda    []store.ReportVersion
	Amendments []store.ReportVersion
	Critical   bool
}

// viewOf builds the view of the signed versions up to and including
// version upTo (0: all). ok is false when none is signed.
func viewOf(versions []store.ReportVersion, upTo int) (v reportView, ok bool) {
	for _, rv := range versions {
		if !rv.Final || upTo > 0 && rv.Version > upTo {
			continue
		}
		ok = true
		v.Current = rv
		v.Critical = v.Critical || rv.Critical
		switch rv.Kind {
		case store.VersionOriginal:
			v.Original = rv
		case store.VersionAddendum:
			v.Addenda = append(v.Addenda, rv)
		case store.VersionAmendment:
			v.Amendments = append(v.Amendments, rv)
		}
	}
	return v, ok
}

// section is a titled part of a report.
type section struct{ Heading, Text string }

// sectionsOf lists the sections of a report that have text, in the order
// patients read them.
func sectionsOf(s store.ReportSections) []section {
	var out []section
	for _, p := range []section{
		{"Clinical history", s.ClinicalHistory}, {"Technique", s.Technique}, {"Comparison", s.Comparison},
		{"Findings", s.Findings}, {"Impression", s.Impression}, {"Recommendation", s.Recommendation},
	} {
		if p.Text != "" {
			out = append(out, p)
		}
	}
	return out
}
