package api

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"hermanar/datasets"
)

// A signed-in consulate records from its page what it learns about the
// cities of its jurisdiction: a city's profile (what it offers, what it
// seeks), a contact, its stated interest, diaspora ties with their
// sources, and where each opportunity stands.

// Opportunity statuses, in the order a consulate moves through them.
var oppStatuses = []string{"new", "contacted", "in_progress", "dismissed"}

// BucketOpportunities holds each opportunity's status and its history,
// keyed by consulate|municipality|place.
const BucketOpportunities = "opportunity_status"

// OppStatus is where an opportunity stands, with every change.
type OppStatus struct {
	Status  string      `json:"status"`
	History []OppChange `json:"history"`
}

// OppChange is one change of status: when, by whom, to what, and a note.
type OppChange struct {
	Status string `json:"status"`
	At     string `json:"at"`
	By     string `json:"by"`
	Note   string `json:"note,omitempty"`
	// Who is By for the page's reader (not stored).
	Who string `json:"-"`
}

func oppKey(con, cve string, place int64) string { return fmt.Sprintf("%s|%s|%d", con, cve, place) }

// consulateForms is what the page shows a consulate that may write.
type consulateForms struct {
	CanEdit  bool
	Errors   []string
	Form     map[string]string // the last form sent, to show again on error
	Cities   []cityView
	Statuses []string
}

// cityView is a city of the jurisdiction with a record.
type cityView struct {
	Place      datasets.PlaceRef
	Offers     []string
	Seeks      []string
	Contact    string
	Interests  []string
	Provenance []string
}

func (s *Server) consulateForms(c *gin.Context, b *Backend, con datasets.Consulate, lang string) *consulateForms {
	f := &consulateForms{Statuses: oppStatuses, Form: map[string]string{}}
	if tok, ok := s.optionalPrincipal(c, b); ok {
		f.CanEdit = tok.Role == RoleAdmin || (tok.Role == RoleConsulate && tok.Consulate == con.ID)
	}
	for _, id := range b.Engine.PlaceRecordIDs() {
		p, ok := b.snap.Place(id)
		if !ok || !con.Serves(*p) {
			continue
		}
		rec, _ := b.Engine.PlaceRecord(id)
		v := cityView{Place: placeInfo(b.snap, p).PlaceRef}
		for _, x := range rec.Practices {
			v.Offers = append(v.Offers, i18nText(x.Text, x.I18n, lang))
		}
		for _, x := range rec.Problems {
			v.Seeks = append(v.Seeks, i18nText(x.Text, x.I18n, lang))
		}
		if ct := rec.Contact; ct != nil {
			v.Contact = strings.Join(nonEmptyStrings(ct.Name, i18nText(ct.Role, ct.RoleI18n, lang), ct.Organisation, ct.Email, ct.Phone), " · ")
		}
		for _, in := range rec.Interests {
			target := in.State
			if m, ok := b.snap.Municipality(in.Municipality); ok {
				target = m.Name + ", " + m.StateName
			}
			v.Interests = append(v.Interests, fmt.Sprintf("%s — %s (%s; %s)", target, in.Date, in.Source, recordedByLabel(in.RecordedBy, lang)))
		}
		for _, fld := range datasets.PlaceProfileFields {
			if pr, ok := rec.Provenance[fld]; ok {
				v.Provenance = append(v.Provenance, fmt.Sprintf("%s: %s, %s, %s", pageText["city.field."+fld].In(lang), recordedByLabel(pr.By, lang), dayOf(pr.At), pr.Source))
			}
		}
		f.Cities = append(f.Cities, v)
	}
	return f
}

func i18nText(text string, m map[string]string, lang string) string {
	if t := strings.TrimSpace(m[lang]); t != "" {
		return t
	}
	return text
}

func nonEmptyStrings(xs ...string) []string {
	var out []string
	for _, x := range xs {
		if strings.TrimSpace(x) != "" {
			out = append(out, x)
		}
	}
	return out
}

func dayOf(ts string) string {
	if len(ts) >= 10 {
		return ts[:10]
	}
	return ts
}

// consulateWriter checks that the signed-in user may write for con.
func (s *Server) consulateWriter(c *gin.Context, b *Backend, con datasets.Consulate) (Token, error) {
	tok, err := s.principal(c, b)
	if err != nil {
		return tok, err
	}
	if tok.Role == RoleAdmin || (tok.Role == RoleConsulate && tok.Consulate == con.ID) {
		return tok, nil
	}
	return tok, errf(datasets.EForbidden, "Su credencial (%s) no escribe en la página del %s.",
		"Your token (%s) does not write on the page of %s.", tok.Scope(), con.Name)
}

