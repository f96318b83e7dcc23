package datasets

import "fmt"

// ResolveDiaspora gives every diaspora entry of p the GeoNames id of its
// destination, the way a tie's destination is resolved: a place_id must
// name a known place abroad; a name must resolve to exactly one place
// abroad. Every entry that does not is reported under its field
// ("diaspora[2].place"), an ambiguous name with its candidates, and p is
// left as it was. Call it after Validate.
func (r *Resolver) ResolveDiaspora(p *Profile) error {
	fe := FieldErrors{}
	ids := make([]int64, len(p.Diaspora))
	for i, d := range p.Diaspora {
		f := fmt.Sprintf("diaspora[%d]", i)
		if d.PlaceID != 0 {
			pl, ok := r.snap.Place(d.PlaceID)
			switch {
			case !ok:
				fe.Add(f+".place_id", "is not a known place")
			case pl.Country == "MX":
				fe.Add(f+".place_id", "%s is in Mexico; a migrant destination is a place abroad", pl.Name)
			default:
				ids[i] = d.PlaceID
			}
			continue
		}
		c, err := r.ResolveUnique(d.Place, ResolveOptions{})
		switch {
		case err != nil:
			fe.Add(f+".place", "%s", err.Error())
		case c.Country == "MX":
			fe.Add(f+".place", "%s is in Mexico; a migrant destination is a place abroad", c.Label())
		default:
			ids[i] = c.ID
		}
	}
	if err := fe.Err("the profile has invalid fields"); err != nil {
		return err
	}
	for i := range p.Diaspora {
		p.Diaspora[i].PlaceID = ids[i]
	}
	return nil
}
