package matcher

import (
	"bufio"
	"context"
	"encoding/binary"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"hermanar/datasets"
)

// ExportPools writes, for every backtest query (the hidden pair removed
// from the registry as in Evaluate), the second stage's pool with its
// input rows, for experiments outside the binary (a developer's tool:
// `hermanar eval --export-pools DIR`). Files in dir:
//
//	features.f32  rows × len(features) little-endian float32
//	rows.csv      query,candidate_id,label
//	queries.csv   query,municipality,hidden,fold,pool,in_pool,first_rank,out_rank
//	features.txt  the feature names, one a line
//	hidden.f32    per query, the hidden twin's row (in its pool or not)
//
// first_rank is the hidden twin's expected rank under the first stage over
// every candidate; out_rank is its rank when the pool is put first and
// the rest follow in first-stage order (meaningful when in_pool is 0).
//
// Those rows hide only each query's own pair: fitting on them leaks (see
// foldRerankers). The training rows the cross-validation fits on are in
// cv/: for fold F and part H (1-based), train_F_H.f32 (rows as above) and
// train_F_H.csv (query,start,end,pos: one training query a line, rows
// [start,end), pos its hidden twin's row), read from a registry without
// the pairs that model scores, exactly as foldRerankers builds them; the
// queries it scores are those of queries.csv with that fold and part.
func ExportPools(ctx context.Context, in Inputs, folds int, seed uint64, workers int, dir string) error {
	e, err := NewEngine(in)
	if err != nil {
		return err
	}
	queries := BacktestQueries(e.reg)
	fa := AssignFolds(queries, folds, seed)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	nf := len(rerankFeatureNames)
	type result struct {
		hid   []float32 // the hidden twin's row, in the pool or not
		feats []float32
		ids   []int64
		label []bool
		line  string
	}
	res := make([]result, len(queries))
	err = parallel(ctx, len(queries), workers, func() func(i int) error {
		buf := make([]float32, e.n)
		return func(i int) error {
			q := queries[i]
			reg := e.reg.hide(q.Municipality, q.Hidden)
			qs, err := e.prepare(Query{Municipality: q.Municipality, K: 10, Filter: Filter{ExcludeTwinned: true}, registry: reg})
			if err != nil {
				return err
			}
			e.scoreAll(qs, buf)
			h := e.candIndex[q.Hidden]
			st := rankOf(buf, h)
			rc := e.newRerankCtx(qs)
			pool := e.rerankPool(qs, rc, buf)
			r := result{feats: make([]float32, len(pool)*nf), hid: make([]float32, nf)}
			e.rerankRow(qs, rc, h, buf[h], r.hid)
			inPool := 0
			inSet := map[int32]bool{}
			for k, c := range pool {
				inSet[c] = true
				e.rerankRow(qs, rc, c, buf[c], r.feats[k*nf:(k+1)*nf])
				r.ids = append(r.ids, e.ids[c])
				r.label = append(r.label, c == h)
				if c == h {
					inPool = 1
				}
			}
			out := 0.0
			if inPool == 0 {
				g, eq := 0, 0
				for c, v := range buf {
					if inSet[int32(c)] || int32(c) == h || v < 0 {
						continue
					}
					if v > buf[h] {
						g++
					} else if v == buf[h] {
						eq++
					}
				}
				out = float64(len(pool)) + float64(g) + 1 + float64(eq)/2
			}
			r.line = fmt.Sprintf("%d,%s,%d,%d,%d,%d,%g,%g", i, q.Municipality, q.Hidden, fa[q.Municipality], len(pool), inPool, st.meanRank(), out)
			res[i] = r
			return nil
		}
	})
	if err != nil {
		return err
	}
	ff, err := os.Create(filepath.Join(dir, "features.f32"))
	if err != nil {
		return err
	}
	defer ff.Close()
	fw := bufio.NewWriter(ff)
	rf, err := os.Create(filepath.Join(dir, "rows.csv"))
	if err != nil {
		return err
	}
	defer rf.Close()
	rw := bufio.NewWriter(rf)
	fmt.Fprintln(rw, "query,candidate_id,label")
	var ql strings.Builder
	ql.WriteString("query,municipality,hidden,fold,pool,in_pool,first_rank,out_rank\n")
	for i, r := range res {
		if err := binary.Write(fw, binary.LittleEndian, r.feats); err != nil {
			return err
		}
		for k, id := range r.ids {
			l := 0
			if r.label[k] {
				l = 1
			}
			fmt.Fprintf(rw, "%d,%d,%d\n", i, id, l)
		}
		ql.WriteString(r.line + "\n")
	}
	if err := fw.Flush(); err != nil {
		return err
	}
	var hid []float32
	for _, r := range res {
		hid = append(hid, r.hid...)
	}
	var hb strings.Builder
	if err := binary.Write(&hb, binary.LittleEndian, hid); err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(dir, "hidden.f32"), []byte(hb.String()), 0o644); err != nil {
		return err
	}
	if err := rw.Flush(); err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(dir, "queries.csv"), []byte(ql.String()), 0o644); err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(dir, "features.txt"), []byte(strings.Join(rerankFeatureNames, "\n")+"\n"), 0o644); err != nil {
		return err
	}
	return exportRerankCV(ctx, e, in, queries, fa, filepath.Join(dir, "cv"), workers)
}

// exportRerankCV writes the cross-validation's training rows (see
// ExportPools).
func exportRerankCV(ctx context.Context, e *Engine, in Inputs, queries []EvalQuery, folds map[string]int, dir string, workers int) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	k := 0
	for _, f := range folds {
		k = max(k, f+1)
	}
	halves := rerankHalves(queries)
	index := map[EvalQuery]int{}
	for i, q := range queries {
		index[q] = i
	}
	for f := range k {
		var train []EvalQuery
		for _, q := range queries {
			if folds[q.Municipality] != f {
				train = append(train, q)
			}
		}
		for h := range RerankHalves {
			held := map[EvalQuery]bool{}
			for i, q := range queries {
				if folds[q.Municipality] == f && halves[i] == h {
					held[q] = true
				}
			}
			reg := NewRegistry(rerankKeep(e, in, held), e)
			rows, groups, qi, err := rerankTrainingRowsQ(ctx, e, reg, train, workers)
			if err != nil {
				return err
			}
			name := filepath.Join(dir, fmt.Sprintf("train_%d_%d", f+1, h+1))
			var b strings.Builder
			b.WriteString("query,start,end,pos\n")
			for j, g := range groups {
				fmt.Fprintf(&b, "%d,%d,%d,%d\n", index[train[qi[j]]], g.Start, g.End, g.Pos)
			}
			if err := datasets.WriteBytesSync(name+".csv", 0o644, []byte(b.String())); err != nil {
				return err
			}
			err = datasets.WriteFileSync(name+".f32", 0o644, func(f *os.File) error {
				fw := bufio.NewWriter(f)
				if err := binary.Write(fw, binary.LittleEndian, rows); err != nil {
					return err
				}
				return fw.Flush()
			})
			if err != nil {
				return err
			}
		}
	}
	return nil
}
