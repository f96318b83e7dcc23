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

// evalDense scores every candidate from exported features alone, with the
// formula and evaluation order the numpy peer uses.
func evalDense(f *DenseFeatures, q DenseQuery, out []float32) {
	col := map[string]any{}
	for _, c := range f.Columns {
		col[c.Name] = c.Data
	}
	logPop, elev, absLat := col["log_pop"].([]float32), col["elev"].([]float32), col["abs_lat"].([]float32)
	ptype, us := col["ptype"].([]uint8), col["us_state"].([]uint8)
	ux, uy, uz := col["ux"].([]float32), col["uy"].([]float32), col["uz"].([]float32)
	popMx, popAll, country := col["pop_mx"].([]float32), col["pop_all"].([]float32), col["country"].([]uint16)
	n := func(x float64) float32 { return float32(x) }
	cst := func(k string) float32 { return float32(f.Constants[k]) }
	twin := make([]float32, f.Countries)
	for k, v := range q.TwinShare {
		i, _ := strconv.Atoi(k)
		twin[i] = n(v)
	}
	sv := make([]float32, f.USStates)
	for i, v := range q.StateVal {
		sv[i] = n(v)
	}
	iS, iT, iE, iC := cst("inv_size"), cst("inv_type"), cst("inv_elev"), cst("inv_clim")
	lp, el, al, typ, qx, qy, qz := n(q.LP), n(q.El), n(q.Al), n(q.Typ), n(q.UX), n(q.UY), n(q.UZ)
	k0, k1, k2, k3, k4, base := n(q.K[0]), n(q.K[1]), n(q.K[2]), n(q.K[3]), n(q.K[4]), n(q.Base)
	for c := range out {
		// Each term is rounded to float32 on its own, as numpy does with
		// one array per step.
		s := base
		s -= k0 * min(abs32(lp-logPop[c])*iS, 1)
		s -= k1 * abs32(typ-float32(ptype[c])) * iT
		s -= k2 * min(abs32(el-elev[c])*iE, 1)
		s -= k3 * min(abs32(al-absLat[c])*iC, 1)
		d := qx*ux[c] + qy*uy[c]
		d += qz * uz[c]
		s += k4 * (d - 1)
		if q.Net {
			u := n(q.N[0]) * popMx[c]
			u += n(q.N[1]) * popAll[c]
			u += n(q.N[2]) * twin[country[c]]
			u += n(q.N[3]) * sv[us[c]]
			s += u
		}
		out[c] = s
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
		if q.Net {
			nets++
		}
		evalDense(&back, q, got)
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
