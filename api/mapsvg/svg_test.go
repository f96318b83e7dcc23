package mapsvg

import (
	"encoding/xml"
	"strings"
	"testing"

	"hermanar/datasets/atlas"
)

// svgDoc is the part of a rendered map the tests read.
type svgDoc struct {
	ViewBox string    `xml:"viewBox,attr"`
	Groups  []svgNode `xml:"g"`
}

type svgNode struct {
	XMLName xml.Name
	Attrs   []xml.Attr `xml:",any,attr"`
	Nodes   []svgNode  `xml:",any"`
	Text    string     `xml:",chardata"`
}

func (n svgNode) attr(name string) string {
	for _, a := range n.Attrs {
		if a.Name.Local == name {
			return a.Value
		}
	}
	return ""
}

// walk visits every node below the groups.
func (d svgDoc) walk(fn func(n svgNode)) {
	var rec func(n svgNode)
	rec = func(n svgNode) {
		fn(n)
		for _, c := range n.Nodes {
			rec(c)
		}
	}
	for _, g := range d.Groups {
		rec(g)
	}
}

func TestRenderEscapesAndLinks(t *testing.T) {
	world, err := LoadLayer(atlas.Countries110m, "countries")
	if err != nil {
		t.Fatal(err)
	}
	f := Fit(World, 600, 200, 400, 0, 0)
	m := &Map{Frame: f, Title: `A <map> & "more"`, Layers: []LayerDraw{{Layer: world, Fill: "#eee"}},
		Markers: []Marker{{ID: "x", Lon: -88.73, Lat: 42.83, R: 4, Color: "#000", Label: "Whitewater <WI>", Title: "Whitewater & co", Href: "/lugares/5278931"}}}
	out := m.Render()
	var d svgDoc
	if err := xml.Unmarshal([]byte(out), &d); err != nil {
		t.Fatalf("the map is not well-formed XML: %v", err)
	}
	if strings.Contains(out, "<map>") || strings.Contains(out, "<WI>") {
		t.Errorf("titles and labels must be escaped")
	}
	found := false
	d.walk(func(n svgNode) {
		if n.XMLName.Local == "a" && n.attr("data-id") == "x" {
			found = n.attr("href") == "/lugares/5278931"
		}
	})
	if !found {
		t.Errorf("the marker is not a link to its place")
	}
	if n := strings.Count(out, "<path data-id="); n < 150 {
		t.Errorf("a world map draws %d country paths, want most of the 177", n)
	}
}
