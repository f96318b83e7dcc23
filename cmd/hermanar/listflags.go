package main

import (
	"flag"
	"strings"

	"hermanar/datasets"
	"hermanar/matcher"
)

// listFlags are the list rules' switches and the trait filter, shared by
// match, rank and eval lists.
type listFlags struct {
	includeTwinned, noDiversity, noSizeRule bool
	traits                                  string
}

func (f *listFlags) define(fs *flag.FlagSet) {
	fs.BoolVar(&f.includeTwinned, "include-twinned", false, "mix places already twinned with the municipality into the list (default: listed apart)")
	fs.BoolVar(&f.noDiversity, "no-diversity", false, "keep the plain score order (default: a list varied across countries and states and, for a list the second stage ranks, places reserved for shared traits)")
	fs.BoolVar(&f.noSizeRule, "no-size-rule", false, "allow candidates far outside the municipality's size class without other evidence")
	fs.StringVar(&f.traits, "trait", "", "only candidates with these traits (comma-separated: "+strings.Join(matcher.TraitNames(), ", ")+")")
}

// apply sets the filter; an unknown trait is a usage error.
func (f *listFlags) apply(flt *matcher.Filter) error {
	flt.IncludeTwinned, flt.NoDiversity, flt.NoSizeRule = f.includeTwinned, f.noDiversity, f.noSizeRule
	flt.Traits = nil
	for _, t := range strings.Split(f.traits, ",") {
		if t = strings.TrimSpace(t); t != "" {
			flt.Traits = append(flt.Traits, strings.ToLower(t))
		}
	}
	if _, err := matcher.ParseTraits("trait", flt.Traits); err != nil {
		msg := err.Error()
		if de, ok := err.(*datasets.Error); ok {
			msg = de.Msg.EN
		}
		return usageErrorf("--trait: %s", msg)
	}
	return nil
}
