package datasets

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Ties CSV, the project's own format for diaspora ties (see SCHEMAS.md):
//
//	municipality,locality,place,place_name,size,estimated,year,source,evidence[,interest]
//
//   - municipality: origin, the 5-digit INEGI CVEGEO ("11008"); required.
//   - locality: origin locality within it, a name ("San José de Otates") or a
//     9-digit INEGI locality code; may be empty. Names are looked up among
//     the GeoNames places of the municipality to record their id.
//   - place: destination GeoNames id; or empty, and then
//   - place_name: the destination as free text ("Whitewater, Wisconsin"),
//     resolved with the Resolver outside Mexico; where several places
//     fit, the best match and then the largest is taken and the choice is
//     reported.
//   - size: people, an integer ≥ 0 (0: unknown); estimated: true when size
//     is an estimate (true/false, sí/no, 1/0).
//   - year: the year the evidence refers to, or empty.
//   - source: who says so (required); evidence: what they say, in your words.
//   - interest (optional column): true when the destination city stated an
//     interest in twinning.
//
// Every row must be valid or the file is rejected.

// MaxEvidence bounds the evidence text of a tie.
const MaxEvidence = 2000

var tieColumns = []string{"municipality", "locality", "place", "place_name", "size", "estimated", "year", "source", "evidence"}

var tiesImporter = Importer{
	Kind:        KindTies,
	Table:       "ties-imported",
	Description: "diaspora ties, the project's CSV: " + strings.Join(tieColumns, ",") + "[,interest,source_en,evidence_en] (see datasets/SCHEMAS.md)",
	Source:      "file supplied by the operator; each row names its own source",
	Licence:     "as stated by each row's source",
	Columns:     tieColumns,
	parse: func(s *importSession, t *csvTable) (*parsed, error) {
		snap, err := s.snapshot()
		if err != nil {
			return nil, err
		}
		ties, report, err := parseTies(t, snap, s.resolver, "import")
		if err != nil {
			return nil, err
		}
		p := &parsed{report: report}
		p.rows, p.save = tableOf(ties)
		p.notes = append(p.notes, fmt.Sprintf("%d ties; %d report lines", len(ties), len(report)))
		return p, nil
	},
}

// parseTies validates every row of a ties table; res is called only when
// a row names its destination by place_name.
func parseTies(t *csvTable, snap *Snapshot, res func() (*Resolver, error), recordedBy string) ([]Tie, []ReportEntry, error) {
	var out []Tie
	var report []ReportEntry
	ids := map[string]int{}
	for _, row := range t.rows {
		r := t.reader(row)
		tie := Tie{Municipality: r.req("municipality"), Locality: r.str("locality"), Source: r.req("source"),
			Evidence: r.str("evidence"), Estimated: r.bool("estimated"), RecordedBy: recordedBy,
			SourceEN: r.str("source_en"), EvidenceEN: r.str("evidence_en")}
		if r.has("interest") {
			tie.Interest = r.bool("interest")
		}
		if n, ok := r.optInt("size"); ok {
			if n < 0 || n > MaxDiasporaSize {
				r.fail("tamaño %d fuera de 0–%d", "size %d out of 0–%d", n, MaxDiasporaSize)
			}
			tie.Size = n
		}
		if y, ok := r.optInt("year"); ok {
			if y < 1900 || y > 2100 {
				r.fail("año %d fuera de 1900–2100", "year %d out of 1900–2100", y)
			}
			tie.Year = int32(y)
		}
		switch {
		case r.err != nil:
		case utf8.RuneCountInString(tie.Source) > MaxSourceText:
			r.fail("source tiene más de %d caracteres", "source is longer than %d characters", MaxSourceText)
		case utf8.RuneCountInString(tie.SourceEN) > MaxSourceText:
			r.fail("source_en tiene más de %d caracteres", "source_en is longer than %d characters", MaxSourceText)
		case utf8.RuneCountInString(tie.Evidence) > MaxEvidence || utf8.RuneCountInString(tie.EvidenceEN) > MaxEvidence:
			r.fail("evidence tiene más de %d caracteres", "evidence is longer than %d characters", MaxEvidence)
		case !ValidCVEGEO(tie.Municipality):
			r.fail("el municipio %q no es un CVEGEO de 5 dígitos", "municipality %q is not a 5-digit CVEGEO", tie.Municipality)
		}
		if r.err == nil {
			if _, ok := snap.Municipality(tie.Municipality); !ok {
				r.fail("el municipio %s no existe", "municipality %s does not exist", tie.Municipality)
			}
		}
		// The destination.
		if r.err == nil {
			if s := r.str("place"); s != "" {
				id, err := strconv.ParseInt(s, 10, 64)
				if err != nil {
					r.fail("columna place: %q no es un id de GeoNames", "column place: %q is not a GeoNames id", s)
				} else if p, ok := snap.Place(id); !ok {
					r.fail("el lugar %d no está en el catálogo de lugares", "place %d is not in the gazetteer", id)
				} else if p.Country == "MX" {
					r.fail("el lugar %d (%s) está en México; un vínculo nombra un destino extranjero", "place %d (%s) is in Mexico; a tie names a foreign destination", id, p.Name)
				} else {
					tie.Place = id
				}
			} else if name := r.str("place_name"); name == "" {
				r.fail("indique place (un id de GeoNames) o place_name", "give place (a GeoNames id) or place_name")
			} else {
				c, note, err := resolveDestination(res, name)
				if err != nil {
					r.fail("place_name %q: %v", "place_name %q: %v", name, err)
				} else {
					tie.Place = c.ID
					if note != "" {
						report = append(report, ReportEntry{Line: row.line, Input: name, Reason: ReasonAmbiguous, Detail: note})
					}
				}
			}
		}
		// The origin locality.
		if r.err == nil && tie.Locality != "" {
			if isDigits(tie.Locality) {
				if len(tie.Locality) != 9 || !strings.HasPrefix(tie.Locality, tie.Municipality) {
					r.fail("la clave de localidad %q no es una clave INEGI de 9 dígitos dentro de %s", "locality code %q is not a 9-digit INEGI code within %s", tie.Locality, tie.Municipality)
				}
			} else {
				ids, _ := localityPlaces(snap, tie.Municipality, tie.Locality)
				switch len(ids) {
				case 1:
					tie.LocalityPlace = ids[0]
				case 0:
					report = append(report, ReportEntry{Line: row.line, Input: tie.Locality, Reason: "locality not in GeoNames",
						Detail: "kept as text; no GeoNames place of that name in " + tie.Municipality})
				default:
					report = append(report, ReportEntry{Line: row.line, Input: tie.Locality, Reason: ReasonAmbiguous,
						Detail: fmt.Sprintf("kept as text; GeoNames places %v in %s", ids, tie.Municipality)})
				}
			}
		}
		if r.err != nil {
			return nil, nil, r.err
		}
		tie.ID = tieID(recordedBy, tie)
		if prev, dup := ids[tie.ID]; dup {
			return nil, nil, lineError(t.file, row.line, "el mismo vínculo (municipio, localidad, lugar, año, fuente) que la línea %d", "the same tie (municipality, locality, place, year, source) as line %d", prev)
		}
		ids[tie.ID] = row.line
		out = append(out, tie)
	}
	return out, report, nil
}

