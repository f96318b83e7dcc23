// Package datasets owns Hermanar's records (places, municipalities,
// localities, diaspora ties, twinnings, consulates, profiles, taxonomy),
// the embedded default snapshot built from GeoNames, the readers and
// writers for Parquet and CSV, the importers of official Mexican files and
// the persistent store of user-entered data.
//
// It imports no other Hermanar package and knows nothing of HTTP, Bleve or
// scoring: those live in api, index and matcher.
package datasets
