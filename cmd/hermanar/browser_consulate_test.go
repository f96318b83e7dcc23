package main

import (
	"strings"
	"testing"
)

// consulateBrowserTest is what the Consulate in Milwaukee does in the
// seed case, in a browser: sign in, record from its page what a city of
// its jurisdiction offers and seeks, a contact and the city's interest in
// Manuel Doblado; then the liaison's matches page shows the problems
// component for that city, with what each side offers.
func consulateBrowserTest(t *testing.T, base, consulateToken, liaisonToken string) {
	wd := startWebdriver(t)
	signIn(t, wd, base, consulateToken)
	wd.open(base + "/consulados/milwaukee?lang=es")
	set := func(css, text string) {
		el := wd.find(css)
		wd.exec("arguments[0].value = ''", map[string]any{elementKey: el})
		wd.typeText(el, text)
	}
	set("#city-form input[name=city]", "Madison, Wisconsin")
	set("#city-form textarea[name=offers]", "reutilización de aguas residuales tratadas para riego\nmanejo de inundaciones con vasos reguladores")
	set("#city-form textarea[name=seeks]", "intercambio cultural con la comunidad mexicana")
	set("#city-form input[name=contact_name]", "Oficina de Relaciones Internacionales")
	set("#city-form input[name=interest_municipality]", "11008")
	set("#city-form input[name=interest_date]", "2026-11-30")
	set("#city-form input[name=source]", "visita del cónsul, noviembre de 2026")
	wd.screenshot("/tmp/hermanar-consulate-form.png")
	wd.click(wd.find("#city-save"))
	wd.waitURL("guardado=1")
	cities := wd.text(wd.find("#cities"))
	for _, want := range []string{"Madison", "reutilización de aguas residuales tratadas para riego", "visita del cónsul", "Manuel Doblado"} {
		if !strings.Contains(cities, want) {
			t.Errorf("the consulate's cities lack %q:\n%s", want, cities)
		}
	}
	signIn(t, wd, base, liaisonToken)
	wd.open(base + "/municipios/11008/coincidencias?only_profiled=true&lang=es")
	m := wd.text(wd.find("li.match#p5261457"))
	for _, want := range []string{"Problemas en común", "Madison ofrece", "Manuel Doblado", "visita del cónsul"} {
		if !strings.Contains(m, want) {
			t.Errorf("Madison's explanation on the liaison's page lacks %q:\n%s", want, m)
		}
	}
	wd.screenshot("/tmp/hermanar-consulate-then-liaison.png")
}
