package matcher

// ResultRows flattens a match list into rank rows, so that a match list
// and a bulk ranking export under one schema (datasets.RankRow: the
// Parquet columns, the CSV header). A result for a municipality the
// engine does not know (which Match never returns) gives no rows.
func (e *Engine) ResultRows(res *Result) []RankRow {
	mu, ok := e.in.Snap.Municipality(res.Query.Municipality)
	if !ok {
		return nil
	}
	rows := make([]RankRow, len(res.Matches))
	for i := range res.Matches {
		rows[i] = rankRowOf(mu, &res.Matches[i])
	}
	return rows
}
