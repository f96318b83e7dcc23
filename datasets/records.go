package datasets

// Place is one populated place of the gazetteer (a GeoNames cities500 row).
type Place struct {
	ID          int64   `parquet:"id" json:"id"`
	Name        string  `parquet:"name" json:"name"`
	ASCIIName   string  `parquet:"ascii_name" json:"ascii_name,omitempty"`
	AltNames    string  `parquet:"alt_names,zstd" json:"-"` // comma-separated, as GeoNames ships them
	Lat         float32 `parquet:"lat" json:"lat"`
	Lon         float32 `parquet:"lon" json:"lon"`
	FeatureCode string  `parquet:"feature_code,dict" json:"feature_code,omitempty"`
	Country     string  `parquet:"country,dict" json:"country"`
	Admin1      string  `parquet:"admin1,dict" json:"admin1,omitempty"`
	Admin2      string  `parquet:"admin2,dict" json:"admin2,omitempty"`
	Population  int64   `parquet:"population" json:"population"`
	Elevation   int32   `parquet:"elevation" json:"elevation,omitempty"` // metres; GeoNames dem where elevation is missing
	Timezone    string  `parquet:"timezone,dict" json:"timezone,omitempty"`
	// Kilometres to the sea and to an international land border (Natural
	// Earth 1:10m), capped at GeoDistCapKm.
	CoastKm  int32 `parquet:"coast_km" json:"coast_km"`
	BorderKm int32 `parquet:"border_km" json:"border_km"`
}

// AdminName names one first- or second-level division, keyed like GeoNames:
// "US.WI" (admin1) or "US.WI.127" (admin2).
type AdminName struct {
	Code string `parquet:"code" json:"code"`
	Name string `parquet:"name" json:"name"`
}

// Municipality is a Mexican municipality, identified by its INEGI CVEGEO
// (two-digit INEGI state code followed by the three-digit municipal code).
type Municipality struct {
	CVEGEO              string  `parquet:"cvegeo" json:"cvegeo"`
	State               string  `parquet:"state" json:"state"` // INEGI state code, "11"
	StateName           string  `parquet:"state_name" json:"state_name"`
	Name                string  `parquet:"name" json:"name"`
	SeatName            string  `parquet:"seat_name" json:"seat_name,omitempty"`
	SeatPlaceID         int64   `parquet:"seat_place_id" json:"seat_place_id,omitempty"`
	Lat                 float32 `parquet:"lat" json:"lat"`
	Lon                 float32 `parquet:"lon" json:"lon"`
	Population          int64   `parquet:"population" json:"population"`
	PopulationEstimated bool    `parquet:"population_estimated" json:"population_estimated"`
	PopulationSource    string  `parquet:"population_source" json:"population_source"`
}

// Locality is an INEGI locality (the 9-digit CVEGEO: municipality + 4 digits).
type Locality struct {
	CVEGEO       string  `parquet:"cvegeo" json:"cvegeo"`
	Municipality string  `parquet:"municipality" json:"municipality"`
	Name         string  `parquet:"name" json:"name"`
	Lat          float32 `parquet:"lat" json:"lat"`
	Lon          float32 `parquet:"lon" json:"lon"`
	Altitude     int32   `parquet:"altitude" json:"altitude"`
	Urban        bool    `parquet:"urban" json:"urban"`
	Population   int64   `parquet:"population" json:"population"`
}

// Tie records that migrants from a Mexican municipality (or one of its
// localities) live in a foreign place. Locality ties roll up to their
// municipality when scoring.
type Tie struct {
	ID            string `parquet:"id" json:"id"`
	Municipality  string `parquet:"municipality" json:"municipality"`                  // origin CVEGEO, 5 digits
	Locality      string `parquet:"locality" json:"locality,omitempty"`                // origin locality name or code, optional
	LocalityPlace int64  `parquet:"locality_place" json:"locality_place_id,omitempty"` // GeoNames id of the origin locality, if known
	Place         int64  `parquet:"place" json:"place_id"`                             // destination GeoNames id
	Size          int64  `parquet:"size" json:"size"`                                  // people, or an estimate
	Estimated     bool   `parquet:"estimated" json:"estimated"`
	Year          int32  `parquet:"year" json:"year,omitempty"`
	Source        string `parquet:"source" json:"source"`
	Evidence      string `parquet:"evidence" json:"evidence,omitempty"`
	// SourceEN and EvidenceEN are the same texts in English, where the
	// record's writer gave them (the curated ties do); English pages show
	// them instead of Source and Evidence.
	SourceEN   string `parquet:"source_en" json:"source_en,omitempty"`
	EvidenceEN string `parquet:"evidence_en" json:"evidence_en,omitempty"`
	RecordedBy string `parquet:"recorded_by" json:"recorded_by,omitempty"` // consulate id or "curated" or "import"
	Interest   bool   `parquet:"interest" json:"interest,omitempty"`       // the destination city stated interest in twinning
}

// SourceIn is the tie's source in lang when its writer gave it in that
// language, else as written.
func (t Tie) SourceIn(lang string) string {
	if lang == "en" && t.SourceEN != "" {
		return t.SourceEN
	}
	return t.Source
}

// EvidenceIn is the tie's evidence in lang when its writer gave it in
// that language, else as written.
func (t Tie) EvidenceIn(lang string) string {
	if lang == "en" && t.EvidenceEN != "" {
		return t.EvidenceEN
	}
	return t.Evidence
}

// Twinning is an existing link between two places. Where one side is
// Mexican, Municipality holds its CVEGEO.
type Twinning struct {
	PlaceA       int64  `parquet:"place_a" json:"place_a"`
	PlaceB       int64  `parquet:"place_b" json:"place_b"`
	Municipality string `parquet:"municipality" json:"municipality,omitempty"`
	Source       string `parquet:"source" json:"source"`
}

// Jurisdiction is one area a consulate serves: a country, optionally
// narrowed to first-level divisions (e.g. US states) and counties.
type Jurisdiction struct {
	Country string   `json:"country"`
	Admin1  []string `json:"admin1,omitempty"`
	Admin2  []string `json:"admin2,omitempty"` // full GeoNames admin2 codes "US.WI.127"
}

// Consulate is a Mexican consulate with the foreign areas it serves.
type Consulate struct {
	ID           string         `json:"id"` // slug, "milwaukee"
	Name         string         `json:"name"`
	Place        int64          `json:"place_id"`
	Jurisdiction []Jurisdiction `json:"jurisdiction"`
	Source       string         `json:"source"`
}

// Serves reports whether p lies in the consulate's jurisdiction.
func (c Consulate) Serves(p Place) bool {
	for _, j := range c.Jurisdiction {
		if j.Country != p.Country {
			continue
		}
		if len(j.Admin1) == 0 && len(j.Admin2) == 0 {
			return true
		}
		for _, a := range j.Admin1 {
			if a == p.Admin1 {
				return true
			}
		}
		code := p.Country + "." + p.Admin1 + "." + p.Admin2
		for _, a := range j.Admin2 {
			if a == code {
				return true
			}
		}
	}
	return false
}
