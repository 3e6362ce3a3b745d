package portal

import (
	"encoding/json"
	"slices"

	"github.com/pacslite/pacslite/portal/store"
)

// reportTemplate is a starting text for a kind of study: the editor fills
// the empty sections with it.
type reportTemplate struct {
	Key, Name  string
	Modalities []string
	store.ReportSections
}

// reportTemplates are the built-in templates, one per modality family.
var reportTemplates = []reportTemplate{
	{Key: "CT", Name: "CT", Modalities: []string{"CT"}, ReportSections: store.ReportSections{
		Technique: "Axial CT images were acquired without / with intravenous contrast. Multiplanar reformats were reviewed.",
		Findings:  "Parenchyma: \nVessels: \nLymph nodes: \nBones: \nOther: ",
	}},
	{Key: "MR", Name: "MRI", Modalities: []string{"MR"}, ReportSections: store.ReportSections{
		Technique: "Multiplanar, multisequence MR imaging was performed (T1, T2, FLAIR, DWI), without / with gadolinium.",
		Findings:  "Signal: \nDiffusion: \nEnhancement: \nOther: ",
	}},
	{Key: "US", Name: "Ultrasound", Modalities: []string{"US"}, ReportSections: store.ReportSections{
		Technique: "Real-time grey-scale and colour Doppler ultrasound.",
		Findings:  "Liver: \nGallbladder and bile ducts: \nPancreas: \nSpleen: \nKidneys: \nBladder: ",
	}},
	{Key: "XR", Name: "Radiograph", Modalities: []string{"CR", "DX", "RF", "XA"}, ReportSections: store.ReportSections{
		Technique: "Radiographs: views as labelled.",
		Findings:  "Lungs: \nHeart and mediastinum: \nPleura: \nBones and soft tissues: ",
	}},
	{Key: "MG", Name: "Mammography", Modalities: []string{"MG"}, ReportSections: store.ReportSections{
		Technique:  "Bilateral CC and MLO views.",
		Findings:   "Breast composition: \nMasses: \nCalcifications: \nAxillae: ",
		Impression: "BI-RADS category: ",
	}},
	{Key: "NM", Name: "Nuclear medicine / PET", Modalities: []string{"NM", "PT"}, ReportSections: store.ReportSections{
		Technique: "Radiopharmaceutical, dose and uptake time: ",
		Findings:  "Physiological uptake: \nAbnormal uptake: ",
	}},
	{Key: "GEN", Name: "General", ReportSections: store.ReportSections{
		Findings: "",
	}},
}

// templateFor returns the key of the template for a study's modalities.
func templateFor(modalities []string) string {
	for _, t := range reportTemplates {
		for _, m := range modalities {
			if slices.Contains(t.Modalities, m) {
				return t.Key
			}
		}
	}
	return "GEN"
}

// templateByKey returns a template, or the general one.
func templateByKey(key string) reportTemplate {
	for _, t := range reportTemplates {
		if t.Key == key {
			return t
		}
	}
	return reportTemplates[len(reportTemplates)-1]
}

// templatesJSON is the templates for the editor's script.
func templatesJSON() string {
	m := map[string]map[string]string{}
	for _, t := range reportTemplates {
		m[t.Key] = map[string]string{"clinical_history": t.ClinicalHistory, "technique": t.Technique, "comparison": t.Comparison,
			"findings": t.Findings, "impression": t.Impression, "recommendation": t.Recommendation}
	}
	b, _ := json.Marshal(m)
	return string(b)
}
