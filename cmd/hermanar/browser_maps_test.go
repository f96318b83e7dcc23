package main

import (
	"encoding/base64"
	"fmt"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"
)

// exec runs a script in the page and returns its result.
func (wd *webdriver) exec(script string, args ...any) any {
	wd.t.Helper()
	if args == nil {
		args = []any{}
	}
	return wd.raw("POST", wd.s("/execute/sync"), map[string]any{"script": script, "args": args})
}

// elementShot saves a screenshot of one element.
func (wd *webdriver) elementShot(el, path string) {
	b64, _ := wd.raw("GET", wd.s("/element/"+el+"/screenshot"), nil).(string)
	png, err := base64.StdEncoding.DecodeString(b64)
	if err != nil || len(png) == 0 {
		wd.t.Errorf("element screenshot for %s failed: %v", path, err)
		return
	}
	if err := os.WriteFile(path, png, 0o644); err != nil {
		wd.t.Errorf("screenshot: %v", err)
	}
}

func (wd *webdriver) resize(w, h int) {
	wd.do("POST", wd.s("/window/rect"), map[string]any{"width": w, "height": h})
}

// visibleIn reports, from the browser's own layout, whether the element
// matching css lies inside the map and has a size: what a person sees.
const visibleInMap = `
const map = document.querySelector(arguments[0] + " svg.map");
const el = map && map.querySelector(arguments[1]);
if (!el) return "missing";
const m = map.getBoundingClientRect(), r = el.getBoundingClientRect();
if (r.width <= 0 || r.height <= 0) return "empty";
if (r.right < m.left || r.left > m.right || r.bottom < m.top || r.top > m.bottom) return "outside";
return "ok";`

// overflowing names the innermost elements that stick out to the right.
const overflowing = `
const w = document.documentElement.clientWidth, out = [];
for (const el of document.querySelectorAll("body *")) {
	if (el.closest("svg")) continue; // the SVG clips its own shapes
	const r = el.getBoundingClientRect();
	if (r.right > w + 0.5 && ![...el.children].some(c => c.getBoundingClientRect().right > w + 0.5))
		out.push(el.tagName.toLowerCase() + (el.id ? "#" + el.id : "") + (el.className && typeof el.className === "string" ? "." + el.className.split(" ").join(".") : "") + " " + Math.round(r.right) + "px");
}
return out.slice(0, 8);`

// mapsBrowserTest opens the three maps of issue 13 in Chromium, checks
// that what matters is drawn inside them, that a focused marker shows its
// name and score, and that no page scrolls sideways on a 390 px phone.
// Screenshots of each map go to /tmp/hermanar-map-*.png.
func mapsBrowserTest(t *testing.T, base string) {
	wd := startWebdriver(t)
	pages := []struct {
		name, path, shot string
		visible          []string // inside the map, by CSS selector
		focus            string   // a marker to focus; its label must show
		want             string   // text of that label
		pageMayOverflow  bool     // the page has tables this issue does not own
	}{
		{"Manuel Doblado", "/municipios/11008/coincidencias", "/tmp/hermanar-map-11008.png",
			[]string{`a[data-id="5278931"] circle`, `path.tie`, `g[data-id="muni-11008"] circle`}, `a[data-id="5278931"]`, "1. Whitewater · 0.", false},
		{"Tijuana", "/municipios/02004/coincidencias?lang=en", "/tmp/hermanar-map-02004.png",
			[]string{`g[data-id="muni-02004"] circle`, `a.mk circle`}, `a.mk:last-of-type`, "·", false},
		{"Milwaukee consulate", "/consulados/milwaukee", "/tmp/hermanar-map-milwaukee.png",
			[]string{`path[data-id="55"]`, `a[data-id="5278931"] circle`, `g[data-id="consulate-milwaukee"] circle`}, `a[data-id="5278931"]`, "Whitewater", true},
		{"Analysts", "/analisis", "/tmp/hermanar-map-analysis.png",
			[]string{`path[data-id="840"]`, `path[data-id="484"]`}, "", "", false},
	}
	// The analysts' page ranks every municipality on its first view (about
	// a second on an idle machine, much more on a busy one): warm it up
	// outside the browser's element timeout.
	client := &http.Client{Timeout: 2 * time.Minute}
	if resp, err := client.Get(base + "/analisis"); err != nil {
		t.Fatalf("warming /analisis: %v", err)
	} else {
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("/analisis: status %d", resp.StatusCode)
		}
	}
	for _, p := range pages {
		wd.resize(1280, 1400)
		wd.open(base + p.path)
		sec := wd.find("section.mapbox")
		for _, css := range p.visible {
			if got := wd.exec(visibleInMap, "section.mapbox", css); got != "ok" {
				t.Errorf("%s: %s is %v in the map", p.name, css, got)
			}
		}
		if p.focus != "" {
			got := wd.exec(`const a = document.querySelector("svg.map " + arguments[0]); a.focus();
			const l = a.querySelector(".lbl"); return [document.activeElement === a, getComputedStyle(l).visibility, l.textContent];`, p.focus)
			if v, ok := got.([]any); !ok || len(v) != 3 || v[0] != true || v[1] != "visible" || !strings.Contains(fmt.Sprint(v[2]), p.want) {
				t.Errorf("%s: focusing %s: got %v, want it focused with a visible label containing %q", p.name, p.focus, got, p.want)
			}
		}
		wd.elementShot(sec, p.shot)
		// A phone: the page must not scroll sideways, and the map must fit.
		wd.resize(390, 900)
		wd.open(base + p.path)
		wd.find("section.mapbox")
		sizes := wd.exec(`const s = document.querySelector("section.mapbox");
			return [document.documentElement.scrollWidth, document.documentElement.clientWidth, s.getBoundingClientRect().right, s.scrollWidth, s.clientWidth];`)
		v, _ := sizes.([]any)
		if len(v) != 5 {
			t.Fatalf("%s: page sizes %v", p.name, sizes)
		}
		sw, cw, right, msw, mcw := v[0].(float64), v[1].(float64), v[2].(float64), v[3].(float64), v[4].(float64)
		if right > cw || msw > mcw {
			t.Errorf("%s at 390 px: the map section ends at %g px in a %g px viewport (its content %g px in %g px)", p.name, right, cw, msw, mcw)
		}
		if sw > cw {
			if p.pageMayOverflow {
				t.Logf("%s at 390 px: the page is %g px wide in a %g px viewport, outside the map: %v", p.name, sw, cw, wd.exec(overflowing))
			} else {
				t.Errorf("%s at 390 px: page %g px wide in a %g px viewport; too wide: %v", p.name, sw, cw, wd.exec(overflowing))
			}
		}
		if p.name == "Manuel Doblado" {
			wd.exec(`document.querySelector("section.mapbox").scrollIntoView()`)
			wd.screenshot("/tmp/hermanar-map-11008-390px.png")
		}
	}
	wd.resize(1280, 1400)
	t.Logf("map screenshots: /tmp/hermanar-map-11008.png, /tmp/hermanar-map-02004.png, /tmp/hermanar-map-milwaukee.png, /tmp/hermanar-map-analysis.png, /tmp/hermanar-map-11008-390px.png")
}
