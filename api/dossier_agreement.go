package api

import (
	"strings"

	"hermanar/datasets"
)

// The agreement draft follows the order of the SRE's model agreement
// (fourteen articles); the wording is Hermanar's own, written as a draft
// for the SRE's review under the Law on the Celebration of Treaties.

var romans = []string{"I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X", "XI", "XII", "XIII", "XIV"}

// agreementParties holds the names that fill the draft (and an official
// template's placeholders).
type agreementParties struct {
	MexCity, MexState, ForCity, ForState, ForCountry string
	MexOffice, ForOffice, Languages, Areas           string
}

func (x *dossierCtx) parties() agreementParties {
	langs := x.tr("español", "Spanish")
	if pl := partnerLanguage(x.p.Country, x.lang); pl != "" {
		langs = x.tr("español e %s", "Spanish and %s", pl)
		if x.lang == "es" && !strings.HasPrefix(pl, "i") {
			langs = "español y " + pl
		}
	}
	return agreementParties{MexCity: x.m.Name, MexState: x.m.StateName, ForCity: x.p.Name, ForState: x.placeState, ForCountry: x.country,
		MexOffice: x.tr("[oficina de %s a cargo del hermanamiento]", "[office of %s in charge of the twinning]", x.m.Name),
		ForOffice: x.tr("[oficina de %s a cargo del hermanamiento]", "[office of %s in charge of the twinning]", x.p.Name),
		Languages: langs, Areas: joinAnd(x.areaList(), x.lang)}
}

// agreementArticle is one article of the draft: its title and, for the
// articles whose wording names no party, the wording itself (a paragraph,
// an optional list, an optional closing paragraph).
type agreementArticle struct {
	title   T
	intro   T
	bullets []T
	after   T
}

