package main

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"os"
	"slices"
	"strconv"
	"strings"
	"time"

	"hermanar/datasets"
)

// The shortlist and process commands work on the store directly, with the
// server stopped (it holds the store while it runs; use the API then).

func workflowStore(dir string) (datasets.Store, error) {
	st, err := datasets.OpenStore(dir, 2*time.Second)
	if err != nil && strings.Contains(err.Error(), "locked by another") {
		err = fmt.Errorf("%w; while the server runs, use the API (/api/v1/municipalities/{cvegeo}/shortlist, /processes)", err)
	}
	return st, err
}

// cliIssues words a refused write's field errors for the terminal, in
// lang, one flag per field in flag order; other errors pass through.
func cliIssues(err error, lang string) error {
	var de *datasets.Error
	if !errors.As(err, &de) || len(de.Fields) == 0 {
		return err
	}
	fields := slices.Sorted(maps.Keys(de.Fields))
	parts := make([]string, len(fields))
	for i, f := range fields {
		parts[i] = "--" + strings.SplitN(f, "[", 2)[0] + ": " + de.Fields[f].In(lang)
	}
	if lang == "en" {
		return fmt.Errorf("nothing was stored: %s", strings.Join(parts, "; "))
	}
	return fmt.Errorf("no se guardó nada: %s", strings.Join(parts, "; "))
}

type muniPlaceFlags struct {
	muni  *string
	place *int64
	data  *string
}

func (f muniPlaceFlags) check(needPlace bool) error {
	if !datasets.ValidCVEGEO(*f.muni) {
		return usageErrorf("--municipality must be a 5-digit CVEGEO such as 11008, got %q", *f.muni)
	}
	if needPlace && *f.place <= 0 {
		return usageErrorf("--place is required: the GeoNames id of the foreign city, e.g. 5278931")
	}
	return nil
}

func runShortlist(_ context.Context, e *env, args []string) error {
	if isHelp(args) {
		return subcommandHelp(e, "usage: hermanar shortlist SUBCOMMAND --municipality CVEGEO [flags]",
			"list             the kept cities: id, name, areas, note, who added them",
			"add              --place ID [--note TEXT] [--areas b,c,e]: keep a city (or replace its note and areas)",
			"remove           --place ID: drop a city")
	}
	if len(args) == 0 {
		return usageErrorf("usage: hermanar shortlist list|add|remove --municipality CVEGEO [--place ID --note TEXT --areas b,c,e]")
	}
	sub := args[0]
	fs := newFlags(e, "shortlist "+sub)
	f := muniPlaceFlags{fs.String("municipality", "", "CVEGEO, e.g. 11008"), fs.Int64("place", 0, "GeoNames id of the foreign city"), fs.String("data", defaultDataDir(), "data directory")}
	note := fs.String("note", "", "why the city is kept (add)")
	areas := fs.String("areas", "", "areas a–h to propose, comma-separated (add)")
	format := fs.String("format", "table", "table, json or csv (list)")
	if err := parseNoArgs(fs, args[1:]); err != nil {
		return err
	}
	if err := f.check(sub != "list"); err != nil {
		return err
	}
	if err := validFormat(*format); err != nil {
		return err
	}
	snap, err := datasets.DefaultSnapshot()
	if err != nil {
		return err
	}
	if _, ok := snap.Municipality(*f.muni); !ok {
		return datasets.Errf(datasets.ENotFound, "no existe el municipio %s", "no municipality %s", *f.muni)
	}
	st, err := workflowStore(*f.data)
	if err != nil {
		return err
	}
	defer st.Close()
	switch sub {
	case "add":
		req := datasets.ShortlistAdd{Place: *f.place, Note: *note}
		for _, a := range strings.Split(*areas, ",") {
			if a = strings.TrimSpace(a); a != "" {
				req.Areas = append(req.Areas, a)
			}
		}
		isCand := func(id int64) bool { p, ok := snap.Place(id); return ok && p.Country != "MX" && p.Country != "" }
		if err := req.Validate(isCand); err != nil {
			return cliIssues(err, "en")
		}
		if _, _, err := datasets.AddToShortlist(st, *f.muni, req, cliAuthor(), time.Now()); err != nil {
			return cliIssues(err, "en")
		}
	case "remove":
		if _, err := datasets.RemoveFromShortlist(st, *f.muni, *f.place, time.Now()); err != nil {
			return err
		}
	case "list":
	default:
		return usageErrorf("unknown shortlist subcommand %q (list, add, remove)", sub)
	}
	sl, err := datasets.LoadShortlist(st, *f.muni)
	if err != nil {
		return err
	}
	t := &table{header: []string{"place_id", "place", "admin1", "country", "areas", "note", "added_at", "added_by"}}
	for _, en := range sl.Entries {
		name, admin1, country := "", "", ""
		if p, ok := snap.Place(en.Place); ok {
			name, admin1, country = p.Name, snap.Admin1Name(p), p.Country
		}
		t.add(en.Place, name, admin1, country, strings.Join(en.Areas, ","), en.Note, en.AddedAt.Format(time.RFC3339), en.AddedBy)
	}
	return emit(e.stdout, *format, sl, t)
}

