package main

import (
	"context"
	"fmt"
	"net/url"
	"strings"
	"time"

	"hermanar/api"
	"hermanar/datasets"
)

func runTokens(ctx context.Context, e *env, args []string) error {
	if len(args) == 0 {
		return usageErrorf("usage: hermanar tokens create|list|revoke [flags]")
	}
	if isHelp(args) {
		return subcommandHelp(e, "usage: hermanar tokens SUBCOMMAND [flags]",
			"create --role admin|analyst|liaison|consulate [--municipality CVEGEO | --consulate ID] [--note TEXT]",
			"list             every token: id, role, scope, created, revoked",
			"revoke ID        revoke a token by the id shown by create or list")
	}
	switch args[0] {
	case "create":
		return runTokensCreate(ctx, e, args[1:])
	case "list":
		return runTokensList(e, args[1:])
	case "revoke":
		return runTokensRevoke(e, args[1:])
	}
	return usageErrorf("unknown tokens subcommand %q (create, list, revoke)", args[0])
}

// tokenStore opens the store alone (the server stopped); while a server
// runs it holds the store, and --server reaches it through the admin API.
func tokenStore(dir string) (*api.Tokens, datasets.Store, error) {
	st, err := datasets.OpenStore(dir, 2*time.Second)
	if err != nil {
		if strings.Contains(err.Error(), "locked by another") {
			err = fmt.Errorf("%w; while the server runs, use --server http://HOST:PORT with an admin token ($HERMANAR_TOKEN)", err)
		}
		return nil, nil, err
	}
	return api.NewTokens(st), st, nil
}

func runTokensCreate(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "tokens create")
	role := fs.String("role", "", "admin, analyst, liaison or consulate (required)")
	muni := fs.String("municipality", "", "CVEGEO of the liaison's municipality (role liaison)")
	consulate := fs.String("consulate", "", "consulate id (role consulate), e.g. milwaukee")
	note := fs.String("note", "", "who the token is for (shown by tokens list)")
	data := fs.String("data", defaultDataDir(), "data directory")
	format := fs.String("format", "table", "table, json or csv")
	server, token := serverFlags(fs)
	if err := parseNoArgs(fs, args); err != nil {
		return err
	}
	if err := validFormat(*format); err != nil {
		return err
	}
	if *role == "" {
		return usageErrorf("--role is required (admin, analyst, liaison or consulate)")
	}
	if *server != "" {
		ac, err := newAdminClient(*server, *token)
		if err != nil {
			return err
		}
		var ct api.CreatedToken
		if err := ac.call("POST", "/api/v1/admin/tokens", api.TokenRequest{Role: *role, Municipality: *muni, Consulate: *consulate, Note: *note}, &ct); err != nil {
			return err
		}
		return printCreated(e, *format, ct.Secret, ct.Token)
	}
	snap, err := datasets.DefaultSnapshot()
	if err != nil {
		return err
	}
	toks, st, err := tokenStore(*data)
	if err != nil {
		return err
	}
	defer st.Close()
	switch *role {
	case api.RoleLiaison:
		if datasets.ValidCVEGEO(*muni) {
			if _, ok := snap.Municipality(*muni); !ok {
				return usageErrorf("no municipality %s", *muni)
			}
		}
	case api.RoleConsulate:
		d, err := datasets.LoadData(st, snap)
		if err != nil {
			return err
		}
		if *consulate != "" {
			if _, ok := d.Consulate(*consulate); !ok {
				return usageErrorf("no consulate %q (see hermanar datasets stats)", *consulate)
			}
		}
	}
	secret, tok, err := toks.Create(*role, *muni, *consulate, *note)
	if err != nil {
		if de, ok := err.(*datasets.Error); ok && de.Code == datasets.EInvalid {
			for f, m := range de.Fields {
				return usageErrorf("--%s: %s", f, m)
			}
		}
		return err
	}
	return printCreated(e, *format, secret, tok)
}

func printCreated(e *env, format, secret string, tok api.Token) error {
	t := &table{header: []string{"token", "id", "role", "scope"}}
	t.add(secret, tok.ID, tok.Role, tok.Municipality+tok.Consulate)
	if format == "table" {
		fmt.Fprintf(e.stdout, "token: %s\nid:    %s\nrole:  %s\n", secret, tok.ID, tok.Scope())
		fmt.Fprintln(e.stderr, "The token is shown once; only its hash is stored. Revoke with: hermanar tokens revoke", tok.ID)
		return nil
	}
	return emit(e.stdout, format, createdToken{Token: secret, ID: tok.ID, Role: tok.Role,
		Municipality: tok.Municipality, Consulate: tok.Consulate}, t)
}

// createdToken is the JSON of tokens create: the secret, shown once, and
// the id to revoke it by.
type createdToken struct {
	Token        string `json:"token"`
	ID           string `json:"id"`
	Role         string `json:"role"`
	Municipality string `json:"municipality,omitempty"`
	Consulate    string `json:"consulate,omitempty"`
}

func runTokensList(e *env, args []string) error {
	fs := newFlags(e, "tokens list")
	data := fs.String("data", defaultDataDir(), "data directory")
	format := fs.String("format", "table", "table, json or csv")
	server, token := serverFlags(fs)
	if err := parseNoArgs(fs, args); err != nil {
		return err
	}
	if err := validFormat(*format); err != nil {
		return err
	}
	var list []api.Token
	if *server != "" {
		ac, err := newAdminClient(*server, *token)
		if err != nil {
			return err
		}
		var tl api.TokenList
		if err := ac.call("GET", "/api/v1/admin/tokens", nil, &tl); err != nil {
			return err
		}
		list = tl.Tokens
	} else {
		toks, st, err := tokenStore(*data)
		if err != nil {
			return err
		}
		defer st.Close()
		if list, err = toks.List(); err != nil {
			return err
		}
	}
	t := &table{header: []string{"id", "role", "scope", "created", "revoked", "note"}}
	for _, k := range list {
		rev := ""
		if k.RevokedAt != nil {
			rev = k.RevokedAt.Format(time.RFC3339)
		}
		t.add(k.ID, k.Role, k.Municipality+k.Consulate, k.CreatedAt.Format(time.RFC3339), rev, k.Note)
	}
	if list == nil {
		list = []api.Token{}
	}
	return emit(e.stdout, *format, map[string]any{"tokens": list}, t)
}

func runTokensRevoke(e *env, args []string) error {
	fs := newFlags(e, "tokens revoke")
	data := fs.String("data", defaultDataDir(), "data directory")
	server, token := serverFlags(fs)
	pos, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return usageErrorf("usage: hermanar tokens revoke ID (the id shown by tokens create or list)")
	}
	if *server != "" {
		ac, err := newAdminClient(*server, *token)
		if err != nil {
			return err
		}
		var tok api.Token
		if err := ac.call("DELETE", "/api/v1/admin/tokens/"+url.PathEscape(pos[0]), nil, &tok); err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "revoked %s (%s)\n", tok.ID, tok.Scope())
		return nil
	}
	toks, st, err := tokenStore(*data)
	if err != nil {
		return err
	}
	defer st.Close()
	tok, err := toks.Revoke(pos[0])
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "revoked %s (%s)\n", tok.ID, tok.Scope())
	return nil
}