// agreementArticles are the fourteen articles, in order; those with an
// intro are written by fixedArticle, the others by agreement itself.
var agreementArticles = [14]agreementArticle{
	{ // 1
		title: T{ES: "Objeto", EN: "Objective"},
	},
	{ // 2
		title: T{ES: "Áreas de cooperación", EN: "Areas of cooperation"},
	},
	{ // 3
		title: T{ES: "Modalidades de cooperación", EN: "Modalities of cooperation"},
		intro: T{ES: "La cooperación se llevará a cabo mediante:",
			EN: "Cooperation will take place through:"},
		bullets: []T{
			{ES: "el intercambio de información económica relevante;", EN: "the exchange of relevant economic information;"},
			{ES: "la búsqueda conjunta de socios y acciones de promoción, incluidas exposiciones, para reforzar proyectos definidos;", EN: "joint partner search and promotion, exhibitions included, to strengthen defined projects;"},
			{ES: "la participación empresarial y la promoción de ambas ciudades en ferias, exposiciones y congresos;", EN: "business participation and the promotion of both cities at fairs, exhibitions and conferences;"},
			{ES: "la colaboración entre empresas públicas y privadas;", EN: "collaboration between public and private companies;"},
			{ES: "programas culturales y artísticos —giras, conciertos, coproducciones— con los recursos de cada ciudad;", EN: "cultural and artistic programmes (tours, concerts, co-productions) drawing on each city's resources;"},
			{ES: "la colaboración entre universidades y centros de investigación, y", EN: "collaboration between universities and research centres, and"},
			{ES: "cualquier otra modalidad que las Partes acuerden.", EN: "any other modality the Parties agree upon."},
		},
	},
	{ // 4
		title: T{ES: "Competencia", EN: "Competence"},
		intro: T{ES: "Cada Parte realizará estas actividades dentro de sus atribuciones y conforme a las leyes y normas que la rigen.",
			EN: "Each Party will carry out these activities within its powers and under the laws and rules that govern it."},
	},
	{ // 5
		title: T{ES: "Programas Anuales de Acción", EN: "Annual Action Programmes"},
		intro: T{ES: "Las Partes acordarán Programas Anuales de Acción (PAA), que formarán parte de este Acuerdo una vez formalizados. Cada programa precisará:",
			EN: "The Parties will agree on Annual Action Programmes (AAPs), which become part of this Agreement once formalized. Each programme will state:"},
		bullets: []T{
			{ES: "objetivos y actividades;", EN: "objectives and activities;"},
			{ES: "calendario de trabajo;", EN: "a work calendar;"},
			{ES: "perfil, número y duración del personal asignado;", EN: "the profile, number and duration of the staff assigned;"},
			{ES: "responsabilidades de cada Parte;", EN: "each Party's responsibilities;"},
			{ES: "recursos materiales, humanos y financieros;", EN: "material, human and financial resources;"},
			{ES: "mecanismos y criterios de evaluación, y", EN: "evaluation mechanisms and criteria, and"},
			{ES: "cualquier otra información pertinente.", EN: "any other relevant information."},
		},
		after: T{ES: "Ninguna Parte está obligada a cooperar en todas las modalidades ni en actividades que su legislación, sus normas o sus costumbres impidan. Las Partes se reunirán una vez al año para evaluar resultados y proponer nuevas líneas de trabajo, elaborarán informes de avance y los comunicarán a sus respectivas cancillerías. El primer Programa Anual de Acción se formulará dentro de los sesenta (60) días siguientes a la firma.",
			EN: "Neither Party is bound to cooperate in every modality, nor in activities its laws, rules or customs prevent. The Parties will meet once a year to evaluate results and propose new lines of work, and will prepare progress reports and share them with their respective foreign ministries. The first Annual Action Programme will be drawn up within sixty (60) days of signing."},
	},
	{ // 6
		title: T{ES: "Propuestas adicionales", EN: "Additional proposals"},
		intro: T{ES: "Además de los Programas Anuales de Acción, cada Parte podrá presentar propuestas que surjan durante su ejecución.",
			EN: "Besides the Annual Action Programmes, either Party may put forward proposals that arise while carrying them out."},
	},
	{ // 7
		title: T{ES: "Grupo de trabajo", EN: "Working group"},
	},
	{ // 8
		title: T{ES: "Financiamiento", EN: "Financing"},
		intro: T{ES: "Cada Parte cubrirá los gastos de su participación con los recursos de su presupuesto, según su disponibilidad y su legislación, salvo que para actividades concretas se acuerden otras fuentes de financiamiento.",
			EN: "Each Party will meet the costs of its own participation from its budget, as available and as its laws allow, unless other sources of funding are agreed for specific activities."},
	},
	{ // 9
		title: T{ES: "Información y material protegidos", EN: "Protected information and material"},
		intro: T{ES: "No se transferirá información, material ni equipo que la legislación de alguna Parte clasifique por razones de seguridad nacional o de relaciones exteriores. Si durante las actividades se identifica algo que requiera protección, las Partes lo informarán a las autoridades competentes y fijarán por escrito las medidas del caso. La transferencia de bienes no clasificados pero sujetos a control de exportación se hará conforme a la legislación aplicable.",
			EN: "No information, material or equipment that either Party's laws classify for national security or foreign relations reasons will be transferred. If anything requiring protection is identified during the activities, the Parties will inform the competent authorities and set the appropriate measures in writing. Goods that are not classified but are subject to export controls will be transferred under the applicable laws."},
	},
	{ // 10
		title: T{ES: "Otros instrumentos internacionales", EN: "Other international instruments"},
		intro: T{ES: "Este Acuerdo no afecta los derechos y obligaciones de las Partes derivados de otros instrumentos internacionales.",
			EN: "This Agreement does not affect the Parties' rights and obligations under other international instruments."},
	},
	{ // 11
		title: T{ES: "Propiedad intelectual", EN: "Intellectual property"},
		intro: T{ES: "Los derechos de propiedad intelectual y los productos con valor comercial que resulten de las actividades se regirán por la legislación nacional aplicable y por las convenciones internacionales que obliguen a ambas Partes.",
			EN: "Intellectual property rights and products of commercial value arising from the activities will be governed by the applicable national laws and by the international conventions binding on both Parties."},
	},
	{ // 12
		title: T{ES: "Personal", EN: "Staff"},
		intro: T{ES: "El personal de cada Parte seguirá bajo la dirección de la institución a la que pertenece, sin relación laboral con la otra Parte. Las Partes facilitarán la entrada y salida de los participantes oficiales, quienes observarán las leyes migratorias, fiscales, aduaneras, sanitarias y de seguridad del país receptor y solo realizarán las actividades de su encargo. Las Partes procurarán que ese personal cuente con seguros médicos, de daños y de vida.",
			EN: "Each Party's staff will remain under the direction of the institution they belong to, with no employment relationship with the other Party. The Parties will ease the entry and exit of official participants, who will observe the receiving country's immigration, tax, customs, health and security laws and carry out only the tasks they were sent for. The Parties will see that such staff have medical, accident and life insurance."},
	},
	{ // 13
		title: T{ES: "Solución de controversias", EN: "Settlement of disputes"},
		intro: T{ES: "Las diferencias sobre la interpretación o aplicación de este Acuerdo se resolverán de común acuerdo entre las Partes.",
			EN: "Differences over the interpretation or application of this Agreement will be settled by mutual agreement between the Parties."},
	},
	{ // 14
		title: T{ES: "Disposiciones finales", EN: "Final provisions"},
	},
}

