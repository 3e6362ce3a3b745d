package portal

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/pacslite/pacslite/portal/store"
)

// TestInvitationByEmail: a hospital study carrying an email address in
// Patient's Telecom Information invites its patient by email as well as
// by SMS (one invitation, one link), or by email alone when it has no
// phone; the email says the account was made at the scan and how to
// activate it, and its link activates the account.
func TestInvitationByEmail(t *testing.T) {
	e := newEnv(t, func(o *Options) { o.Sharing.Invitations = true; o.Sharing.SiteURL = "https://pacs.example.org" })
	pushHospital(e,
		crafted{Study: "2.25.41", PatientID: "E-1", Issuer: "CITY", Name: "Rao^Meera", Birth: "19790505", Phone: "+91 98450 11223",
			Telecom: "Mobile +91 98450 11223\r\nE-mail: Meera.Rao@example.org", Institution: "City Hospital", Accession: "E1", Date: "20240615"},
		crafted{Study: "2.25.42", PatientID: "E-2", Issuer: "CITY", Name: "Iyer^Ravi", Birth: "19700101",
			Telecom: "ravi.iyer@example.net", Institution: "City Hospital", Accession: "E2", Date: "20240616"},
		crafted{Study: "2.25.43", PatientID: "E-3", Issuer: "CITY", Name: "Das^Mini", Birth: "20190101",
			Telecom: "parent@example.net", Institution: "City Hospital", Accession: "E3", Date: "20240616"},
		crafted{Study: "2.25.44", PatientID: "E-4", Issuer: "CITY", Name: "No^Contact", Birth: "19700101",
			Telecom: "not an address", Institution: "City Hospital", Accession: "E4", Date: "20240616"},
	)
	ns, err := e.db.Notifications(context.Background(), false, 50)
	if err != nil {
		t.Fatal(err)
	}
	type msg struct{ channel, subject, body string }
	got := map[string][]msg{} // by recipient
	for _, n := range ns {
		if n.Kind == "invitation" {
			got[n.Recipient] = append(got[n.Recipient], msg{n.Channel, n.Subject, n.Body})
		}
	}
	if len(got) != 3 {
		t.Fatalf("invitations went to %v, want Meera's phone and email and Ravi's email (not the child, not the study without a contact)", keys(got))
	}
	sms, mail := got["+919845011223"], got["Meera.Rao@example.org"]
	if len(sms) != 1 || sms[0].channel != "sms" || len(mail) != 1 || mail[0].channel != "email" {
		t.Fatalf("Meera's invitations: SMS %v, email %v", sms, mail)
	}
	smsLink, mailLink := inviteInMessage.FindStringSubmatch(sms[0].body), inviteInMessage.FindStringSubmatch(mail[0].body)
	if smsLink == nil || mailLink == nil || smsLink[1] != mailLink[1] {
		t.Errorf("the SMS and the email do not carry the same activation link:\n%s\n%s", sms[0].body, mail[0].body)
	}
	mustContain(t, "invitation email", mail[0].body, "A patient account was created for you when you had your scan at City Hospital on 15 June 2024",
		"https://pacs.example.org/invite/", "30 days", "If you did not have a scan at City Hospital")
	if !strings.Contains(mail[0].subject, "Activate your patient account") {
		t.Errorf("subject %q", mail[0].subject)
	}
	if r := got["ravi.iyer@example.net"]; len(r) != 1 || r[0].channel != "email" {
		t.Errorf("Ravi (email only): %v", r)
	}
	e.wantAudit("2.25.41", "invitation.create", "system")
	evs, _ := e.db.SearchAudit(context.Background(), store.AuditQuery{Action: "invitation.create", StudyUID: "2.25.41"})
	if len(evs) != 1 || !strings.HasSuffix(evs[0].Detail, " sms,email") {
		t.Errorf("invitation.create rows = %+v, want one naming sms and email", evs)
	}
	e.wantAudit("2.25.43", "invitation.skipped", "system")

	// The email's link activates Ravi's account, which sees his study.
	b := e.browser()
	link := inviteInMessage.FindStringSubmatch(got["ravi.iyer@example.net"][0].body)[1]
	if res := b.get("/invite/" + link); res.status != http.StatusOK || !strings.Contains(res.body, "Iyer, Ravi") {
		t.Fatalf("invitation page = %d", res.status)
	}
	res := b.postForm("/invite/"+link, url.Values{"name": {"Ravi Iyer"}, "email": {"ravi.iyer@example.net"},
		"password": {"ravi-password"}, "confirm": {"ravi-password"}})
	if res.status != http.StatusSeeOther {
		t.Fatalf("activate = %d\n%s", res.status, res.body)
	}
	if n := countStudies(b.get("/dicomweb/studies").body); n != 1 {
		t.Errorf("Ravi's new account sees %d studies, want his one", n)
	}
}

func keys[M ~map[string]V, V any](m M) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}
