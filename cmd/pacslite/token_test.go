package main

import (
	"bytes"
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/pacslite/pacslite/portal/account"
	"github.com/pacslite/pacslite/portal/store"
)

func TestTokenCommand(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	env := func(string) string { return "" }
	run := func(args ...string) (int, string, string) {
		var out, errOut bytes.Buffer
		code := runTokenEnv(ctx, append(args, "--data", dir), env, &out, &errOut)
		return code, out.String(), errOut.String()
	}
	code, out, errOut := run("create", "--name", "hospital-pacs", "--scope", "dicomweb:read,dicomweb:write")
	token := strings.TrimSpace(out)
	if code != 0 || !strings.HasPrefix(token, account.TokenPrefix) || strings.Count(out, "\n") != 1 {
		t.Fatalf("token create = %d, stdout %q, stderr %q; want the token alone on stdout", code, out, errOut)
	}
	db, err := store.Open(ctx, filepath.Join(dir, "portal.db"))
	if err != nil {
		t.Fatal(err)
	}
	c, err := db.ClientBySecretHash(ctx, account.HashSecret(token))
	db.Close()
	if err != nil || c.Name != "hospital-pacs" || !c.HasScope("dicomweb:write") || c.HasScope("dicomweb:delete") {
		t.Errorf("stored client = %+v, %v; want hospital-pacs with read and write", c, err)
	}
	if code, _, _ := run("create", "--name", "hospital-pacs"); code != 1 {
		t.Errorf("second token of the same name: exit %d, want 1", code)
	}
	for _, args := range [][]string{{"create", "--name", "x", "--scope", "dicomweb:everything"}, {"create"}, {"revoke"}, {"frobnicate"}} {
		if code, _, _ := run(args...); code != 2 {
			t.Errorf("token %v: exit %d, want 2", args, code)
		}
	}
	if code, out, _ := run("list"); code != 0 || !strings.Contains(out, "hospital-pacs") || !strings.Contains(out, "dicomweb:read,dicomweb:write") {
		t.Errorf("token list = %d\n%s", code, out)
	}
	if code, _, errOut := run("revoke", "--name", "hospital-pacs"); code != 0 {
		t.Errorf("token revoke = %d: %s", code, errOut)
	}
	if code, out, _ := run("list"); code != 0 || !strings.Contains(out, "revoked") {
		t.Errorf("token list after revoke = %d\n%s", code, out)
	}
}
