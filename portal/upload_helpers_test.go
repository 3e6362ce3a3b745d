package portal

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/textproto"
	"os"
	"path/filepath"
	"testing"

	"github.com/pacslite/pacslite/portal/payment"
	"github.com/pacslite/pacslite/portal/payment/razorpayfake"
	"github.com/pacslite/pacslite/portal/store"
)

const (
	testKeyID     = "rzp_test_portal"
	testKeySecret = "portal-key-secret"
	testHookKey   = "portal-webhook-secret"
)

// payEnv is a test environment whose payments go to the fake Razorpay
// over real HTTP, through razorpay-go, with webhooks back to the portal.
type payEnv struct {
	*testEnv
	fake    *razorpayfake.Server
	fakeURL string
}

func newPayEnv(t *testing.T, tweak ...func(*Options)) *payEnv {
	t.Helper()
	fake := razorpayfake.New(razorpayfake.Options{KeyID: testKeyID, KeySecret: testKeySecret, WebhookSecret: testHookKey})
	fsrv := httptest.NewServer(fake)
	t.Cleanup(fsrv.Close)
	gw, err := payment.New(payment.Config{KeyID: testKeyID, KeySecret: testKeySecret, BaseURL: fsrv.URL})
	if err != nil {
		t.Fatal(err)
	}
	e := newEnv(t, append([]func(*Options){func(o *Options) {
		o.Payments = PaymentOptions{Gateway: gw, KeyID: testKeyID, KeySecret: testKeySecret, WebhookSecret: testHookKey,
			CheckoutURL: fsrv.URL + "/checkout.js"}
	}}, tweak...)...)
	fake.SetWebhookURL(e.srv.URL + "/payments/razorpay/webhook")
	t.Cleanup(fake.Flush) // before the servers close (cleanups run last first)
	return &payEnv{testEnv: e, fake: fake, fakeURL: fsrv.URL}
}

// sendJSON sends a JSON request with the browser's CSRF token and decodes
// the answer into out (when not nil).
func (b *browser) sendJSON(method, path string, in, out any) response {
	b.e.t.Helper()
	var body bytes.Buffer
	if in != nil {
		json.NewEncoder(&body).Encode(in)
	}
	req, _ := http.NewRequest(method, b.e.srv.URL+path, &body)
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set(csrfHeader, b.csrf())
	res := b.do(req)
	if out != nil && res.status < 300 {
		if err := json.Unmarshal([]byte(res.body), out); err != nil {
			b.e.t.Fatalf("%s %s: %v\n%s", method, path, err, res.body)
		}
	}
	return res
}

// testStudy describes a crafted file's study for an upload request.
type testStudy struct {
	uid, name, action string
	files             int64
}

var (
	doeUpload    = testStudy{uid: doeStudy, name: "Doe^John", action: "new", files: 1}
	mullerUpload = testStudy{uid: mullerCT, name: "Müller^Jürgen", action: "new", files: 2}
	smithUpload  = testStudy{uid: smithStudy, name: "Smith^Jane", action: "new", files: 1}
)

// uploadBody is what the page sends to create an upload.
func uploadBody(reportType string, studies ...testStudy) map[string]any {
	var list []map[string]any
	for _, s := range studies {
		list = append(list, map[string]any{"uid": s.uid, "action": s.action, "files": s.files, "bytes": 2000 * s.files,
			"patient_name": s.name, "study_date": "20220601", "modality": "US", "description": "test"})
	}
	return map[string]any{"report_type": reportType, "consent": true, "consent_version": consentVersion(), "studies": list}
}

// createUpload creates an upload and fails the test unless it is created.
func (b *browser) createUpload(reportType string, studies ...testStudy) uploadView {
	b.e.t.Helper()
	var up uploadView
	if res := b.sendJSON(http.MethodPost, "/uploads", uploadBody(reportType, studies...), &up); res.status != http.StatusCreated {
		b.e.t.Fatalf("POST /uploads = %d, want 201\n%s", res.status, res.body)
	}
	return up
}

// checkoutOrder is the order id Checkout is opened with.
func checkoutOrder(up uploadView) string {
	id, _ := up.Checkout["order_id"].(string)
	return id
}

// payUpload pays an upload through the fake Checkout and confirms it as
// the page does.
func (e *payEnv) payUpload(b *browser, up uploadView) uploadView {
	e.t.Helper()
	res, _, err := e.fake.Pay(checkoutOrder(up), "success", "card")
	if err != nil {
		e.t.Fatal(err)
	}
	var out uploadView
	if r := b.sendJSON(http.MethodPost, "/uploads/"+up.ID+"/pay", res, &out); r.status != http.StatusOK {
		e.t.Fatalf("POST pay = %d\n%s", r.status, r.body)
	}
	return out
}

// stowFor sends files with STOW-RS as the upload page does: session, CSRF
// token and upload id.
func (b *browser) stowFor(uploadID string, files ...string) response {
	b.e.t.Helper()
	tok := b.csrf()
	return b.stow(func(r *http.Request) {
		r.Header.Set(csrfHeader, tok)
		if uploadID != "" {
			r.Header.Set(uploadHeader, uploadID)
		}
	}, files...)
}

// stowBytes sends arbitrary parts (not DICOM, say) for an upload.
func (b *browser) stowBytes(uploadID string, parts ...[]byte) response {
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	for _, p := range parts {
		w, _ := mw.CreatePart(textproto.MIMEHeader{"Content-Type": {"application/dicom"}})
		w.Write(p)
	}
	mw.Close()
	req, _ := http.NewRequest(http.MethodPost, b.e.srv.URL+"/dicomweb/studies", &buf)
	req.Header.Set("Content-Type", fmt.Sprintf(`multipart/related; type="application/dicom"; boundary=%s`, mw.Boundary()))
	req.Header.Set("Accept", "application/dicom+json")
	req.Header.Set(csrfHeader, b.csrf())
	req.Header.Set(uploadHeader, uploadID)
	return b.do(req)
}

// complete says the page sent everything.
func (b *browser) complete(id string, body map[string]any) (response, map[string]any) {
	out := map[string]any{}
	res := b.sendJSON(http.MethodPost, "/uploads/"+id+"/complete", body, &out)
	return res, out
}

func (e *payEnv) upload(id string) store.Upload {
	e.t.Helper()
	u, err := e.db.Upload(context.Background(), id)
	if err != nil {
		e.t.Fatal(err)
	}
	return u
}

func (e *payEnv) balance(userID int64) int64 {
	e.t.Helper()
	b, err := e.db.CreditBalance(context.Background(), userID)
	if err != nil {
		e.t.Fatal(err)
	}
	return b
}

// sendWebhook posts a body signed with secret under an event id.
func (e *payEnv) sendWebhook(eventID string, body []byte, secret string) response {
	req, _ := http.NewRequest(http.MethodPost, e.srv.URL+"/payments/razorpay/webhook", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-Razorpay-Event-Id", eventID)
	if secret != "" {
		req.Header.Set("X-Razorpay-Signature", payment.Sign(secret, body))
	}
	return e.browser().do(req)
}

func readTestFile(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}
