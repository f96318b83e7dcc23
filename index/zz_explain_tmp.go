package index

import (
	"encoding/json"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/search/query"
)

func (x *Index) ExplainTmp(q string, ids []string) (string, error) {
	words := terms(x.an.name, q)
	var per []query.Query
	for i, w := range words {
		per = append(per, wordQuery(w, i == len(words)-1, false))
	}
	exact := query.NewTermQuery(exactKeyOf(x.an, q))
	exact.SetField(fExact)
	exact.SetBoost(boostExact)
	bq := query.NewBooleanQuery(nil, nil, nil)
	bq.AddMust(per...)
	bq.AddShould(exact)
	bq.AddFilter(query.NewDocIDQuery(ids))
	req := bleve.NewSearchRequest(bq)
	req.Explain = true
	res, err := x.places.Search(req)
	if err != nil {
		return "", err
	}
	out := ""
	for _, h := range res.Hits {
		b, _ := json.MarshalIndent(h.Expl, "", " ")
		out += h.ID + "\n" + string(b) + "\n"
	}
	return out, nil
}