// fixedArticle writes article n from agreementArticles.
func (x *dossierCtx) fixedArticle(n int) {
	a := agreementArticles[n-1]
	x.article(n, a.title.ES, a.title.EN)
	x.add(blockPara, x.pick(a.intro.ES, a.intro.EN))
	for _, b := range a.bullets {
		x.add(blockBullet, x.pick(b.ES, b.EN))
	}
	if a.after.ES != "" {
		x.add(blockPara, x.pick(a.after.ES, a.after.EN))
	}
}

func (x *dossierCtx) article(n int, es, en string) {
	x.add(blockH2, x.tr("Artículo %s. %s", "Article %s. %s", romans[n-1], x.pick(es, en)))
}

func (x *dossierCtx) agreement() {
	a := x.parties()
	x.add(blockBreak, "")
	x.add(blockH1, x.tr("4. Borrador del acuerdo interinstitucional", "4. Draft inter-institutional agreement"))
	x.add(blockPara, x.tr("Borrador para la revisión de la Secretaría de Relaciones Exteriores, a la que el artículo 7 de la Ley sobre la Celebración de Tratados obliga a notificar antes de firmar. Sigue la estructura de catorce artículos del acuerdo modelo de la SRE; la redacción es de Hermanar y deberá ajustarse al dictamen.",
		"Draft for the review of Mexico's Ministry of Foreign Affairs (SRE), which article 7 of the Law on the Celebration of Treaties requires to be notified before signing. It follows the fourteen-article structure of the SRE's model agreement; the wording is Hermanar's and must be adjusted to the SRE's opinion."))
	x.add(blockH2, x.tr("ACUERDO DE HERMANAMIENTO ENTRE EL MUNICIPIO DE %s, ESTADO DE %s, ESTADOS UNIDOS MEXICANOS, Y LA CIUDAD DE %s, %s, %s",
		"TWINNING AGREEMENT BETWEEN THE MUNICIPALITY OF %s, STATE OF %s, UNITED MEXICAN STATES, AND THE CITY OF %s, %s, %s",
		strings.ToUpper(a.MexCity), strings.ToUpper(a.MexState), strings.ToUpper(a.ForCity), strings.ToUpper(a.ForState), strings.ToUpper(a.ForCountry)))
	x.add(blockPara, x.tr("El Municipio de %s, del Estado de %s, de los Estados Unidos Mexicanos, y la Ciudad de %s, de %s, %s (en adelante, «las Partes»):",
		"The Municipality of %s, State of %s, United Mexican States, and the City of %s, %s, %s (hereinafter \"the Parties\"):", a.MexCity, a.MexState, a.ForCity, a.ForState, a.ForCountry))
	x.add(blockBullet, x.tr("Deseosas de estrechar la amistad y la cooperación entre sus comunidades;", "Wishing to deepen friendship and cooperation between their communities;"))
	x.add(blockBullet, x.tr("Con la intención de emprender actividades conjuntas conforme a las leyes de sus respectivos países, en particular en los temas que este Acuerdo señala;", "Intending to undertake joint activities under the laws of their respective countries, in particular on the subjects this Agreement names;"))
	x.add(blockBullet, x.tr("Decididas a dar a esa relación un cauce jurídico formal;", "Resolved to give that relationship a formal legal footing;"))
	x.add(blockBullet, x.tr("Convencidas de que mecanismos claros de cooperación y proyectos eficaces contribuyen al desarrollo económico y social de ambas;", "Convinced that clear cooperation mechanisms and effective projects contribute to the economic and social development of both;"))
	x.add(blockPara, x.tr("Acuerdan lo siguiente:", "Agree as follows:"))

	x.article(1, agreementArticles[0].title.ES, agreementArticles[0].title.EN)
	x.add(blockPara, x.tr("Este Acuerdo formaliza el hermanamiento entre %s y %s, con el fin de promover el entendimiento entre ambas y entre las instituciones de sus territorios, sumar esfuerzos, intercambiar experiencias y realizar actividades comunes.",
		"This Agreement formalizes the twinning between %s and %s, in order to foster understanding between them and the institutions of their territories, join efforts, exchange experience and carry out common activities.", a.MexCity, a.ForCity))

	x.article(2, agreementArticles[1].title.ES, agreementArticles[1].title.EN)
	x.add(blockPara, x.tr("Para cumplir su objeto, las Partes desarrollarán proyectos de cooperación, sin limitarse a ellas, en las siguientes áreas:", "To meet its objective, the Parties will develop cooperation projects in the following areas, without being limited to them:"))
	for _, code := range x.areas {
		x.add(blockBullet, code+") "+datasets.AreaLabel(code, x.lang))
	}
	if len(x.areas) == 0 {
		x.add(blockBullet, x.tr("[Indique las áreas a–h que se acuerden.]", "[Name the areas a–h agreed upon.]"))
	}
	x.add(blockPara, x.tr("Y en cualquier otra que las Partes convengan por escrito.", "And in any other area the Parties agree upon in writing."))

	for n := 3; n <= 6; n++ {
		x.fixedArticle(n)
	}

	x.article(7, agreementArticles[6].title.ES, agreementArticles[6].title.EN)
	x.add(blockPara, x.tr("Para coordinar, supervisar y evaluar las actividades, las Partes integran un Grupo de Trabajo con representantes de ambas. Por %s, %s, se designa a %s; por %s, %s, se designa a %s.",
		"To coordinate, supervise and evaluate the activities, the Parties form a Working Group with representatives of both. For %s, %s, the designated office is %s; for %s, %s, it is %s.",
		a.MexCity, a.MexState, a.MexOffice, a.ForCity, a.ForCountry, a.ForOffice))
	x.add(blockPara, x.tr("El Grupo se reunirá periódicamente donde las Partes acuerden; tomará las decisiones necesarias para cumplir este Acuerdo, identificará temas de interés común para formular proyectos, orientará y recomendará acciones, recibirá y aprobará los informes de avance, y ejercerá las demás funciones que las Partes le confíen.",
		"The Group will meet periodically wherever the Parties agree; it will take the decisions needed to fulfil this Agreement, identify subjects of common interest to shape projects, guide and recommend actions, receive and approve the progress reports, and perform any other tasks the Parties entrust to it."))

	for n := 8; n <= 13; n++ {
		x.fixedArticle(n)
	}

	x.article(14, agreementArticles[13].title.ES, agreementArticles[13].title.EN)
	x.add(blockPara, x.tr("Este Acuerdo entrará en vigor en la fecha de su firma y tendrá una vigencia de cinco (5) años, renovable por periodos iguales previa evaluación y aceptación de ambas Partes por escrito. Podrá modificarse de común acuerdo, por escrito, indicando la fecha en que la modificación surta efecto. Cualquiera de las Partes podrá darlo por terminado mediante aviso escrito a la otra con sesenta (60) días de anticipación; la terminación no afectará las actividades formalizadas durante su vigencia, que se concluirán.",
		"This Agreement enters into force on the date of its signature and remains in force for five (5) years, renewable for equal periods after both Parties evaluate and accept it in writing. It may be amended by mutual agreement, in writing, stating the date the amendment takes effect. Either Party may end it by written notice to the other sixty (60) days in advance; ending it does not affect the activities formalized while it was in force, which will be completed."))

	x.add(blockPara, x.tr("Firmado en ____________, el ___ de ____________ de ______, en dos ejemplares originales en %s, ambos igualmente auténticos.",
		"Signed at ____________ on ____________ ___, ______, in two original copies in %s, both texts being equally authentic.", a.Languages))
	x.add(blockPara, x.tr("POR EL MUNICIPIO DE %s, ESTADO DE %s, ESTADOS UNIDOS MEXICANOS\n\n[Nombre]\nPresidente(a) Municipal", "FOR THE MUNICIPALITY OF %s, STATE OF %s, UNITED MEXICAN STATES\n\n[Name]\nMunicipal President",
		strings.ToUpper(a.MexCity), strings.ToUpper(a.MexState)))
	x.add(blockPara, x.tr("POR LA CIUDAD DE %s, %s, %s\n\n[Nombre]\nAlcalde(sa)", "FOR THE CITY OF %s, %s, %s\n\n[Name]\nMayor",
		strings.ToUpper(a.ForCity), strings.ToUpper(a.ForState), strings.ToUpper(a.ForCountry)))
	x.add(blockPara, x.tr("TESTIGO DE HONOR\n\n[Nombre y cargo]", "HONORARY WITNESS\n\n[Name and position]"))
}
