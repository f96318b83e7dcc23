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
				fe.Addf(f+".place_id", "no es un lugar conocido", "is not a known place")
			case pl.Country == "MX":
				fe.Addf(f+".place_id", "%s está en México; el destino de los migrantes es un lugar en el extranjero", "%s is in Mexico; a migrant destination is a place abroad", pl.Name)
			default:
				ids[i] = d.PlaceID
			}
			continue
		}
		c, err := r.ResolveUnique(d.Place, ResolveOptions{})
		switch {
		case err != nil:
			fe.AddErr(f+".place", err)
		case c.Country == "MX":
			fe.Addf(f+".place", "%s está en México; el destino de los migrantes es un lugar en el extranjero", "%s is in Mexico; a migrant destination is a place abroad", c.Label())
		default:
			ids[i] = c.ID
		}
	}
	if err := fe.Err(Text{ES: "El perfil tiene campos no válidos.", EN: "the profile has invalid fields"}); err != nil {
		return err
	}
	for i := range p.Diaspora {
		p.Diaspora[i].PlaceID = ids[i]
	}
	return nil
}
