package portal

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"

	"github.com/pacslite/pacslite/portal/store"
)

// TestAdminDeletePaidStudyRefunds: an admin deletes paid studies. To
// credit, the balance grows by exactly what was paid; to the original
// method, the fake Razorpay gets one refund of the card part for the
// upload's payment and the part paid from credit goes back to credit. The
// study is gone from the index and the blobs, the audit trail has the
// deletion, and a second (or parallel) deletion refunds nothing more.
func TestAdminDeletePaidStudyRefunds(t *testing.T) {
	e := newPayEnv(t)
	ctx := context.Background()
	alice := e.user(store.RolePatient, "alice@example.org", "alice-password")
	root := e.user(store.RoleAdmin, "root@example.org", "root-password")
	a := e.login("alice@example.org", "alice-password")
	admin := e.login("root@example.org", "root-password")
	upload := func(reportType string, s testStudy, files ...string) store.Upload {
		t.Helper()
		up := a.createUpload(reportType, s)
		if up.AmountDue > 0 {
			up = e.payUpload(a, up)
		}
		if res := a.stowFor(up.ID, files...); res.status != http.StatusOK {
			t.Fatalf("STOW %v = %d\n%s", files, res.status, res.body)
		}
		if res, out := a.complete(up.ID, map[string]any{}); res.status != http.StatusOK || out["state"] != "stored" {
			t.Fatalf("complete = %d %v", res.status, out)
		}
		return e.upload(up.ID)
	}
	del := func(uid, refund string) int {
		return admin.postForm("/admin/studies/"+uid+"/delete", url.Values{"refund": {refund}}).status
	}
	refunds := func(id string) []store.Refund {
		t.Helper()
		fs, err := e.db.Refunds(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		return fs
	}
	gone := func(uid string, blobsLeft int) {
		t.Helper()
		if got := admin.get("/dicomweb/studies/" + uid + "/metadata").status; got != http.StatusNotFound {
			t.Errorf("metadata of the deleted study = %d, want 404", got)
		}
		if body := admin.get("/dicomweb/studies?StudyInstanceUID=" + uid).body; countStudies(body) != 0 {
			t.Errorf("QIDO still finds the deleted study %s", uid)
		}
		if n := blobFiles(t); n != blobsLeft {
			t.Errorf("%d blob files left, want %d", n, blobsLeft)
		}
		// Parallel requests may both record a deletion: each did ask.
		evs, err := e.db.SearchAudit(ctx, store.AuditQuery{Action: "study.delete", StudyUID: uid})
		if err != nil || len(evs) == 0 {
			t.Errorf("no study.delete audit row for %s (%v)", uid, err)
		}
		for _, ev := range evs {
			if ev.Actor != "user:"+itoa(root.ID) || !strings.HasPrefix(ev.Detail, "refund:") {
				t.Errorf("study.delete audit row %+v, want the admin and the refund choice", ev)
			}
		}
	}

	// 1. Paid Rs 4,000 by card; refund to credit.
	doe := upload("priority", doeUpload, "crafted/doe.dcm")
	if doe.PaymentID == "" || doe.AmountDue != 400000 {
		t.Fatalf("paid upload = %+v", doe)
	}
	if res := admin.get("/admin/studies/" + doeStudy + "/delete"); !strings.Contains(res.body, "₹4,000 left to refund") {
		t.Errorf("the confirmation page does not offer the refund of ₹4,000")
	}
	// Two admins' tabs at once: one deletion, one refund.
	var wg sync.WaitGroup
	for range 2 {
		wg.Add(1)
		go func() { defer wg.Done(); del(doeStudy, store.RefundToCredit) }()
	}
	wg.Wait()
	if got := e.balance(alice.ID); got != 400000 {
		t.Errorf("balance after deleting with a refund to credit = %d, want 400000", got)
	}
	if fs := refunds(doe.ID); len(fs) != 1 || fs[0].Kind != store.RefundToCredit || fs[0].Amount != 400000 || fs[0].Status != "processed" {
		t.Errorf("refunds = %+v, want one processed to credit of 400000", fs)
	}
	if got := e.fake.Refunds(doe.PaymentID); len(got) != 0 {
		t.Errorf("a refund to credit reached Razorpay: %+v", got)
	}
	gone(doeStudy, 0)
	if got := del(doeStudy, store.RefundToCredit); got != http.StatusNotFound {
		t.Errorf("second deletion = %d, want 404", got)
	}
	if got := e.balance(alice.ID); got != 400000 || len(refunds(doe.ID)) != 1 {
		t.Errorf("after a second deletion: balance %d, %d refunds; want 400000 and 1", got, len(refunds(doe.ID)))
	}

	// 2. Standard paid wholly from credit (Rs 2,500; Rs 1,500 left), then
	// Priority paid Rs 1,500 from credit and Rs 2,500 by card.
	smith := upload("standard", smithUpload, "crafted/smith.dcm")
	muller := upload("priority", mullerUpload, "crafted/muller_utf8_ct.dcm", "crafted/muller_utf8_mr.dcm")
	if smith.PaymentID != "" || muller.PaymentID == "" || muller.AmountDue != 250000 || e.balance(alice.ID) != 0 {
		t.Fatalf("uploads: %+v / %+v, balance %d", smith, muller, e.balance(alice.ID))
	}
	blobs := blobFiles(t)
	if got := del(mullerCT, store.RefundToMethod); got != http.StatusSeeOther {
		t.Fatalf("delete with a refund to the original method = %d", got)
	}
	e.fake.Flush()
	got := e.fake.Refunds(muller.PaymentID)
	if len(got) != 1 || got[0].Amount != 250000 || got[0].PaymentID != muller.PaymentID || got[0].Notes["upload_id"] != muller.ID {
		t.Errorf("Razorpay refunds of %s = %+v, want one of 250000 for upload %s", muller.PaymentID, got, muller.ID)
	}
	if fs := refunds(muller.ID); len(fs) != 2 {
		t.Errorf("refunds = %+v, want the card part and the credit part", fs)
	} else {
		byKind := map[string]store.Refund{fs[0].Kind: fs[0], fs[1].Kind: fs[1]}
		if m := byKind[store.RefundToMethod]; m.Amount != 250000 || m.RazorpayID != got[0].ID {
			t.Errorf("refund to the method = %+v, want 250000 with Razorpay's id", m)
		}
		if c := byKind[store.RefundToCredit]; c.Amount != 150000 {
			t.Errorf("refund to credit = %+v, want the 150000 paid from credit", c)
		}
	}
	if got := e.balance(alice.ID); got != 150000 {
		t.Errorf("balance = %d, want the 150000 paid from credit back", got)
	}
	gone(mullerCT, blobs-2)
	if got := del(mullerCT, store.RefundToMethod); got != http.StatusNotFound {
		t.Errorf("second deletion = %d, want 404", got)
	}
	e.fake.Flush()
	if got := e.fake.Refunds(muller.PaymentID); len(got) != 1 {
		t.Errorf("after a second deletion Razorpay has %d refunds, want 1", len(got))
	}

	// 3. Paid only from credit, "original method": the credit comes back.
	if got := del(smithStudy, store.RefundToMethod); got != http.StatusSeeOther {
		t.Fatalf("delete = %d", got)
	}
	if got := e.balance(alice.ID); got != 400000 {
		t.Errorf("balance = %d, want 400000", got)
	}
	gone(smithStudy, blobs-3)
	if got := admin.get("/admin/studies/" + smithStudy + "/delete").status; got != http.StatusNotFound {
		t.Errorf("confirmation page of a deleted study = %d, want 404", got)
	}
}