// consulateRequest is the common start of every request about one
// consulate: the backend is ready and the {id} names a known consulate;
// otherwise the answer has been written and ok is false.
func (s *Server) consulateRequest(c *gin.Context) (b *Backend, con datasets.Consulate, ok bool) {
	if b = s.ready(c); b == nil {
		return nil, con, false
	}
	con, err := consulateParam(c, b)
	if err != nil {
		s.fail(c, err)
		return nil, con, false
	}
	return b, con, true
}

// consulateFormStart is the common start of the writes about one
// consulate (the page's form posts and the API's): consulateRequest, then
// the caller must be that consulate or an admin.
func (s *Server) consulateFormStart(c *gin.Context) (*Backend, datasets.Consulate, Token, bool) {
	b, con, ok := s.consulateRequest(c)
	if !ok {
		return nil, con, Token{}, false
	}
	tok, err := s.consulateWriter(c, b, con)
	if err != nil {
		s.fail(c, err)
		return nil, con, tok, false
	}
	return b, con, tok, true
}

// formFieldErrors lists an error's field messages for people.
func formFieldErrors(err error, lang string) []string {
	d := errorDetail(err, lang)
	var out []string
	for k, v := range d.Fields {
		out = append(out, k+": "+v)
	}
	sort.Strings(out)
	if len(out) == 0 {
		out = []string{d.Message}
	}
	return out
}

// renderConsulateWithErrors shows the page again with the form's errors
// next to it and the values as they were sent.
func (s *Server) renderConsulateWithErrors(c *gin.Context, b *Backend, con datasets.Consulate, msgs []string) {
	form := map[string]string{}
	for k, v := range c.Request.PostForm {
		if len(v) > 0 {
			form[k] = v[0]
		}
	}
	s.consulatePageWith(c, b, con, http.StatusBadRequest, msgs, form)
}

// cityPlace resolves the form's city within the consulate's jurisdiction.
func (s *Server) cityPlace(b *Backend, con datasets.Consulate, field, name string) (*datasets.Place, error) {
	f := fieldErrs{}
	name = strings.TrimSpace(name)
	if name == "" {
		f.add(field, "indique la ciudad (p. ej. «Whitewater, Wisconsin»)", "name the city (e.g. \"Whitewater, Wisconsin\")")
		return nil, f.err()
	}
	var p *datasets.Place
	if id, err := strconv.ParseInt(name, 10, 64); err == nil {
		p, _ = b.snap.Place(id)
	} else if cand, err := b.resolver().ResolveUnique(name, datasets.ResolveOptions{}); err == nil {
		p, _ = b.snap.Place(cand.ID)
	} else {
		f[field] = datasets.TextOf(err)
		return nil, f.err()
	}
	if p == nil || !b.Engine.IsCandidate(p.ID) {
		f.add(field, "no es una ciudad extranjera conocida", "is not a known foreign city")
		return nil, f.err()
	}
	if !con.Serves(*p) {
		f.add(field, "%s, %s no está en la circunscripción", "%s, %s is not in the jurisdiction", p.Name, b.snap.Admin1Name(p))
		return nil, f.err()
	}
	return p, nil
}

func formLines(s string) []string {
	var out []string
	for _, l := range strings.Split(s, "\n") {
		if l = strings.TrimSpace(l); l != "" {
			out = append(out, l)
		}
	}
	return out
}

