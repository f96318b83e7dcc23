package datasets

import (
	"fmt"
	"sort"
	"time"
)

var banxicoUSStatesImporter = Importer{
	Kind:        KindBanxicoUSStates,
	Table:       KindBanxicoUSStates,
	Description: "Banco de México remittances to Mexico by US state of origin, quarterly (remesas_usa_state.csv); stored as yearly totals",
	DefaultFile: "banxico/remesas_usa_state.csv",
	Source:      "Banco de México, SIE: ingresos por remesas por estado de origen en EE. UU. (USD, nominal); via lapanquecita/remesas",
	Licence:     "Banco de México public data; compilation MIT (Copyright 2023 Montse)",
	Columns:     []string{"PERIODO", "ID_ESTADO", "ESTADO", "VALOR_USD"},
	parse:       parseBanxicoUSStates,
}

func parseBanxicoUSStates(s *importSession, t *csvTable) (*parsed, error) {
	type key struct {
		state string
		year  int
	}
	totals := map[key]*USStateRemittance{}
	seen := map[string]int{}
	for _, row := range t.rows {
		r := t.reader(row)
		period := r.req("PERIODO")
		st := r.req("ID_ESTADO")
		name := r.req("ESTADO")
		v := r.float("VALOR_USD")
		var d time.Time
		if r.err == nil {
			var err error
			d, err = time.Parse("2006-01-02", period)
			if err != nil || d.Day() != 1 || (d.Month()-1)%3 != 0 {
				r.fail("columna PERIODO: %q no es el primer día de un trimestre (AAAA-01-01, -04-01, -07-01, -10-01)", "column PERIODO: %q is not the first day of a quarter (YYYY-01-01, -04-01, -07-01, -10-01)", period)
			}
		}
		if r.err == nil && (len(st) != 2 || !isASCIIUpper(st)) {
			r.fail("columna ID_ESTADO: %q no es una clave de estado de dos letras", "column ID_ESTADO: %q is not a two-letter state code", st)
		}
		if r.err == nil && v < 0 {
			r.fail("monto negativo %v", "negative amount %v", v)
		}
		if prev, dup := seen[st+period]; dup && r.err == nil {
			r.fail("%s %s ya está en la línea %d", "%s %s already on line %d", st, period, prev)
		}
		if r.err != nil {
			return nil, r.err
		}
		seen[st+period] = row.line
		k := key{st, d.Year()}
		tot := totals[k]
		if tot == nil {
			tot = &USStateRemittance{State: st, Name: name, Year: d.Year()}
			totals[k] = tot
		}
		tot.MillionUSD += v / 1e6
		tot.Quarters++
	}
	out := make([]USStateRemittance, 0, len(totals))
	states := map[string]bool{}
	for _, v := range totals {
		out = append(out, *v)
		states[v.State] = true
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].State != out[j].State {
			return out[i].State < out[j].State
		}
		return out[i].Year < out[j].Year
	})
	p := &parsed{}
	p.rows, p.save = tableOf(out)
	p.notes = append(p.notes, fmt.Sprintf("%d states × years from %d quarterly rows, %d states", len(out), len(t.rows), len(states)))
	return p, nil
}
