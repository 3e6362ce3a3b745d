package portal

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"
)

func TestReportPermissions(t *testing.T) {
	e := newReportEnv(t)
	s := "/studies/" + smithStudy
	e.rao.postForm(s+"/report/claim", url.Values{})
	e.rao.postForm(s+"/report/draft", reportForm())
	tests := []struct {
		name   string
		b      *browser
		method string
		path   string
		want   int
	}{
		{"patient: worklist", e.alice, "GET", "/worklist", http.StatusForbidden},
		{"patient: editor", e.alice, "GET", s + "/report/edit", http.StatusForbidden},
		{"patient: claim", e.alice, "POST", s + "/report/claim", http.StatusForbidden},
		{"patient: draft", e.alice, "POST", s + "/report/draft", http.StatusForbidden},
		{"patient: a draft is no report", e.alice, "GET", s + "/report", http.StatusNotFound},
		{"patient: no PDF of a draft", e.alice, "GET", s + "/report.pdf", http.StatusNotFound},
		{"patient: settings", e.alice, "GET", "/reports/settings", http.StatusForbidden},
		{"other patient: report of another's study", e.bob, "GET", s + "/report", http.StatusNotFound},
		{"other radiologist: claim", e.sen, "POST", s + "/report/claim", http.StatusForbidden},
		{"other radiologist: finalise", e.sen, "POST", s + "/report/finalise", http.StatusForbidden},
		{"other radiologist: draft", e.sen, "POST", s + "/report/draft", http.StatusForbidden},
		{"other radiologist: editor (read only)", e.sen, "GET", s + "/report/edit", http.StatusOK},
		{"admin: signs nothing", e.admin, "POST", s + "/report/finalise", http.StatusForbidden},
		{"admin: settings", e.admin, "GET", "/reports/settings", http.StatusOK},
		{"radiologist: worklist", e.rao, "GET", "/worklist", http.StatusOK},
		{"radiologist: settings", e.rao, "GET", "/reports/settings", http.StatusForbidden},
		{"anonymous: report", e.browser(), "GET", s + "/report", http.StatusSeeOther},
	}
	for _, tt := range tests {
		var res response
		if tt.method == "GET" {
			res = tt.b.get(tt.path)
		} else {
			res = tt.b.postForm(tt.path, reportForm())
		}
		if res.status != tt.want {
			t.Errorf("%s: %s %s = %d, want %d", tt.name, tt.method, tt.path, res.status, tt.want)
		}
	}
	if body := e.sen.get(s + "/report/edit").body; !strings.Contains(body, "is writing this report") || strings.Contains(body, `name="findings"`) {
		t.Error("another radiologist's editor is not read-only")
	}
}

