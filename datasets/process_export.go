package datasets

import (
	"encoding/csv"
	"fmt"
	"io"
	"sort"
	"strconv"

	"github.com/parquet-go/parquet-go"
)

// ProcessRow is one process in the analysts' overview and its exports.
type ProcessRow struct {
	Municipality     string `parquet:"municipality" json:"municipality"`
	MunicipalityName string `parquet:"municipality_name" json:"municipality_name"`
	State            string `parquet:"state" json:"state"`
	StateName        string `parquet:"state_name" json:"state_name"`
	PlaceID          int64  `parquet:"place_id" json:"place_id"`
	Place            string `parquet:"place" json:"place"`
	Admin1           string `parquet:"admin1" json:"admin1"`
	Country          string `parquet:"country" json:"country"`
	Stage            string `parquet:"stage" json:"stage"`
	StageLabel       string `parquet:"stage_label" json:"stage_label"`
	Overdue          int    `parquet:"overdue" json:"overdue"` // deadlines overdue
	NextKind         string `parquet:"next_deadline" json:"next_deadline,omitempty"`
	NextLabel        string `parquet:"next_deadline_label" json:"next_deadline_label,omitempty"`
	NextDue          string `parquet:"next_due" json:"next_due,omitempty"`
	Signed           string `parquet:"signed" json:"signed,omitempty"`
	LastEvent        string `parquet:"last_event" json:"last_event,omitempty"`
	LastEventDate    string `parquet:"last_event_date" json:"last_event_date,omitempty"`
	Events           int    `parquet:"events" json:"events"`
	OpenedAt         string `parquet:"opened_at" json:"opened_at"`
}

// SortProcessRows puts overdue processes first, then by state, stage
// (furthest along first), municipality and place.
func SortProcessRows(rows []ProcessRow) {
	sort.SliceStable(rows, func(i, j int) bool {
		a, b := rows[i], rows[j]
		if (a.Overdue > 0) != (b.Overdue > 0) {
			return a.Overdue > 0
		}
		if a.State != b.State {
			return a.State < b.State
		}
		if sa, sb := stageIndex(a.Stage), stageIndex(b.Stage); sa != sb {
			return sa > sb
		}
		if a.Municipality != b.Municipality {
			return a.Municipality < b.Municipality
		}
		return a.PlaceID < b.PlaceID
	})
}

// ProcessCSVHeader names the columns of the CSV export.
var ProcessCSVHeader = []string{"municipality", "municipality_name", "state", "state_name", "place_id", "place", "admin1", "country",
	"stage", "stage_label", "overdue", "next_deadline", "next_deadline_label", "next_due", "signed", "last_event", "last_event_date", "events", "opened_at"}

// WriteProcessCSV writes rows under ProcessCSVHeader, after the UTF-8 byte
// order mark every Hermanar CSV starts with.
func WriteProcessCSV(w io.Writer, rows []ProcessRow) error {
	if _, err := io.WriteString(w, UTF8BOM); err != nil {
		return err
	}
	cw := csv.NewWriter(w)
	if err := cw.Write(ProcessCSVHeader); err != nil {
		return err
	}
	for _, r := range rows {
		rec := []string{r.Municipality, r.MunicipalityName, r.State, r.StateName, strconv.FormatInt(r.PlaceID, 10), r.Place, r.Admin1, r.Country,
			r.Stage, r.StageLabel, strconv.Itoa(r.Overdue), r.NextKind, r.NextLabel, r.NextDue, r.Signed, r.LastEvent, r.LastEventDate,
			strconv.Itoa(r.Events), r.OpenedAt}
		if err := cw.Write(rec); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

// WriteProcessParquet writes rows as one zstd-compressed Parquet file.
func WriteProcessParquet(w io.Writer, rows []ProcessRow) error {
	pw := parquet.NewGenericWriter[ProcessRow](w, parquet.Compression(&parquet.Zstd), parquet.CreatedBy("hermanar", "", ""))
	if _, err := pw.Write(rows); err != nil {
		return fmt.Errorf("process parquet: %w", err)
	}
	if err := pw.Close(); err != nil {
		return fmt.Errorf("process parquet: %w", err)
	}
	return nil
}
