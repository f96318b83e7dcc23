package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"time"

	"hermanar/api"
	"hermanar/datasets"
)

// runDossier writes dossier.docx and dossier.pdf for one (municipality,
// foreign city), or manages the official agreement template.
func runDossier(ctx context.Context, e *env, args []string) error {
	if len(args) > 0 && args[0] == "template" {
		return runDossierTemplate(ctx, e, args[1:])
	}
	fs := newFlags(e, "dossier")
	muni := fs.String("municipality", "", "CVEGEO of the municipality, e.g. 11008 (required)")
	place := fs.Int64("place", 0, "GeoNames id of the foreign city, e.g. 5278931 (required)")
	lang := fs.String("lang", "es", "language of the documents: es or en")
	out := fs.String("out", "", "directory to write dossier.docx and dossier.pdf into (required)")
	data := fs.String("data", defaultDataDir(), "data directory")
	if _, err := parseFlags(fs, args); err != nil {
		return err
	}
	switch {
	case !datasets.ValidCVEGEO(*muni):
		return usageErrorf("--municipality must be a 5-digit CVEGEO such as 11008, got %q", *muni)
	case *place <= 0:
		return usageErrorf("--place is required: the GeoNames id of the foreign city, e.g. 5278931")
	case *lang != "es" && *lang != "en":
		return usageErrorf("--lang must be es or en")
	case *out == "":
		return usageErrorf("--out is required: the directory for dossier.docx and dossier.pdf")
	}
	_, statErr := os.Stat(filepath.Join(*data, "index", "places.bleve"))
	a, err := openApp(ctx, appOptions{dataDir: *data, withIndex: statErr == nil, progress: e.stderr})
	if err != nil {
		return err
	}
	defer a.Close()
	now := time.Now()
	d, err := api.BuildDossier(ctx, api.DossierInput{Engine: a.engine, Store: a.store, Municipality: *muni, Place: *place, Lang: *lang, Now: now})
	if err != nil {
		return fmt.Errorf("%s", api.ErrorText(err, "en"))
	}
	if err := os.MkdirAll(*out, 0o755); err != nil {
		return err
	}
	for _, f := range []struct {
		name  string
		write func(*os.File) error
	}{
		{"dossier.docx", func(w *os.File) error { return api.WriteDOCX(w, d, now) }},
		{"dossier.pdf", func(w *os.File) error { return api.WritePDF(w, d, now) }},
	} {
		path := filepath.Join(*out, f.name)
		if err := datasets.WriteFileSync(path, 0o600, f.write); err != nil {
			return fmt.Errorf("write %s: %w", path, err)
		}
		fmt.Fprintln(e.stdout, path)
	}
	return nil
}

// runDossierTemplate: `dossier template set --lang es FILE` stores an
// official agreement template; `dossier template remove --lang es` goes
// back to the built-in draft.
func runDossierTemplate(_ context.Context, e *env, args []string) error {
	if len(args) == 0 || (args[0] != "set" && args[0] != "remove") {
		return usageErrorf("usage: hermanar dossier template set --lang es|en FILE | remove --lang es|en")
	}
	sub := args[0]
	fs := newFlags(e, "dossier template "+sub)
	lang := fs.String("lang", "es", "language of the template: es or en")
	data := fs.String("data", defaultDataDir(), "data directory")
	pos, err := parseFlags(fs, args[1:])
	if err != nil {
		return err
	}
	if *lang != "es" && *lang != "en" {
		return usageErrorf("--lang must be es or en")
	}
	st, err := datasets.OpenStore(*data, 2*time.Second)
	if err != nil {
		return err
	}
	defer st.Close()
	if sub == "remove" {
		if err := st.Delete(api.BucketTemplates, "agreement_"+*lang); err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "official %s template removed; dossiers use the built-in draft\n", *lang)
		return nil
	}
	if len(pos) != 1 {
		return usageErrorf("give the DOCX file: hermanar dossier template set --lang %s FILE", *lang)
	}
	fi, err := os.Stat(pos[0])
	if err != nil {
		return err
	}
	if fi.Size() > 32<<20 {
		return fmt.Errorf("%s: %d bytes, more than 32 MiB", pos[0], fi.Size())
	}
	raw, err := os.ReadFile(pos[0])
	if err != nil {
		return err
	}
	t, err := api.ParseAgreementTemplate(raw, *lang)
	if err != nil {
		return fmt.Errorf("%s: %s", pos[0], api.ErrorText(err, "en"))
	}
	t.UploadedAt, t.UploadedBy = time.Now().UTC().Truncate(time.Second), cliAuthor()
	if err := api.SaveAgreementTemplate(st, t); err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "official %s template stored: %d paragraphs, placeholders %v, sha256 %s\n", *lang, len(t.Paragraphs), t.Placeholders, t.SHA256[:12])
	return nil
}

// cliAuthor signs what the command line writes.
func cliAuthor() string {
	u := os.Getenv("USER")
	if u == "" {
		u = strconv.Itoa(os.Getuid())
	}
	return "cli " + u
}