func TestReportFlow(t *testing.T) {
	e := newReportEnv(t, func(o *Options) {
		o.Reports.CriticalNotify = []string{"referrer@example.org", "+91 98765 00000"}
		o.Reports.PublicURL = "https://pacs.example.org"
	})
	s := "/studies/" + smithStudy
	if body := e.rao.get("/worklist").body; !strings.Contains(body, "Smith, Jane") || !strings.Contains(body, "Doe, John") {
		t.Fatal("the worklist does not list the studies")
	}
	if res := e.rao.postForm(s+"/report/claim", url.Values{}); res.status != http.StatusSeeOther || res.header.Get("Location") != s+"/report/edit" {
		t.Fatalf("claim = %d to %q", res.status, res.header.Get("Location"))
	}
	ed := e.rao.get(s + "/report/edit").body
	if !strings.Contains(ed, "Axial CT images") || !strings.Contains(ed, `class="viewer"`) || !strings.Contains(ed, "data-autosave") {
		t.Error("the editor lacks the CT template, the viewer or autosave")
	}
	// Autosave, as the editor's script does it.
	form := reportForm()
	form.Set("csrf", e.rao.csrf())
	req, _ := http.NewRequest(http.MethodPost, e.srv.URL+s+"/report/draft", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Accept", "application/json")
	res := e.rao.do(req)
	var saved map[string]string
	if json.Unmarshal([]byte(res.body), &saved); res.status != http.StatusOK || saved["saved"] == "" {
		t.Fatalf("autosave = %d %s", res.status, res.body)
	}
	if body := e.rao.get(s + "/report/edit").body; !strings.Contains(body, "दो सप्ताह") {
		t.Error("the draft is not in the editor after autosave")
	}
	incomplete := reportForm()
	incomplete.Del("impression")
	if res := e.rao.postForm(s+"/report/finalise", incomplete); res.status != http.StatusUnprocessableEntity || !strings.Contains(res.body, "impression is required") {
		t.Errorf("finalise without impression = %d, want 422", res.status)
	}
	signedForm := reportForm()
	signedForm.Set("critical", "1")
	if res := e.rao.postForm(s+"/report/finalise", signedForm); res.status != http.StatusSeeOther {
		t.Fatalf("finalise = %d\n%s", res.status, res.body)
	}

	// The patient reads it, exactly as written, with the signature.
	page := e.alice.get(s + "/report")
	for _, want := range []string{"सिर में दर्द, दो सप्ताह से। Headache for two weeks.", "No intracranial haemorrhage.\nVentricles normal. 正常。",
		"Normal CT head — Müller&#39;s sign absent.", "No follow-up needed.", "Electronically signed by <strong>rao</strong>", "Download PDF"} {
		if !strings.Contains(page.body, want) {
			t.Errorf("report page lacks %q", want)
		}
	}
	if strings.Contains(page.body, "Critical finding") {
		t.Error("the patient sees the critical flag")
	}
	if res := e.bob.get(s + "/report"); res.status != http.StatusNotFound {
		t.Errorf("Bob reads Alice's report: %d", res.status)
	}
	if body := e.alice.get("/studies").body; !strings.Contains(body, "Reported") {
		t.Error("the dashboard does not say Reported")
	}
	if body := e.alice.get(s).body; !strings.Contains(body, "Report available") || !strings.Contains(body, "View Report") {
		t.Error("the study page has no report banner")
	}
	pdf := e.alice.get(s + "/report.pdf")
	if pdf.status != http.StatusOK || pdf.header.Get("Content-Type") != "application/pdf" || !strings.HasPrefix(pdf.body, "%PDF-") {
		t.Fatalf("PDF = %d %s", pdf.status, pdf.header.Get("Content-Type"))
	}
	if text, ok := pdfText(t, []byte(pdf.body)); ok {
		for _, want := range []string{"CLINICAL HISTORY", "सिर में दर्द, दो सप्ताह से।", "TECHNIQUE", "COMPARISON", "FINDINGS", "IMPRESSION",
			"Müller's sign", "RECOMMENDATION", "Smith, Jane", "Electronically signed by rao"} {
			if !strings.Contains(text, want) {
				t.Errorf("PDF text lacks %q", want)
			}
		}
	} else if !strings.Contains(pdf.body, "/FontFile2") {
		t.Error("the PDF embeds no font")
	}

	// The archive has the same PDF in the study, for the patient too.
	series, sops := e.alice.reportInstances(smithStudy)
	if len(sops) != 1 {
		t.Fatalf("report instances in QIDO: %v", sops)
	}
	if got := e.alice.encapsulated(smithStudy, series, sops[0]); !bytes.Equal(got, []byte(pdf.body)) {
		t.Error("the Encapsulated PDF differs from the downloaded PDF")
	}
	box := e.outbox()
	for _, want := range []string{"email report.final alice@example.org", "sms report.final +919876500001", "email report.critical admin@example.org",
		"email report.critical referrer@example.org", "sms report.critical +91 98765 00000"} {
		if !slices.Contains(box, want) {
			t.Errorf("outbox lacks %q: %v", want, box)
		}
	}

	// An amendment is a new signed version; the history stays.
	if res := e.rao.postForm(s+"/report/revisions", url.Values{"kind": {"amendment"}}); res.status != http.StatusSeeOther {
		t.Fatalf("amend = %d", res.status)
	}
	amended := reportForm()
	amended.Set("impression", "Small left frontal meningioma.")
	amended.Set("note", "Meningioma seen on review.")
	if res := e.rao.postForm(s+"/report/finalise", amended); res.status != http.StatusSeeOther {
		t.Fatalf("sign the amendment = %d\n%s", res.status, res.body)
	}
	page = e.alice.get(s + "/report")
	if !strings.Contains(page.body, "Small left frontal meningioma.") || !strings.Contains(page.body, "Amended by rao") ||
		!strings.Contains(page.body, "Meningioma seen on review.") {
		t.Error("the patient does not read the amendment")
	}
	if staff := e.rao.get(s + "/report?version=1").body; !strings.Contains(staff, "Normal CT head") || !strings.Contains(staff, "Version 2") {
		t.Error("the history does not keep version 1")
	}
	if _, sops := e.alice.reportInstances(smithStudy); len(sops) != 2 {
		t.Errorf("report instances after the amendment: %v, want 2", sops)
	}
}

func TestReportReleaseDelay(t *testing.T) {
	clock := &fakeClock{}
	scan := time.Date(2023, 7, 10, 8, 0, 0, 0, time.Local) // Smith's CT
	clock.set(scan.Add(time.Hour))
	e := newReportEnv(t, func(o *Options) {
		o.SessionIdle, o.SessionMax = 1000*time.Hour, 1000*time.Hour
	})
	e.h.now = clock.now
	e = &reportEnv{testEnv: e.testEnv, raoUser: e.raoUser} // log in again on the handler's clock
	e.rao, e.alice = e.login("rao@example.org", "rao-password"), e.login("alice@example.org", "alice-password")
	e.admin = e.login("admin@example.org", "admin-password")
	if res := e.admin.postForm("/reports/settings", url.Values{"delay_hours": {"72"}, "critical": {""}}); res.status != http.StatusSeeOther {
		t.Fatalf("settings = %d\n%s", res.status, res.body)
	}
	s := "/studies/" + smithStudy
	e.rao.postForm(s+"/report/claim", url.Values{})
	if res := e.rao.postForm(s+"/report/finalise", reportForm()); res.status != http.StatusSeeOther {
		t.Fatalf("finalise = %d", res.status)
	}
	// Before the release: the patient is told when, and nothing more.
	if body := e.alice.get(s).body; !strings.Contains(body, "available on <strong>13 Jul 2023, 08:00</strong>") || strings.Contains(body, "View Report") {
		t.Error("the study page does not say when the report will be available")
	}
	if body := e.alice.get("/studies").body; strings.Contains(body, "Reported") {
		t.Error("the dashboard says Reported before the release")
	}
	if res := e.alice.get(s + "/report"); res.status != http.StatusOK || !strings.Contains(res.body, "13 Jul 2023, 08:00") || strings.Contains(res.body, "Headache") {
		t.Errorf("report page before the release = %d, want the date without the text", res.status)
	}
	if res := e.alice.get(s + "/report.pdf"); res.status != http.StatusNotFound {
		t.Errorf("PDF before the release = %d, want 404", res.status)
	}
	if _, sops := e.rao.reportInstances(smithStudy); len(sops) != 0 {
		t.Errorf("the DICOM copy is in the archive before the release: %v", sops)
	}
	if body := e.rao.get(s + "/report").body; !strings.Contains(body, "Headache") || !strings.Contains(body, "Patients can read this report from") {
		t.Error("the radiologist cannot read the report before the release")
	}
	if slices.ContainsFunc(e.outbox(), func(s string) bool { return strings.Contains(s, "report.final") }) {
		t.Error("the patient was told before the release")
	}

	clock.set(scan.Add(72*time.Hour + time.Minute))
	if n, err := e.h.ReleaseReports(t.Context()); n != 1 || err != nil {
		t.Fatalf("ReleaseReports = %d, %v; want 1", n, err)
	}
	if res := e.alice.get(s + "/report"); !strings.Contains(res.body, "Headache") {
		t.Error("the report is not readable after the release")
	}
	if res := e.alice.get(s + "/report.pdf"); res.status != http.StatusOK {
		t.Errorf("PDF after the release = %d", res.status)
	}
	if _, sops := e.alice.reportInstances(smithStudy); len(sops) != 1 {
		t.Errorf("DICOM copy after the release: %v", sops)
	}
	if !slices.Contains(e.outbox(), "email report.final alice@example.org") {
		t.Errorf("the patient was not told: %v", e.outbox())
	}
}

// TestReportReleaseDelayPerOrganisation: an organisation's own release delay
// (Admin › Organisations, by the study's Institution Name) wins over the
// server's.
func TestReportReleaseDelayPerOrganisation(t *testing.T) {
	clock := &fakeClock{}
	scan := time.Date(2023, 7, 10, 8, 0, 0, 0, time.Local) // Smith's CT
	clock.set(scan.Add(time.Hour))                         // the server's 72 h have not passed
	e := newReportEnv(t, func(o *Options) {
		o.SessionIdle, o.SessionMax = 1000*time.Hour, 1000*time.Hour
	})
	e.h.now = clock.now
	e = &reportEnv{testEnv: e.testEnv, raoUser: e.raoUser} // log in again on the handler's clock
	e.rao, e.alice = e.login("rao@example.org", "rao-password"), e.login("alice@example.org", "alice-password")
	e.admin = e.login("admin@example.org", "admin-password")
	if res := e.admin.postForm("/reports/settings", url.Values{"delay_hours": {"72"}, "critical": {""}}); res.status != http.StatusSeeOther {
		t.Fatalf("settings = %d\n%s", res.status, res.body)
	}
	// The test study carries no Institution Name (0008,0080): give its
	// recorded identity one, as a hospital's study would have.
	id, err := e.h.db.StudyIdentityOf(t.Context(), smithStudy)
	if err != nil {
		t.Fatal(err)
	}
	id.Institution = "Lakeside Imaging"
	if err := e.h.db.PutStudyIdentity(t.Context(), id); err != nil {
		t.Fatal(err)
	}
	for _, bad := range []string{"-1", "lots", "99999"} {
		if res := e.admin.postForm("/admin/organisations", url.Values{"name": {id.Institution}, "release_hours": {bad}}); res.status != http.StatusUnprocessableEntity {
			t.Errorf("release_hours=%q: status %d, want 422", bad, res.status)
		}
	}
	if res := e.admin.postForm("/admin/organisations", url.Values{"name": {id.Institution}, "downloads": {"1"}, "release_hours": {"0"}}); res.status != http.StatusSeeOther {
		t.Fatalf("save organisation = %d\n%s", res.status, res.body)
	}
	if o, err := e.h.db.OrganisationByName(t.Context(), id.Institution); err != nil || o.ReportReleaseHours != 0 {
		t.Fatalf("organisation = %+v, %v; want release after 0 hours", o, err)
	}
	s := "/studies/" + smithStudy
	e.rao.postForm(s+"/report/claim", url.Values{})
	if res := e.rao.postForm(s+"/report/finalise", reportForm()); res.status != http.StatusSeeOther {
		t.Fatalf("finalise = %d", res.status)
	}
	// Released at once despite the server's 72 hours.
	if res := e.alice.get(s + "/report"); !strings.Contains(res.body, "Headache") {
		t.Error("the organisation's delay of 0 hours did not release the report at once")
	}
}
