package datasets

import (
	"fmt"
	"strconv"
	"strings"
)

var conapoImporter = Importer{
	Kind:        KindCONAPO,
	Table:       KindCONAPO,
	Description: "CONAPO index of migration intensity Mexico–United States 2010, by municipality (IIM2010_BASEMUN.csv)",
	DefaultFile: "conapo/IIM2010_BASEMUN.csv",
	Source:      "CONAPO, Índice de Intensidad Migratoria México-Estados Unidos 2010 (IIM2010_BASEMUN); via luismanuel2/dataframe_covid",
	Licence:     "Mexican government open data (CONAPO); attribution required",
	Columns:     []string{"ENT", "MUN", "NOM_MUN", "TOT_VIV", "VIV_REM", "VIV_EMIG", "VIV_CIRC", "VIV_RET", "IIM_2010", "IIM0a100", "GIM_2010"},
	parse:       parseCONAPO,
}

func parseCONAPO(s *importSession, t *csvTable) (*parsed, error) {
	snap, err := s.snapshot()
	if err != nil {
		return nil, err
	}
	var out []MigrationIntensity
	seen := map[string]int{}
	p := &parsed{}
	for _, row := range t.rows {
		r := t.reader(row)
		// CONAPO writes the codes as integers: 1 and 1 are 01001.
		cve := r.code("ENT", 2, true) + r.code("MUN", 3, true)
		m := MigrationIntensity{CVEGEO: cve, Name: r.req("NOM_MUN"), Households: r.int("TOT_VIV"),
			RemittancePct: r.float("VIV_REM"), EmigrantPct: r.float("VIV_EMIG"), CircularPct: r.float("VIV_CIRC"),
			ReturnPct: r.float("VIV_RET"), Index: r.float("IIM_2010"), Index0to100: r.float("IIM0a100")}
		grade := r.req("GIM_2010")
		if lvl, name, ok := strings.Cut(grade, " "); ok {
			n, err := strconv.Atoi(lvl)
			if err != nil || n < 0 || n > 5 {
				r.fail("columna GIM_2010: %q no empieza con un grado 0–5", "column GIM_2010: %q does not start with a grade 0–5", grade)
			}
			m.GradeLevel, m.Grade = n, strings.TrimSpace(name)
		} else if grade != "" {
			r.fail("columna GIM_2010: %q no tiene la forma \"5 Muy Alto\"", "column GIM_2010: %q is not like \"5 Muy Alto\"", grade)
		}
		if n, ok := r.optInt("LUG_EDO"); ok {
			m.StateRank = int(n)
		}
		if n, ok := r.optInt("LUG_NAL"); ok {
			m.NationalRank = int(n)
		}
		for _, v := range []float64{m.RemittancePct, m.EmigrantPct, m.CircularPct, m.ReturnPct} {
			if v < 0 || v > 100 {
				r.fail("porcentaje %v fuera de 0–100", "percentage %v out of 0–100", v)
			}
		}
		if r.err == nil && !ValidCVEGEO(cve) {
			r.fail("ENT/MUN dan %s, que no es un CVEGEO municipal", "ENT/MUN give %s, not a municipal CVEGEO", cve)
		}
		if prev, dup := seen[cve]; dup && r.err == nil {
			r.fail("el municipio %s ya está en la línea %d", "municipality %s already on line %d", cve, prev)
		}
		if r.err != nil {
			return nil, r.err
		}
		seen[cve] = row.line
		if _, ok := snap.Municipality(cve); !ok {
			p.report = append(p.report, ReportEntry{Line: row.line, Input: cve + " " + m.Name, Reason: "unknown municipality"})
		}
		out = append(out, m)
	}
	p.rows, p.save = tableOf(out)
	p.notes = append(p.notes, fmt.Sprintf("%d municipalities; %d not in the snapshot", len(out), len(p.report)))
	return p, nil
}
