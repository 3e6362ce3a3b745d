package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"text/tabwriter"

	"github.com/pacslite/pacslite/portal"
	"github.com/pacslite/pacslite/portal/store"
)

const tokenUsage = `usage:
  pacslite token create --name NAME --scope dicomweb:read[,dicomweb:write,dicomweb:delete]
  pacslite token list
  pacslite token revoke --name NAME

Manages the API tokens that PACS, viewers and scripts use on /dicomweb
(Authorization: Bearer TOKEN, or HTTP Basic with NAME and TOKEN). create
prints the new token once on standard output; only its hash is kept.
Works on the data folder of a running server too.

flags:
`

// runToken is `pacslite token`.
func runToken(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	return runTokenEnv(ctx, args, os.Getenv, stdout, stderr)
}

func runTokenEnv(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) int {
	if len(args) == 0 || (args[0] != "create" && args[0] != "list" && args[0] != "revoke") {
		fmt.Fprint(stderr, tokenUsage)
		if len(args) > 0 && (args[0] == "-h" || args[0] == "--help" || args[0] == "help") {
			return 0
		}
		return 2
	}
	cmd := args[0]
	fs := flag.NewFlagSet("token "+cmd, flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprint(fs.Output(), tokenUsage)
		fs.PrintDefaults()
	}
	dataDef := getenv("PACSLITE_DATA")
	if dataDef == "" {
		dataDef = "./pacslite-data"
	}
	data := fs.String("data", dataDef, "data folder of the archive (PACSLITE_DATA)")
	name := fs.String("name", "", "the client's name, e.g. hospital-pacs (also the Basic user name)")
	scope := fs.String("scope", portal.ScopeRead, "comma-separated scopes: "+strings.Join(portal.Scopes, ", "))
	if err := fs.Parse(args[1:]); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "pacslite token: unexpected arguments %q\n", fs.Args())
		return 2
	}
	if cmd != "list" && *name == "" {
		fmt.Fprintf(stderr, "pacslite token %s: --name is required\n", cmd)
		return 2
	}
	var scopes []string
	if cmd == "create" {
		var err error
		if scopes, err = portal.ParseScopes(*scope); err != nil {
			fmt.Fprintf(stderr, "pacslite token create: %v\n", err)
			return 2
		}
	}
	if err := os.MkdirAll(*data, 0o750); err != nil {
		fmt.Fprintf(stderr, "pacslite token: data folder: %v\n", err)
		return 1
	}
	db, err := store.Open(ctx, filepath.Join(*data, "portal.db"))
	if err != nil {
		fmt.Fprintf(stderr, "pacslite token: %v\n", err)
		return 1
	}
	defer db.Close()
	switch cmd {
	case "create":
		token, c, err := portal.CreateAPIClient(ctx, db, *name, scopes, "cli")
		if errors.Is(err, store.ErrConflict) {
			fmt.Fprintf(stderr, "pacslite token create: a token named %q exists; revoke it or choose another name\n", *name)
			return 1
		}
		if err != nil {
			fmt.Fprintf(stderr, "pacslite token create: %v\n", err)
			return 1
		}
		fmt.Fprintf(stderr, "created token %q with scopes %s; it is shown only now:\n", c.Name, strings.Join(c.Scopes, ","))
		fmt.Fprintln(stdout, token)
	case "list":
		clients, err := db.Clients(ctx)
		if err != nil {
			fmt.Fprintf(stderr, "pacslite token list: %v\n", err)
			return 1
		}
		tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "NAME\tSCOPES\tCREATED\tLAST USED\tSTATE")
		for _, c := range clients {
			used, state := "never", "valid"
			if !c.LastUsedAt.IsZero() {
				used = c.LastUsedAt.Format("2006-01-02 15:04")
			}
			if !c.RevokedAt.IsZero() {
				state = "revoked " + c.RevokedAt.Format("2006-01-02")
			}
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", c.Name, strings.Join(c.Scopes, ","), c.CreatedAt.Format("2006-01-02"), used, state)
		}
		tw.Flush()
	case "revoke":
		clients, err := db.Clients(ctx)
		if err != nil {
			fmt.Fprintf(stderr, "pacslite token revoke: %v\n", err)
			return 1
		}
		for _, c := range clients {
			if strings.EqualFold(c.Name, *name) && c.RevokedAt.IsZero() {
				if err := db.RevokeClient(ctx, c.ID); err != nil {
					fmt.Fprintf(stderr, "pacslite token revoke: %v\n", err)
					return 1
				}
				db.Record(ctx, store.Event{Actor: "cli", Role: "admin", Action: "token.revoke", Detail: fmt.Sprintf("client:%d", c.ID)})
				fmt.Fprintf(stderr, "revoked token %q\n", c.Name)
				return 0
			}
		}
		fmt.Fprintf(stderr, "pacslite token revoke: no valid token named %q\n", *name)
		return 1
	}
	return 0
}
