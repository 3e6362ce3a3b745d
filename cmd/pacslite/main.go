// Command pacslite is the pacslite archive: `pacslite serve` runs the
// DICOMweb server, `pacslite import` sends files and folders to one,
// `pacslite fsck` checks a data folder's index against its blobs.
package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

const usage = `usage:
  pacslite serve [flags]        run the archive (pacslite serve -h for flags)
  pacslite import [flags] PATH  send DICOM files and folders to an archive over STOW-RS
  pacslite fsck [flags]         check (and --repair) a data folder's index and blob store
  pacslite token create|list|revoke  manage API tokens for /dicomweb (pacslite token -h)
`

func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return 2
	}
	switch args[0] {
	case "serve":
		return runServe(ctx, args[1:], stderr)
	case "import":
		return runImport(ctx, args[1:], stdout, stderr)
	case "fsck":
		return runFsck(ctx, args[1:], stdout, stderr)
	case "token":
		return runToken(ctx, args[1:], stdout, stderr)
	case "-h", "--help", "help":
		fmt.Fprint(stdout, usage)
		return 0
	}
	fmt.Fprintf(stderr, "pacslite: unknown command %q\n%s", args[0], usage)
	return 2
}
