// Package api is Hermanar's HTTP side: the Gin router, the JSON API under
// /api/v1 (described by the embedded, hand-written openapi.yaml), the
// server-rendered pages for liaison officers, analysts and consulates
// (embedded templates and assets, Spanish by default, English on request),
// bearer-token roles and the error renderer.
//
// What it owns: routing, input parsing and validation at the edge, the
// mapping from datasets error codes to HTTP statuses (errors.go, one
// place), the choice of language, authentication and scopes (auth.go), the
// order of a write (store first, fsync'd, then the live engine and the
// index), and a small cache of rendered match lists that every write
// invalidates.
//
// What it must not do: score (matcher does), search or classify text
// (index does), or read configuration (cmd/hermanar passes plain values).
// Handlers never pass *gin.Context to goroutines and never panic on input;
// they return errors that one renderer turns into JSON or HTML.
package api
