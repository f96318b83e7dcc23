package datasets

// The shapes that cross packages when places are matched: the matcher
// declares what it needs from a classifier and a text index in these
// terms, the index answers in them, and the api shows them as they are.

// PlaceRef is the part of a place that a match, a list or a link shows.
type PlaceRef struct {
	ID         int64   `json:"id"`
	Name       string  `json:"name"`
	Country    string  `json:"country"`
	Admin1     string  `json:"admin1"`
	Admin1Name string  `json:"admin1_name,omitempty"`
	Admin2Name string  `json:"admin2_name,omitempty"`
	Population int64   `json:"population"`
	Lat        float32 `json:"lat"`
	Lon        float32 `json:"lon"`
}

// PlaceRef is p's reference, with the names of its divisions.
func (s *Snapshot) PlaceRef(p *Place) PlaceRef {
	r := p.Ref()
	r.Admin1Name, r.Admin2Name = s.Admin1Name(p), s.Admin2Name(p)
	return r
}

// Ref is p's reference without division names (which need the snapshot).
func (p *Place) Ref() PlaceRef {
	return PlaceRef{ID: p.ID, Name: p.Name, Country: p.Country, Admin1: p.Admin1,
		Population: p.Population, Lat: p.Lat, Lon: p.Lon}
}

// CategoryScore is one taxonomy category proposed for a text.
type CategoryScore struct {
	ID string `json:"id"`
	// Score is in (0,1]: the classifier's relevance relative to the best
	// category of the same text (1 for the best). It orders and weighs
	// categories for one text; it is not a probability.
	Score float64 `json:"score"`
	// Terms are the words of the text that matched the category's label,
	// keywords or description, as written (lower-cased); two-word entries
	// matched a keyword phrase.
	Terms []string `json:"terms,omitempty"`
}

// TextMatch is the text relevance of one indexed profile to a query
// profile.
type TextMatch struct {
	// Score is in [0,1]: the index's score divided by the query profile's
	// score against its own indexed text when that is known, else by the
	// best score, and never above 1.
	Score float64 `json:"score"`
	// Terms are the words of the query profile (as written, lower-cased)
	// found in the other profile's text or in the keywords of its
	// categories, in either language's analysis.
	Terms []string `json:"terms,omitempty"`
	// Categories are the taxonomy categories both profiles touch.
	Categories []string `json:"categories,omitempty"`
}
