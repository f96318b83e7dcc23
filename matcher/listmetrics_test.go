package matcher

import (
	"context"
	"testing"
)

// The list metrics count what the rows of the same ranking show.
func TestListMetricsCountRankRows(t *testing.T) {
	e := rankFixture(t)
	req := RankRequest{State: "11", K: 10}
	rows := mustRank(t, e, req)
	m, err := e.ListMetrics(context.Background(), req)
	if err != nil {
		t.Fatal(err)
	}
	lists := map[int64]map[string]bool{}
	munis := map[string]bool{}
	twinned, large := 0, 0
	for _, r := range rows {
		munis[r.Municipality] = true
		if lists[r.PlaceID] == nil {
			lists[r.PlaceID] = map[string]bool{}
		}
		lists[r.PlaceID][r.Municipality] = true
		if r.Twinned {
			twinned++
		}
		if r.Population > LargeCity {
			large++
		}
	}
	most := 0
	for _, ms := range lists {
		most = max(most, len(ms))
	}
	for _, tc := range []struct {
		name      string
		got, want int
	}{
		{"lists", m.Lists, len(munis)},
		{"slots", m.Slots, len(rows)},
		{"distinct", m.Distinct, len(lists)},
		{"most common", m.MostCommon[0].Lists, most},
		{"twinned", m.TwinnedSlots, twinned},
		{"large", m.LargeSlots, large},
	} {
		if tc.got != tc.want {
			t.Errorf("%s: got %d, want %d", tc.name, tc.got, tc.want)
		}
	}
	if want := float64(most) / float64(len(munis)); m.MaxShare != want {
		t.Errorf("max share: got %v, want %v", m.MaxShare, want)
	}
	if m.SmallLargeUnsupported > m.SmallLargeSlots || m.SmallLargeSlots > m.LargeSlots {
		t.Errorf("size mismatch counts out of order: %+v", m)
	}
}