func runProcess(_ context.Context, e *env, args []string) error {
	if isHelp(args) {
		return subcommandHelp(e, "usage: hermanar process SUBCOMMAND [flags]",
			"list             [--municipality CVEGEO] [--state 11]: processes, overdue first",
			"open             --municipality CVEGEO --place ID",
			"event            --municipality CVEGEO --place ID --kind signed --date 2026-01-15 [--note TEXT]",
			"show             --municipality CVEGEO --place ID: steps and deadlines",
			"ics              --municipality CVEGEO [--place ID] --out FILE: deadlines as iCalendar",
			"term             --state 11 --ends 2027-10-09: end of the state's municipal administration")
	}
	if len(args) == 0 {
		return usageErrorf("usage: hermanar process list|open|event|show|ics|term [flags]\n" +
			"  list  [--municipality CVEGEO] [--state 11]          processes, overdue first\n" +
			"  open  --municipality CVEGEO --place ID\n" +
			"  event --municipality CVEGEO --place ID --kind signed --date 2026-01-15 [--note TEXT]\n" +
			"  show  --municipality CVEGEO --place ID              steps, deadlines, history\n" +
			"  ics   --municipality CVEGEO [--place ID] --out FILE  deadlines as iCalendar\n" +
			"  term  --state 11 --ends 2027-10-09                   end of the state's municipal administration")
	}
	sub := args[0]
	fs := newFlags(e, "process "+sub)
	f := muniPlaceFlags{fs.String("municipality", "", "CVEGEO, e.g. 11008"), fs.Int64("place", 0, "GeoNames id of the foreign city"), fs.String("data", defaultDataDir(), "data directory")}
	kind := fs.String("kind", "", "step: "+strings.Join(datasets.EventCodes(), ", "))
	date := fs.String("date", "", "date of the step, YYYY-MM-DD")
	note := fs.String("note", "", "note on the step")
	state := fs.String("state", "", "two-digit INEGI state code")
	ends := fs.String("ends", "", "end of the current municipal administration, YYYY-MM-DD (term)")
	out := fs.String("out", "", "file to write (ics)")
	lang := fs.String("lang", "es", "language of labels: es or en")
	format := fs.String("format", "table", "table, json or csv")
	if err := parseNoArgs(fs, args[1:]); err != nil {
		return err
	}
	if err := validFormat(*format); err != nil {
		return err
	}
	if *lang != "es" && *lang != "en" {
		return usageErrorf("--lang must be es or en")
	}
	switch sub {
	case "term":
		if err := datasets.CheckAdminTerm(*state, *ends); err != nil {
			return cliIssues(err, *lang)
		}
	case "list":
		if *f.muni != "" {
			if err := f.check(false); err != nil {
				return err
			}
		}
	case "ics":
		if err := f.check(false); err != nil {
			return err
		}
		if *out == "" {
			return usageErrorf("--out FILE is required")
		}
	case "open", "event", "show":
		if err := f.check(true); err != nil {
			return err
		}
	default:
		return usageErrorf("unknown process subcommand %q (list, open, event, show, ics, term)", sub)
	}
	snap, err := datasets.DefaultSnapshot()
	if err != nil {
		return err
	}
	st, err := workflowStore(*f.data)
	if err != nil {
		return err
	}
	defer st.Close()
	now := time.Now()
	today := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, time.UTC)
	if sub == "term" {
		if err := datasets.PutAdminTerm(st, datasets.AdminTerm{State: *state, Ends: *ends, SetBy: cliAuthor(), SetAt: now.UTC().Truncate(time.Second)}); err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "state %s: municipal administration ends %s (then every three years)\n", *state, *ends)
		return nil
	}
	if *f.muni != "" {
		if _, ok := snap.Municipality(*f.muni); !ok {
			return datasets.Errf(datasets.ENotFound, "no existe el municipio %s", "no municipality %s", *f.muni)
		}
	}
	terms, err := datasets.AdminTerms(st)
	if err != nil {
		return err
	}
	termOf := func(cve string) *datasets.AdminTerm {
		if t, ok := terms[cve[:2]]; ok {
			return &t
		}
		return nil
	}
	switch sub {
	case "open":
		p, ok := snap.Place(*f.place)
		if !ok || p.Country == "MX" || p.Country == "" {
			return fmt.Errorf("nothing was stored: --place: place %d is not a foreign city of the snapshot", *f.place)
		}
		if _, err := datasets.UpdateProcess(st, *f.muni, *f.place, func(p *datasets.Process, found bool) error {
			if !found {
				*p = datasets.NewProcess(*f.muni, *f.place, cliAuthor(), now)
			}
			return nil
		}); err != nil {
			return err
		}
		sub = "show"
	case "event":
		if _, err := datasets.UpdateProcess(st, *f.muni, *f.place, func(p *datasets.Process, found bool) error {
			if !found {
				return fmt.Errorf("%s has no process with place %d; run process open first", *f.muni, *f.place)
			}
			req := datasets.EventRequest{Kind: *kind, Date: *date, Note: *note}
			if err := p.CheckEvent(&req, today); err != nil {
				return err
			}
			p.AddEvent(req, cliAuthor(), now)
			return nil
		}); err != nil {
			return cliIssues(err, *lang)
		}
		sub = "show"
	}
	switch sub {
	case "show":
		p, ok, err := datasets.LoadProcess(st, *f.muni, *f.place)
		if err != nil {
			return err
		}
		if !ok {
			return datasets.Errf(datasets.ENotFound, "%s no tiene proceso con el lugar %d", "%s has no process with place %d", *f.muni, *f.place)
		}
		ds := p.Deadlines(termOf(*f.muni), today)
		if *format == "json" {
			return emit(e.stdout, "json", map[string]any{"process": p, "stage": p.Stage(today), "deadlines": ds}, nil)
		}
		fmt.Fprintf(e.stdout, "%s – %d: %s\n\n", *f.muni, *f.place, datasets.StageLabel(p.Stage(today), *lang))
		t := &table{header: []string{"id", "date", "step", "recorded_by"}}
		for _, ev := range p.Events {
			k, _ := datasets.EventKindOf(ev.Kind)
			t.add(ev.ID, ev.Date, k.Label.In(*lang), ev.RecordedBy)
		}
		if err := emit(e.stdout, *format, nil, t); err != nil {
			return err
		}
		fmt.Fprintln(e.stdout)
		dt := &table{header: []string{"due", "deadline", "status"}}
		for _, d := range ds {
			dt.add(d.Due, d.Label.In(*lang), d.Status)
		}
		return emit(e.stdout, *format, nil, dt)
	case "ics":
		ps, err := datasets.ListProcesses(st, func(c string) bool { return c == *f.muni })
		if err != nil {
			return err
		}
		var items []datasets.CalendarItem
		for _, p := range ps {
			if *f.place != 0 && p.Place != *f.place {
				continue
			}
			name := strconv.FormatInt(p.Place, 10)
			if pl, ok := snap.Place(p.Place); ok {
				name = pl.Name
			}
			for _, d := range p.Deadlines(termOf(p.Municipality), today) {
				items = append(items, datasets.CalendarItem{UID: fmt.Sprintf("%s-%s-%d@hermanar", d.UID(), p.Municipality, p.Place),
					Date: d.Due, Summary: d.Label.In(*lang) + " — " + name})
			}
		}
		return datasets.WriteFileSync(*out, 0o600, func(w *os.File) error { return datasets.WriteICS(w, "Hermanar "+*f.muni, items, now) })
	}
	// list
	ps, err := datasets.ListProcesses(st, func(c string) bool {
		return (*f.muni == "" || c == *f.muni) && (*state == "" || strings.HasPrefix(c, *state))
	})
	if err != nil {
		return err
	}
	var rows []datasets.ProcessRow
	for _, p := range ps {
		r := datasets.ProcessRow{Municipality: p.Municipality, PlaceID: p.Place, Stage: p.Stage(today), Events: len(p.Events), OpenedAt: p.OpenedAt.Format(time.RFC3339)}
		r.StageLabel = datasets.StageLabel(r.Stage, *lang)
		if m, ok := snap.Municipality(p.Municipality); ok {
			r.MunicipalityName, r.State, r.StateName = m.Name, m.State, m.StateName
		}
		if pl, ok := snap.Place(p.Place); ok {
			r.Place, r.Admin1, r.Country = pl.Name, snap.Admin1Name(pl), pl.Country
		}
		for _, d := range p.Deadlines(termOf(p.Municipality), today) {
			if d.Status == datasets.DeadlineOverdue {
				r.Overdue++
			}
			if r.NextDue == "" && (d.Status == datasets.DeadlineOverdue || d.Status == datasets.DeadlinePending) {
				r.NextKind, r.NextLabel, r.NextDue = d.UID(), d.Label.In(*lang), d.Due
			}
		}
		if ev, ok := p.Event("signed"); ok {
			r.Signed = ev.Date
		}
		rows = append(rows, r)
	}
	datasets.SortProcessRows(rows)
	t := &table{header: []string{"municipality", "municipality_name", "place_id", "place", "country", "stage", "overdue", "next_due", "next_deadline", "signed"}}
	for _, r := range rows {
		t.add(r.Municipality, r.MunicipalityName, r.PlaceID, r.Place, r.Country, r.StageLabel, r.Overdue, r.NextDue, r.NextLabel, r.Signed)
	}
	return emit(e.stdout, *format, rows, t)
}
