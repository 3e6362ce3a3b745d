// Command ohif-serve serves the OHIF viewer (viewers/ohif/dist, installed by
// viewers/ohif/install.sh) against a pacslite archive:
//
//	go run ./cmd/ohif-serve -dicomweb http://127.0.0.1:8042/dicomweb
//
// then open http://127.0.0.1:3000/. viewers/ohif/serve-ohif installs OHIF
// first when needed.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/pacslite/pacslite/viewers/ohif"
)

func main() {
	env := func(key, def string) string {
		if v := os.Getenv(key); v != "" {
			return v
		}
		return def
	}
	addr := flag.String("addr", env("OHIF_ADDR", "127.0.0.1:3000"), "listen address (OHIF_ADDR)")
	dist := flag.String("dist", "viewers/ohif/dist", "OHIF's dist/ folder")
	cfg := flag.String("app-config", "viewers/ohif/app-config.js", "OHIF configuration script")
	root := flag.String("dicomweb", env("PACSLITE_DICOMWEB_URL", "http://127.0.0.1:8042/dicomweb"), "the archive's DICOMweb root as the browser reaches it (PACSLITE_DICOMWEB_URL)")
	flag.Parse()
	// The token is never a flag: flags show in ps.
	token := os.Getenv("PACSLITE_TOKEN")
	if f := os.Getenv("PACSLITE_TOKEN_FILE"); f != "" {
		b, err := os.ReadFile(f)
		if err != nil {
			log.Fatalf("ohif-serve: %v", err)
		}
		token = strings.TrimSpace(string(b))
	}
	h, err := ohif.NewHandler(ohif.Options{Dist: *dist, AppConfig: *cfg, DICOMweb: *root, Token: token})
	if err != nil {
		log.Fatalf("ohif-serve: %v", err)
	}
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		log.Fatalf("ohif-serve: %v", err)
	}
	fmt.Printf("OHIF on http://%s/ against %s\n", ln.Addr(), *root)
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	go func() {
		<-ctx.Done()
		sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		srv.Shutdown(sctx)
	}()
	if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
		log.Fatalf("ohif-serve: %v", err)
	}
}
