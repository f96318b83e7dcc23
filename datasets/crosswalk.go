package datasets

// GeoNames numbers Mexico's states alphabetically by their English names at
// the time, INEGI by their Spanish names, so four codes disagree:
// GeoNames 05 Chiapas, 06 Chihuahua, 07 Coahuila, 08 Colima versus INEGI 05
// Coahuila, 06 Colima, 07 Chiapas, 08 Chihuahua. Municipal codes agree.
var geonamesToINEGI = map[string]string{"05": "07", "06": "08", "07": "05", "08": "06"}

// INEGIState converts a GeoNames admin1 code for Mexico to the INEGI state code.
func INEGIState(geonamesAdmin1 string) string {
	if s, ok := geonamesToINEGI[geonamesAdmin1]; ok {
		return s
	}
	return geonamesAdmin1
}

// GeoNamesAdmin1 converts an INEGI state code to the GeoNames admin1 code.
// The mapping is its own inverse.
func GeoNamesAdmin1(inegiState string) string { return INEGIState(inegiState) }

// INEGIStateNames are the official short state names by INEGI code.
var INEGIStateNames = map[string]string{
	"01": "Aguascalientes", "02": "Baja California", "03": "Baja California Sur", "04": "Campeche",
	"05": "Coahuila de Zaragoza", "06": "Colima", "07": "Chiapas", "08": "Chihuahua",
	"09": "Ciudad de México", "10": "Durango", "11": "Guanajuato", "12": "Guerrero",
	"13": "Hidalgo", "14": "Jalisco", "15": "México", "16": "Michoacán de Ocampo",
	"17": "Morelos", "18": "Nayarit", "19": "Nuevo León", "20": "Oaxaca",
	"21": "Puebla", "22": "Querétaro", "23": "Quintana Roo", "24": "San Luis Potosí",
	"25": "Sinaloa", "26": "Sonora", "27": "Tabasco", "28": "Tamaulipas",
	"29": "Tlaxcala", "30": "Veracruz de Ignacio de la Llave", "31": "Yucatán", "32": "Zacatecas",
}

// INEGIStateAbbr are the abbreviations of the states people write after a
// municipality ("Manuel Doblado, Gto."), by INEGI code.
var INEGIStateAbbr = map[string]string{
	"01": "Ags.", "02": "B. C.", "03": "B. C. S.", "04": "Camp.", "05": "Coah.", "06": "Col.",
	"07": "Chis.", "08": "Chih.", "09": "CDMX", "10": "Dgo.", "11": "Gto.", "12": "Gro.",
	"13": "Hgo.", "14": "Jal.", "15": "Méx.", "16": "Mich.", "17": "Mor.", "18": "Nay.",
	"19": "N. L.", "20": "Oax.", "21": "Pue.", "22": "Qro.", "23": "Q. Roo", "24": "S. L. P.",
	"25": "Sin.", "26": "Son.", "27": "Tab.", "28": "Tamps.", "29": "Tlax.", "30": "Ver.",
	"31": "Yuc.", "32": "Zac.",
}

// MunicipalityOf returns the CVEGEO of the Mexican municipality a place
// lies in, from its GeoNames admin codes.
func MunicipalityOf(p *Place) (string, bool) {
	if p.Country != "MX" || len(p.Admin1) != 2 || len(p.Admin2) != 3 {
		return "", false
	}
	return INEGIState(p.Admin1) + p.Admin2, true
}

// ValidCVEGEO reports whether s looks like a municipal CVEGEO: five digits
// with a state code 01–32.
func ValidCVEGEO(s string) bool {
	if len(s) != 5 {
		return false
	}
	for i := 0; i < 5; i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	_, ok := INEGIStateNames[s[:2]]
	return ok
}