// consulateCityPost records a city's profile, contact and interest.
func (s *Server) consulateCityPost(c *gin.Context) {
	b, con, tok, ok := s.consulateFormStart(c)
	if !ok {
		return
	}
	lang := langOf(c)
	p, err := s.cityPlace(b, con, "city", c.PostForm("city"))
	if err != nil {
		s.renderConsulateWithErrors(c, b, con, formFieldErrors(err, lang))
		return
	}
	who := "consulate " + tok.Consulate
	if tok.Role == RoleAdmin {
		who = "admin"
	}
	base, _ := b.Engine.PlaceRecord(p.ID)
	u := base.Update()
	u.Source = strings.TrimSpace(c.PostForm("source"))
	if l := c.PostForm("lang"); l == "es" || l == "en" {
		u.Lang = l
	}
	// The form's lists replace the record's; their translations were for
	// the old texts and go with them.
	u.Practices, u.Problems = nil, nil
	for _, x := range formLines(c.PostForm("offers")) {
		u.Practices = append(u.Practices, datasets.Practice{Text: x})
	}
	for _, x := range formLines(c.PostForm("seeks")) {
		u.Problems = append(u.Problems, datasets.Problem{Text: x})
	}
	if n := strings.TrimSpace(c.PostForm("narrative")); n != "" || base.Narrative != "" {
		if n != base.Narrative {
			u.Narrative, u.NarrativeI18n = n, nil
		}
	}
	contact := datasets.Contact{Name: strings.TrimSpace(c.PostForm("contact_name")), Role: strings.TrimSpace(c.PostForm("contact_role")),
		Email: strings.TrimSpace(c.PostForm("contact_email"))}
	if contact.Name != "" || contact.Role != "" || contact.Email != "" {
		if base.Contact != nil && base.Contact.Name == contact.Name && base.Contact.Role == contact.Role && base.Contact.Email == contact.Email {
			contact = *base.Contact // unchanged: keep what the form does not show
		}
		u.Contact = &contact
	} else {
		u.Contact = nil
	}
	var in *datasets.Interest
	if cve := strings.TrimSpace(c.PostForm("interest_municipality")); cve != "" || strings.TrimSpace(c.PostForm("interest_date")) != "" {
		in = &datasets.Interest{Municipality: cve, Locality: strings.TrimSpace(c.PostForm("interest_locality")),
			Date: strings.TrimSpace(c.PostForm("interest_date")), Source: u.Source, Note: strings.TrimSpace(c.PostForm("interest_note"))}
		if err := in.Validate(func(c string) bool { _, ok := b.snap.Municipality(c); return ok }); err != nil {
			msgs := formFieldErrors(err, lang)
			for i := range msgs {
				msgs[i] = "interest_" + msgs[i]
			}
			s.renderConsulateWithErrors(c, b, con, msgs)
			return
		}
	}
	if _, err := s.savePlaceProfile(b, p.ID, u, who); err != nil {
		if datasets.ErrorCode(err) != datasets.EInvalid {
			s.fail(c, err)
			return
		}
		s.renderConsulateWithErrors(c, b, con, formFieldErrors(err, lang))
		return
	}
	if in != nil {
		if _, _, err := s.addInterest(b, p.ID, *in, who); err != nil {
			s.fail(c, err)
			return
		}
	}
	c.Redirect(http.StatusSeeOther, "/consulados/"+con.ID+"?guardado=1#ciudades")
}

// consulateTiePost records a diaspora tie from the page, through the same
// checks as POST /api/v1/ties.
func (s *Server) consulateTiePost(c *gin.Context) {
	b, con, tok, ok := s.consulateFormStart(c)
	if !ok {
		return
	}
	lang := langOf(c)
	req := TieRequest{Municipality: strings.TrimSpace(c.PostForm("municipality")), Locality: strings.TrimSpace(c.PostForm("locality")),
		Place: strings.TrimSpace(c.PostForm("place")), Source: strings.TrimSpace(c.PostForm("source")),
		Evidence: strings.TrimSpace(c.PostForm("evidence")), Interest: c.PostForm("interest") == "1"}
	fe := fieldErrs{}
	if v := strings.ReplaceAll(strings.TrimSpace(c.PostForm("size")), ",", ""); v != "" {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil {
			fe.add("size", "debe ser un número entero", "must be a whole number")
		}
		req.Size = n
	}
	if v := strings.TrimSpace(c.PostForm("year")); v != "" {
		n, err := strconv.ParseInt(v, 10, 32)
		if err != nil {
			fe.add("year", "debe ser un año", "must be a year")
		}
		req.Year = int32(n)
	}
	if err := fe.err(); err != nil {
		s.renderConsulateWithErrors(c, b, con, formFieldErrors(err, lang))
		return
	}
	t, err := s.tieFromRequest(b, req)
	if err == nil {
		p, _ := b.snap.Place(t.Place)
		if !con.Serves(*p) {
			f := fieldErrs{}
			f.add("place", "%s, %s no está en la circunscripción", "%s, %s is not in the jurisdiction", p.Name, b.snap.Admin1Name(p))
			err = f.err()
		}
	}
	if err != nil {
		s.renderConsulateWithErrors(c, b, con, formFieldErrors(err, lang))
		return
	}
	t.RecordedBy = con.ID
	if tok.Role == RoleAdmin {
		t.RecordedBy = "admin"
	}
	t.ID = fmt.Sprintf("%s-%s-%d", t.RecordedBy, t.Municipality, t.Place)
	if _, err := s.saveTie(b, tok, t); err != nil {
		if datasets.ErrorCode(err) == datasets.EInternal {
			s.fail(c, err)
			return
		}
		s.renderConsulateWithErrors(c, b, con, formFieldErrors(err, lang))
		return
	}
	c.Redirect(http.StatusSeeOther, "/consulados/"+con.ID+"?guardado=1#vinculos")
}

