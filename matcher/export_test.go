package matcher

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"math"
	"reflect"
	"strconv"
	"testing"
)

// evalDense scores every candidate from exported features alone, term by
// term with the evaluation order the numpy peer uses (one float32 array
// per step).
func evalDense(tb testing.TB, f *DenseFeatures, q DenseQuery, out []float32) {
	col := map[string]any{}
	for _, c := range f.Columns {
		col[c.Name] = c.Data
	}
	f32 := func(name string) []float32 { return col[name].([]float32) }
	asF := func(name string, c int) float32 {
		switch v := col[name].(type) {
		case []float32:
			return v[c]
		case []uint8:
			return float32(v[c])
		case []uint16:
			return float32(v[c])
		}
		tb.Fatalf("column %s has type %T", name, col[name])
		return 0
	}
	key := func(name string, c int) int {
		switch v := col[name].(type) {
		case []uint8:
			return int(v[c])
		case []uint16:
			return int(v[c])
		}
		tb.Fatalf("key column %s has type %T", name, col[name])
		return 0
	}
	n := func(x float64) float32 { return float32(x) }
	tables := make([][]float32, len(f.Terms))
	for ti, t := range f.Terms {
		if t.Op == string(opLookup) {
			tables[ti] = make([]float32, f.Categories[t.Columns[0]])
			for k, v := range q.Tables[strconv.Itoa(ti)] {
				i, _ := strconv.Atoi(k)
				tables[ti][i] = n(v)
			}
		}
	}
	for c := range out {
		s, u := n(q.Base), float32(0)
		for ti, t := range f.Terms {
			k := n(q.K[ti])
			switch t.Op {
			case string(opClipDiff):
				s -= k * min(abs32(n(q.Q[ti][0])-f32(t.Columns[0])[c])*n(t.Inv), 1)
			case string(opScaledDiff):
				x := abs32(n(q.Q[ti][0]) - asF(t.Columns[0], c))
				x *= k
				s -= x * n(t.Inv)
			case string(opUnitDot):
				d := n(q.Q[ti][0])*f32(t.Columns[0])[c] + n(q.Q[ti][1])*f32(t.Columns[1])[c]
				d += n(q.Q[ti][2]) * f32(t.Columns[2])[c]
				s += k * (d - 1)
			case string(opColumn):
				u += k * f32(t.Columns[0])[c]
			case string(opLookup):
				u += k * tables[ti][key(t.Columns[0], c)]
			default:
				tb.Fatalf("unknown op %s", t.Op)
			}
		}
		out[c] = s + u
	}
	for _, x := range q.Explicit {
		out[int(x[0])] = n(x[1])
	}
}

// The exported features reproduce scoreAll bit for bit.
func TestDenseFeaturesReproduceScores(t *testing.T) {
	e := rankFixture(t)
	munis := []string{"11008", "11020", "11015", "09015", "01001"}
	f, err := e.DenseFeatures(RankRequest{Municipalities: munis})
	if err != nil {
		t.Fatal(err)
	}
	// What the peer reads goes through JSON.
	b, err := json.Marshal(f)
	if err != nil {
		t.Fatal(err)
	}
	var back DenseFeatures
	if err := json.Unmarshal(b, &back); err != nil {
		t.Fatal(err)
	}
	back.Columns = f.Columns
	want := make([]float32, e.n)
	got := make([]float32, e.n)
	nets := 0
	if len(back.Queries) != len(munis) {
		t.Fatalf("%d queries, want %d", len(back.Queries), len(munis))
	}
	for _, q := range back.Queries {
		m := q.Municipality
		qs, err := e.prepare(Query{Municipality: m})
		if err != nil {
			t.Fatal(err)
		}
		e.scoreAll(qs, want)
		for ti, term := range back.Terms {
			if term.Component == CompNetwork && q.K[ti] != 0 {
				nets++
				break
			}
		}
		evalDense(t, &back, q, got)
		for c := range want {
			if math.Float32bits(got[c]) != math.Float32bits(want[c]) {
				t.Fatalf("%s candidate %d: exported features give %v, scoreAll %v", m, e.ids[c], got[c], want[c])
			}
		}
	}
	if nets == 0 {
		t.Error("no query exercised the network term")
	}
	if _, err := e.DenseFeatures(RankRequest{Filter: Filter{Countries: []string{"US"}}}); err == nil {
		t.Error("a filtered export was accepted")
	}
}

func TestNPY(t *testing.T) {
	var buf bytes.Buffer
	if err := (DenseColumn{"x", "<f4", []float32{1, 2.5}}).WriteNPY(&buf); err != nil {
		t.Fatal(err)
	}
	b := buf.Bytes()
	hlen := int(binary.LittleEndian.Uint16(b[8:10]))
	if (10+hlen)%64 != 0 || b[10+hlen-1] != '\n' || len(b) != 10+hlen+8 {
		t.Errorf("header not padded to 64 bytes: %q", b[:10+hlen])
	}

	buf.Reset()
	writeNPYHeader(&buf, "<i8", 2, 3)
	vals := []int64{1, -2, 3, 4, 5, 1 << 40}
	binary.Write(&buf, binary.LittleEndian, vals)
	got, shape, err := ReadNPYInt64(&buf)
	if err != nil || !reflect.DeepEqual(got, vals) || !reflect.DeepEqual(shape, []int{2, 3}) {
		t.Errorf("got %v %v %v", got, shape, err)
	}
	if _, _, err := ReadNPYInt64(bytes.NewReader([]byte("not numpy at all"))); err == nil {
		t.Error("garbage accepted")
	}
}
