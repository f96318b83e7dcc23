// Package atlas decodes TopoJSON and ships the boundary files Hermanar draws
// and measures with: Natural Earth countries and land (npm world-atlas@2.0.2,
// public domain) and US Census states (npm us-atlas@3.0.1, public domain),
// copied byte for byte by rebuild.sh and embedded in the binary.
//
// It turns a TopoJSON object into features made of polygons of lon/lat
// rings, and nothing more: projection and drawing belong to the callers.
// It imports no other Hermanar package.
package atlas
