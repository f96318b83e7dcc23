package matcher

import (
	"context"
	"sort"
)

// List metrics measure a bulk ranking as lists, which the backtest cannot
// see: a list that is the same for every municipality tells a liaison
// nothing even when the hidden twin ranks well.

// Thresholds of the size-mismatch metric (DESIGN §7): a village next to a
// metropolis needs a reason beyond size and popularity.
const (
	SmallMunicipality = 5_000
	LargeCity         = 1_000_000
)

// ListMetrics sums up the top-k lists of a bulk ranking.
type ListMetrics struct {
	Lists    int `json:"lists"`
	Slots    int `json:"slots"`
	K        int `json:"k"`
	Distinct int `json:"distinct_places"`
	// MaxShare is the largest share of lists one place enters, and
	// MostCommon the places with the highest shares, most common first.
	MaxShare   float64      `json:"max_share"`
	MostCommon []PlaceShare `json:"most_common"`
	// TwinnedSlots are list slots given to a place the municipality is
	// already twinned with.
	TwinnedSlots int `json:"twinned_slots"`
	// LargeSlots are slots given to cities of over LargeCity people;
	// SmallLargeSlots those of them in lists of municipalities under
	// SmallMunicipality people; SmallLargeUnsupported those of them without
	// a tie, a stated interest, a shared trait or a shared problem.
	LargeSlots            int `json:"large_slots"`
	SmallLists            int `json:"small_lists"`
	SmallLargeSlots       int `json:"small_large_slots"`
	SmallLargeUnsupported int `json:"small_large_unsupported"`
	// Countries is how many countries appear; TopCountryShare the largest
	// share of one list's slots one country takes, averaged over lists.
	Countries       int     `json:"countries"`
	TopCountryShare float64 `json:"mean_top_country_share"`
}

// PlaceShare is one place and the share of lists it enters.
type PlaceShare struct {
	PlaceID int64   `json:"place_id"`
	Name    string  `json:"name"`
	Country string  `json:"country"`
	Lists   int     `json:"lists"`
	Share   float64 `json:"share"`
}

// ListMetrics ranks req (usually every municipality at k = 10) and
// measures the lists. The rows are those Rank emits, so the metrics are
// the lists a user of `rank` gets with the same request.
func (e *Engine) ListMetrics(ctx context.Context, req RankRequest) (ListMetrics, error) {
	acc := newListAcc(e)
	st, err := e.Rank(ctx, req, func(r RankRow) error { acc.add(r); return nil })
	if err != nil {
		return ListMetrics{}, err
	}
	return acc.finish(st.K), nil
}

type listAcc struct {
	e          *Engine
	m          ListMetrics
	lists      map[int64]int
	names      map[int64][2]string
	countries  map[string]bool
	curMuni    string
	curCountry map[string]int
	curSlots   int
	shareSum   float64
}

func newListAcc(e *Engine) *listAcc {
	return &listAcc{e: e, lists: map[int64]int{}, names: map[int64][2]string{}, countries: map[string]bool{},
		curCountry: map[string]int{}}
}

func (a *listAcc) closeList() {
	if a.curSlots == 0 {
		return
	}
	top := 0
	for _, n := range a.curCountry {
		top = max(top, n)
	}
	a.shareSum += float64(top) / float64(a.curSlots)
	clear(a.curCountry)
	a.curSlots = 0
}

func (a *listAcc) add(r RankRow) {
	if r.Municipality != a.curMuni {
		a.closeList()
		a.curMuni = r.Municipality
		a.m.Lists++
		if mu, ok := a.e.in.Snap.Municipality(r.Municipality); ok && mu.Population > 0 && mu.Population < SmallMunicipality {
			a.m.SmallLists++
		}
	}
	a.m.Slots++
	a.curSlots++
	a.curCountry[r.Country]++
	a.countries[r.Country] = true
	a.lists[r.PlaceID]++
	a.names[r.PlaceID] = [2]string{r.PlaceName, r.Country}
	if r.Twinned {
		a.m.TwinnedSlots++
	}
	if r.Population > LargeCity {
		a.m.LargeSlots++
		if mu, ok := a.e.in.Snap.Municipality(r.Municipality); ok && mu.Population > 0 && mu.Population < SmallMunicipality {
			a.m.SmallLargeSlots++
			if !a.e.supported(r) {
				a.m.SmallLargeUnsupported++
			}
		}
	}
}

func (a *listAcc) finish(k int) ListMetrics {
	a.closeList()
	m := a.m
	m.K = k
	m.Distinct = len(a.lists)
	m.Countries = len(a.countries)
	if m.Lists > 0 {
		m.TopCountryShare = a.shareSum / float64(m.Lists)
	}
	all := make([]PlaceShare, 0, len(a.lists))
	for id, n := range a.lists {
		nm := a.names[id]
		all = append(all, PlaceShare{PlaceID: id, Name: nm[0], Country: nm[1], Lists: n})
	}
	sort.Slice(all, func(i, j int) bool {
		if all[i].Lists != all[j].Lists {
			return all[i].Lists > all[j].Lists
		}
		return all[i].PlaceID < all[j].PlaceID
	})
	if len(all) > 10 {
		all = all[:10]
	}
	for i := range all {
		if m.Lists > 0 {
			all[i].Share = float64(all[i].Lists) / float64(m.Lists)
		}
	}
	if len(all) > 0 {
		m.MaxShare = all[0].Share
	}
	m.MostCommon = all
	return m
}

// supported reports whether a ranked pair rests on more than size and
// popularity: a tie or a stated interest (diaspora), a shared problem, area
// or text, or a trait both places share.
func (e *Engine) supported(r RankRow) bool {
	if r.DiasporaContrib > 0 || r.ProblemsContrib > 0 || r.AreasContrib > 0 || r.TextContrib > 0 {
		return true
	}
	return e.sharesTrait(r.Municipality, r.PlaceID)
}
