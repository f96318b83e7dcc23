package datasets

// MigrationIntensity is CONAPO's 2010 index of migration intensity to the
// United States for one municipality.
type MigrationIntensity struct {
	CVEGEO        string  `json:"cvegeo"`
	Name          string  `json:"name"`
	Households    int64   `json:"households"`     // TOT_VIV
	RemittancePct float64 `json:"remittance_pct"` // VIV_REM: % of households receiving remittances
	EmigrantPct   float64 `json:"emigrant_pct"`   // VIV_EMIG: % with emigrants to the US, 2005–2010
	CircularPct   float64 `json:"circular_pct"`   // VIV_CIRC: % with circular migrants
	ReturnPct     float64 `json:"return_pct"`     // VIV_RET: % with return migrants
	Index         float64 `json:"index"`          // IIM_2010
	Index0to100   float64 `json:"index_0_100"`    // IIM0a100
	GradeLevel    int     `json:"grade_level"`    // 0 Nulo … 5 Muy Alto
	Grade         string  `json:"grade"`          // "Muy Alto"
	StateRank     int     `json:"state_rank,omitempty"`
	NationalRank  int     `json:"national_rank,omitempty"`
}

// Remittance is the yearly total of remittances Banco de México counts
// for a municipality, in millions of US dollars (nominal). Quarters says
// how many quarters the year includes (4 for a full year).
type Remittance struct {
	CVEGEO     string  `json:"cvegeo"`
	Year       int     `json:"year"`
	MillionUSD float64 `json:"million_usd"`
	Quarters   int     `json:"quarters"`
}

// USStateRemittance is the yearly total of remittances sent to Mexico from
// one US state (State is the USPS code, "XX" for unidentified).
type USStateRemittance struct {
	State      string  `json:"state"`
	Name       string  `json:"name"`
	Year       int     `json:"year"`
	MillionUSD float64 `json:"million_usd"`
	Quarters   int     `json:"quarters"`
}

// Vulnerability is one of INECC's climate-change vulnerability ratings for
// a municipality; empty fields are absent in the source.
type Vulnerability struct {
	CVEGEO   string `json:"cvegeo"`
	Type     string `json:"type"`               // "Población expuesta al dengue", ...
	Priority string `json:"priority,omitempty"` // "Primer Nivel de Priorización", ...
	Current  string `json:"current,omitempty"`  // "Sin Vulnerabilidad", "Bajo", "Medio", "Alto", "Muy Alto"
	Increase bool   `json:"increase,omitempty"` // vulnerability expected to rise under climate change
}

// Drought is the longest spell a municipality spent in one category of
// the Drought Monitor of Mexico (CONAGUA/SMN).
type Drought struct {
	CVEGEO   string `json:"cvegeo"`
	Category string `json:"category"` // "Sin sequia", "D0" … "D4"
	Start    string `json:"start"`    // YYYY-MM-DD
	End      string `json:"end"`
	Days     int    `json:"days"`
	Basin    string `json:"basin,omitempty"` // basin organisation (org_cuenca)
}
