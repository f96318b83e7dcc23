package datasets

import (
	"fmt"
	"time"
)

var conaguaImporter = Importer{
	Kind:        KindCONAGUA,
	Table:       KindCONAGUA,
	Description: "CONAGUA/SMN Drought Monitor: longest drought spell per municipality and category (max_rachas_sequia_municipios.csv)",
	DefaultFile: "conagua/max_rachas_sequia_municipios.csv",
	Source:      "CONAGUA/SMN, Monitor de Sequía de México; via isaacarroyov/datos_facil_acceso",
	Licence:     "Mexican government open data (CONAGUA); attribution required",
	Columns:     []string{"cve_geo", "nombre_municipio", "sequia", "full_date_start_racha", "full_date_end_racha", "racha_dias"},
	parse:       parseCONAGUA,
}

var droughtCategories = map[string]bool{"Sin sequia": true, "D0": true, "D1": true, "D2": true, "D3": true, "D4": true}

func parseCONAGUA(s *importSession, t *csvTable) (*parsed, error) {
	snap, err := s.snapshot()
	if err != nil {
		return nil, err
	}
	var out []Drought
	seen := map[string]int{}
	unknown := map[string]bool{}
	p := &parsed{}
	for _, row := range t.rows {
		r := t.reader(row)
		d := Drought{CVEGEO: r.code("cve_geo", 5, true), Category: r.req("sequia"), Start: r.req("full_date_start_racha"),
			End: r.req("full_date_end_racha"), Days: int(r.int("racha_dias")), Basin: r.str("org_cuenca")}
		if r.err == nil && !droughtCategories[d.Category] {
			r.fail("columna sequia: categoría desconocida %q (se espera Sin sequia, D0–D4)", "column sequia: unknown category %q (want Sin sequia, D0–D4)", d.Category)
		}
		var start, end time.Time
		if r.err == nil {
			var e1, e2 error
			start, e1 = time.Parse("2006-01-02", d.Start)
			end, e2 = time.Parse("2006-01-02", d.End)
			if e1 != nil || e2 != nil {
				r.fail("las fechas %q, %q no son AAAA-MM-DD", "dates %q, %q are not YYYY-MM-DD", d.Start, d.End)
			} else if end.Before(start) {
				r.fail("el periodo termina (%s) antes de empezar (%s)", "the spell ends (%s) before it starts (%s)", d.End, d.Start)
			}
		}
		if r.err == nil && d.Days < 0 {
			r.fail("duración negativa %d", "negative spell length %d", d.Days)
		}
		if r.err == nil && !ValidCVEGEO(d.CVEGEO) {
			r.fail("%s no es un CVEGEO municipal", "%s is not a municipal CVEGEO", d.CVEGEO)
		}
		k := d.CVEGEO + "|" + d.Category
		if prev, dup := seen[k]; dup && r.err == nil {
			r.fail("%s %s ya está en la línea %d", "%s %s already on line %d", d.CVEGEO, d.Category, prev)
		}
		if r.err != nil {
			return nil, r.err
		}
		seen[k] = row.line
		if _, ok := snap.Municipality(d.CVEGEO); !ok && !unknown[d.CVEGEO] {
			unknown[d.CVEGEO] = true
			p.report = append(p.report, ReportEntry{Line: row.line, Input: d.CVEGEO + " " + r.str("nombre_municipio"), Reason: "unknown municipality"})
		}
		out = append(out, d)
	}
	p.rows, p.save = tableOf(out)
	p.notes = append(p.notes, fmt.Sprintf("%d spells; %d municipalities not in the snapshot", len(out), len(unknown)))
	return p, nil
}
