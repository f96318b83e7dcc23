// Package mapsvg draws small inline SVG maps on the server: an Equal Earth
// projection, a frame zoomed to the places of interest, country or state
// shapes from the embedded atlas (hermanar/datasets/atlas), and markers and
// lines with titles and links. The output needs no script, no tiles and no
// network; it scales to its container through its viewBox.
//
// It knows nothing of matches or consulates and carries no fixed text:
// callers pass every label already in the page's language.
package mapsvg
