package datasets

import "fmt"

var ineccImporter = Importer{
	Kind:        KindINECC,
	Table:       KindINECC,
	Description: "INECC Atlas Nacional de Vulnerabilidad al Cambio Climático, municipal vulnerability by type (mun_vulnerables_anvcc.csv)",
	DefaultFile: "inecc/mun_vulnerables_anvcc.csv",
	Source:      "INECC, Atlas Nacional de Vulnerabilidad al Cambio Climático; via isaacarroyov/datos_facil_acceso",
	Licence:     "Mexican government open data (INECC); attribution required",
	Columns:     []string{"cve_geo", "nombre_municipio", "nivel_priorizacion", "tipo_vul", "vulnerabilidad_actual", "aumento_vulnerabilidad"},
	parse:       parseINECC,
}

var ineccLevels = map[string]bool{"": true, "Sin Vulnerabilidad": true, "Bajo": true, "Medio": true, "Alto": true, "Muy Alto": true}

func parseINECC(s *importSession, t *csvTable) (*parsed, error) {
	snap, err := s.snapshot()
	if err != nil {
		return nil, err
	}
	var out []Vulnerability
	seen := map[string]int{}
	unknown := map[string]bool{}
	p := &parsed{}
	for _, row := range t.rows {
		r := t.reader(row)
		v := Vulnerability{CVEGEO: r.code("cve_geo", 5, true), Type: r.req("tipo_vul"),
			Priority: r.str("nivel_priorizacion"), Current: r.str("vulnerabilidad_actual")}
		switch inc := r.str("aumento_vulnerabilidad"); inc {
		case "Aumento":
			v.Increase = true
		case "":
		default:
			r.fail("columna aumento_vulnerabilidad: %q no está vacía ni dice \"Aumento\"", "column aumento_vulnerabilidad: %q is neither empty nor \"Aumento\"", inc)
		}
		if r.err == nil && !ineccLevels[v.Current] {
			r.fail("columna vulnerabilidad_actual: nivel desconocido %q", "column vulnerabilidad_actual: unknown level %q", v.Current)
		}
		if r.err == nil && !ValidCVEGEO(v.CVEGEO) {
			r.fail("%s no es un CVEGEO municipal", "%s is not a municipal CVEGEO", v.CVEGEO)
		}
		k := v.CVEGEO + "|" + v.Type
		if prev, dup := seen[k]; dup && r.err == nil {
			r.fail("%s %q ya está en la línea %d", "%s %q already on line %d", v.CVEGEO, v.Type, prev)
		}
		if r.err != nil {
			return nil, r.err
		}
		seen[k] = row.line
		if _, ok := snap.Municipality(v.CVEGEO); !ok && !unknown[v.CVEGEO] {
			unknown[v.CVEGEO] = true
			p.report = append(p.report, ReportEntry{Line: row.line, Input: v.CVEGEO + " " + r.str("nombre_municipio"), Reason: "unknown municipality"})
		}
		out = append(out, v)
	}
	p.rows, p.save = tableOf(out)
	p.notes = append(p.notes, fmt.Sprintf("%d ratings; %d municipalities not in the snapshot", len(out), len(unknown)))
	return p, nil
}
