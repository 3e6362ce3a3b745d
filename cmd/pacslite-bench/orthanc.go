package main

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
)

// orthancBackend runs Debian's Orthanc with its DICOMweb plugin.
type orthancBackend struct {
	bin, plugin string
	version     string // filled by the first Start
}

func (*orthancBackend) Name() string { return "Orthanc" }

func (b *orthancBackend) Version() string { return b.version }

// findOrthanc locates the Orthanc binary and DICOMweb plugin of Debian's
// orthanc and orthanc-dicomweb packages.
func findOrthanc() (*orthancBackend, error) {
	bin, err := exec.LookPath("Orthanc")
	if err != nil {
		if _, serr := os.Stat("/usr/sbin/Orthanc"); serr != nil {
			return nil, fmt.Errorf("Orthanc: %w", errNotInstalled)
		}
		bin = "/usr/sbin/Orthanc"
	}
	plugin := "/usr/share/orthanc/plugins/libOrthancDicomWeb.so"
	if out, err := exec.Command("dpkg", "-L", "orthanc-dicomweb").Output(); err == nil {
		for _, l := range strings.Split(string(out), "\n") {
			if strings.Contains(l, "libOrthancDicomWeb.so") {
				plugin = l
				break
			}
		}
	}
	if _, err := os.Stat(plugin); err != nil {
		return nil, fmt.Errorf("Orthanc DICOMweb plugin: %w", errNotInstalled)
	}
	return &orthancBackend{bin: bin, plugin: plugin}, nil
}

// installOrthanc installs Debian's orthanc and orthanc-dicomweb with
// service start-up disabled (a policy-rc.d that denies it, when none is
// there already): the benchmark runs Orthanc itself.
func installOrthanc(ctx context.Context, log func(string, ...any)) error {
	if os.Geteuid() != 0 {
		return fmt.Errorf("installing Orthanc needs root: apt-get install orthanc orthanc-dicomweb")
	}
	const policy = "/usr/sbin/policy-rc.d"
	if _, err := os.Stat(policy); os.IsNotExist(err) {
		if err := os.WriteFile(policy, []byte("#!/bin/sh\nexit 101\n"), 0o755); err != nil {
			return err
		}
		defer os.Remove(policy)
	}
	for _, args := range [][]string{{"update", "-q"}, {"install", "-y", "-q", "orthanc", "orthanc-dicomweb"}} {
		log("apt-get %s", strings.Join(args, " "))
		cmd := exec.CommandContext(ctx, "apt-get", args...)
		cmd.Env = append(os.Environ(), "DEBIAN_FRONTEND=noninteractive")
		if out, err := cmd.CombinedOutput(); err != nil {
			return fmt.Errorf("apt-get %s: %w\n%s", args[0], err, out)
		}
	}
	return nil
}

func (b *orthancBackend) Start(ctx context.Context, dir string) (*server, error) {
	port, err := freePort()
	if err != nil {
		return nil, err
	}
	dicomPort, err := freePort()
	if err != nil {
		return nil, err
	}
	// Settings left at their defaults are Orthanc's defaults: SQLite index
	// and files on local disk, like pacslite's. Orthanc has no bind
	// address: remote access is refused and only 127.0.0.1 is used.
	cfg := map[string]any{
		"Name":                  "pacslite-bench",
		"StorageDirectory":      filepath.Join(dir, "storage"),
		"IndexDirectory":        filepath.Join(dir, "index"),
		"HttpPort":              port,
		"DicomPort":             dicomPort,
		"DicomServerEnabled":    false,
		"RemoteAccessAllowed":   false,
		"AuthenticationEnabled": false,
		"Plugins":               []string{b.plugin},
		"DicomWeb": map[string]any{
			"Enable": true,
			"Root":   "/dicom-web/",
		},
	}
	js, _ := json.MarshalIndent(cfg, "", "  ")
	cfgPath := filepath.Join(dir, "orthanc.json")
	if err := os.WriteFile(cfgPath, js, 0o644); err != nil {
		return nil, err
	}
	root := "http://127.0.0.1:" + strconv.Itoa(port)
	s, err := startProcess(ctx, "Orthanc", root+"/dicom-web", root+"/system",
		filepath.Join(dir, "orthanc.log"), exec.Command(b.bin, cfgPath))
	if err != nil {
		return nil, err
	}
	if b.version == "" {
		b.version = orthancVersion(ctx, root)
	}
	return s, nil
}

// orthancVersion asks a running Orthanc for its and the plugin's versions.
func orthancVersion(ctx context.Context, root string) string {
	var sys struct{ Version string }
	var plugin struct{ Version string }
	getJSON(ctx, root+"/system", &sys)
	getJSON(ctx, root+"/plugins/dicom-web", &plugin)
	return fmt.Sprintf("Orthanc %s + DICOMweb %s", sys.Version, plugin.Version)
}

func getJSON(ctx context.Context, url string, v any) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	return json.NewDecoder(resp.Body).Decode(v)
}
