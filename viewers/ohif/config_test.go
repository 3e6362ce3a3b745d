package ohif

import (
	"os"
	"os/exec"
	"testing"
)

// TestAppConfigRoot runs app-config.check.cjs: the viewer reads the
// configured archive, or a share's own DICOMweb root only on an allowed
// origin.
func TestAppConfigRoot(t *testing.T) {
	node, err := exec.LookPath("node")
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("node is missing: test.sh installs it")
		}
		t.Skip("node is missing")
	}
	out, err := exec.Command(node, "app-config.check.cjs").CombinedOutput()
	if err != nil {
		t.Fatalf("app-config.check.cjs: %v\n%s", err, out)
	}
}