// resolveDestination resolves a foreign place name; when several fit it
// takes the best-ranked and says so in note.
func resolveDestination(res func() (*Resolver, error), name string) (Candidate, string, error) {
	r, err := res()
	if err != nil {
		return Candidate{}, "", err
	}
	all, err := r.resolveAll(name, ResolveOptions{})
	if err != nil {
		return Candidate{}, "", err
	}
	var foreign []Candidate
	for _, c := range all {
		if c.Country != "MX" {
			foreign = append(foreign, c)
		}
	}
	c, err := pickUnique(name, foreign)
	if err == nil {
		return c, "", nil
	}
	if isAmbiguous(err) {
		return foreign[0], fmt.Sprintf("chose %d %s among %d places: %s", foreign[0].ID, foreign[0].Label(), len(foreign), candidateList(foreign, 5)), nil
	}
	return Candidate{}, "", fmt.Errorf("matches no place outside Mexico")
}

// localityPlaces returns the GeoNames places of municipality cve named name.
// A place whose own name (or ASCII name) is name is taken before places
// that only list it among their alternate names: GeoNames' alternate names
// include old and variant spellings that another locality may carry as
// its real name. Only when no place bears the name itself are the
// alternate names consulted, so that the curated ties, whose localities
// are real names, resolve at start-up without decoding every alternate
// name of the snapshot (half of it).
func localityPlaces(snap *Snapshot, cve, name string) ([]int64, bool) {
	key := Fold(name)
	a1, a2 := GeoNamesAdmin1(cve[:2]), cve[2:]
	var ids []int64
	var inMuni []int // positions in snap.Places
	for i := range snap.Places {
		p := &snap.Places[i]
		if p.Country != "MX" || p.Admin1 != a1 || p.Admin2 != a2 {
			continue
		}
		inMuni = append(inMuni, i)
		if Fold(p.Name) == key || Fold(p.ASCIIName) == key {
			ids = append(ids, p.ID)
		}
	}
	if len(ids) > 0 {
		return ids, true
	}
	for _, i := range inMuni {
		p := &snap.Places[i]
		for alt := range strings.SplitSeq(snap.PlaceAltNames(p), ",") {
			if Fold(alt) == key {
				ids = append(ids, p.ID)
				break
			}
		}
	}
	return ids, len(ids) > 0
}

// tieID names a tie by its origin, destination and source, so that
// importing the same file twice gives the same ids.
func tieID(recordedBy string, t Tie) string {
	h := sha256.Sum256([]byte(t.Locality + "|" + strconv.Itoa(int(t.Year)) + "|" + t.Source))
	return fmt.Sprintf("%s-%s-%d-%s", recordedBy, t.Municipality, t.Place, hex.EncodeToString(h[:4]))
}

func isDigits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}
