package conformance

import (
	"net/http"
	"os/exec"
	"strings"
	"testing"
)

// TestDICOMwebNeedsCredentials: by default /dicomweb answers 401 to
// anonymous callers, and a token made with `pacslite token create` works as
// Bearer and as HTTP Basic, within its scope.
func TestDICOMwebNeedsCredentials(t *testing.T) {
	t.Parallel()
	s := startServer(t, withEnv("PACSLITE_DICOMWEB_ANONYMOUS=false"))
	do := func(method, auth string) *http.Response {
		t.Helper()
		req, _ := http.NewRequest(method, s.Root+"/studies", strings.NewReader(""))
		if auth != "" {
			req.Header.Set("Authorization", auth)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp
	}
	if r := do("GET", ""); r.StatusCode != http.StatusUnauthorized || r.Header.Get("WWW-Authenticate") == "" {
		t.Fatalf("anonymous QIDO = %d (WWW-Authenticate %q), want 401 with a challenge", r.StatusCode, r.Header.Get("WWW-Authenticate"))
	}
	token := func(name, scope string) string {
		t.Helper()
		out, err := exec.Command(binary, "token", "create", "--data", s.DataDir, "--name", name, "--scope", scope).Output()
		if err != nil {
			t.Fatalf("pacslite token create: %v", err)
		}
		return strings.TrimSpace(string(out))
	}
	reader := token("viewer", "dicomweb:read")
	if r := do("GET", "Bearer "+reader); r.StatusCode != http.StatusOK {
		t.Errorf("QIDO with a read token = %d, want 200", r.StatusCode)
	}
	if r := do("GET", "Bearer "+reader+"x"); r.StatusCode != http.StatusUnauthorized {
		t.Errorf("QIDO with a wrong token = %d, want 401", r.StatusCode)
	}
	req, _ := http.NewRequest("GET", s.Root+"/studies", nil)
	req.SetBasicAuth("viewer", reader)
	if resp, err := http.DefaultClient.Do(req); err != nil || resp.StatusCode != http.StatusOK {
		t.Errorf("QIDO with HTTP Basic = %v %v, want 200", resp.StatusCode, err)
	}
	if r := do("POST", "Bearer "+reader); r.StatusCode != http.StatusForbidden {
		t.Errorf("STOW with a read-only token = %d, want 403", r.StatusCode)
	}
}
