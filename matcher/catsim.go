package matcher

import (
	"math"

	"gonum.org/v1/gonum/mat"

	"hermanar/datasets"
)

// Related categories count as partly the same problem: a city that reuses
// wastewater has something to say to one short of water. Similarity
// between categories comes from the SDG goals the taxonomy assigns them.
const (
	simSamePrimarySDG = 0.5 // both categories serve the same main goal
	simSharedSDG      = 0.2 // they share some other goal
)

// categorySimilarity builds the symmetric matrix S over taxonomy
// categories used for soft cosines: aᵀSb / √(aᵀSa · bᵀSb).
func categorySimilarity(tax *datasets.Taxonomy) *mat.SymDense {
	n := len(tax.Categories)
	s := mat.NewSymDense(n, nil)
	for i, a := range tax.Categories {
		s.SetSym(i, i, 1)
		for j := i + 1; j < n; j++ {
			b := tax.Categories[j]
			v := 0.0
			switch {
			case len(a.SDG) > 0 && len(b.SDG) > 0 && a.SDG[0] == b.SDG[0]:
				v = simSamePrimarySDG
			case sharesInt(a.SDG, b.SDG):
				v = simSharedSDG
			}
			s.SetSym(i, j, v)
		}
	}
	return s
}

// softUnit scales v to unit soft norm and returns it with S·v; nil stays nil.
func (e *Engine) softUnit(v []float64) ([]float64, []float64) {
	if v == nil {
		return nil, nil
	}
	x := mat.NewVecDense(len(v), v)
	var sx mat.VecDense
	sx.MulVec(e.catSim, x)
	n := math.Sqrt(mat.Dot(x, &sx))
	if n == 0 {
		return nil, nil
	}
	x.ScaleVec(1/n, x)
	sx.ScaleVec(1/n, &sx)
	return x.RawVector().Data, sx.RawVector().Data
}

func sharesInt(a, b []int) bool {
	for _, x := range a {
		for _, y := range b {
			if x == y {
				return true
			}
		}
	}
	return false
}