// consulateOppPost moves an opportunity to a new status, keeping the
// history.
func (s *Server) consulateOppPost(c *gin.Context) {
	b, con, tok, ok := s.consulateFormStart(c)
	if !ok {
		return
	}
	lang := langOf(c)
	cve := strings.TrimSpace(c.PostForm("municipality"))
	place, perr := strconv.ParseInt(strings.TrimSpace(c.PostForm("place")), 10, 64)
	if perr != nil {
		place = -1
	}
	_, err := s.setOppStatus(b, con, tok, cve, place, c.PostForm("status"), c.PostForm("note"))
	if isFieldError(err) {
		s.renderConsulateWithErrors(c, b, con, formFieldErrors(err, lang))
		return
	}
	if err != nil {
		s.fail(c, err)
		return
	}
	c.Redirect(http.StatusSeeOther, "/consulados/"+con.ID+"?guardado=1#p"+url.PathEscape(strconv.FormatInt(place, 10)))
}

// setOppStatus moves the opportunity of municipality cve and place of
// con's jurisdiction to status, appending the change (by tok, with note)
// to its history, and returns where it stands now. Bad fields are one
// field error and change nothing; the change is on disk when it returns.
// The page form and PUT /consulates/{id}/opportunities/{cvegeo}/{place}
// both go through it.
func (s *Server) setOppStatus(b *Backend, con datasets.Consulate, tok Token, cve string, place int64, status, note string) (OppStatus, error) {
	cve = strings.TrimSpace(cve)
	note = strings.TrimSpace(note)
	fe := fieldErrs{}
	if _, ok := b.snap.Municipality(cve); !ok {
		fe.add("municipality", "no es un municipio conocido", "is not a known municipality")
	}
	if p, ok := b.snap.Place(place); !ok || !con.Serves(*p) {
		fe.add("place", "no es una ciudad de la circunscripción", "is not a city of the jurisdiction")
	}
	if !slices.Contains(oppStatuses, status) {
		fe.add("status", "use uno de: %s", "use one of: %s", strings.Join(oppStatuses, ", "))
	}
	if len([]rune(note)) > datasets.MaxItemText {
		fe.add("note", "tiene más de %d caracteres", "is longer than %d characters", datasets.MaxItemText)
	}
	if err := fe.err(); err != nil {
		return OppStatus{}, err
	}
	s.writeMu.Lock()
	defer s.writeMu.Unlock()
	var st OppStatus
	err := b.Store.Update(BucketOpportunities, func(bk datasets.Bucket) error {
		if old := bk.Get(oppKey(con.ID, cve, place)); old != nil {
			if err := json.Unmarshal(old, &st); err != nil {
				return err
			}
		}
		st.Status = status
		st.History = append(st.History, OppChange{Status: status, At: time.Now().UTC().Format(time.RFC3339), By: tok.Scope(), Note: note})
		raw, err := json.Marshal(st)
		if err != nil {
			return err
		}
		return bk.Put(oppKey(con.ID, cve, place), raw)
	})
	if err != nil {
		return OppStatus{}, err
	}
	s.log.Info("opportunity status", "consulate", con.ID, "municipality", cve, "place", place, "status", status)
	return st, nil
}

// oppStatusOf reads where one opportunity stands ("new" until changed).
func (b *Backend) oppStatusOf(con, cve string, place int64) (OppStatus, bool) {
	raw, ok, err := b.Store.Get(BucketOpportunities, oppKey(con, cve, place))
	if err != nil || !ok {
		return OppStatus{Status: "new"}, false
	}
	var st OppStatus
	if json.Unmarshal(raw, &st) != nil {
		return OppStatus{Status: "new"}, false
	}
	return st, true
}
