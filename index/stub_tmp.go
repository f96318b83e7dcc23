package index

import (
	"github.com/blevesearch/bleve/v2"
	"hermanar/datasets"
)

type Classifier struct{}

func NewClassifier(tax *datasets.Taxonomy) (*Classifier, error) { return &Classifier{}, nil }

func openProfiles(path string, opts Options) (bleve.Index, bool, error) {
	m, _ := placeMapping()
	idx, err := bleve.New(path, m)
	if err != nil {
		idx, err = bleve.Open(path)
	}
	return idx, true, err
}
