// Package index owns everything Hermanar does with Bleve: the Spanish,
// English and place-name analyzers (accent folding, stop words, stemming,
// edge n-grams), the on-disk place-name index used for search and
// autocomplete, the small profile-text index that gives the matcher its
// cross-language text relevance, and the classifier that maps a problem
// statement onto the problem taxonomy.
//
// An Index lives in one data directory:
//
//	DIR/places.bleve    every gazetteer place and Mexican municipality; built
//	                    once from the snapshot, reused at the next Open and
//	                    rebuilt only when the snapshot version or
//	                    MappingVersion changes (see places.bleve/hermanar.json)
//	DIR/profiles.bleve  profile texts, written incrementally by PutProfile
//
// What it must not do: it imports only datasets; it knows nothing of HTTP,
// scores other than text relevance, or weights (those are matcher's). It
// keeps no geographic or numeric filters in Bleve — geo fields make Bleve
// indexing about three times slower and population or distance filters
// are cheaper in Go memory — so population is stored, indexed only as
// three coarse keyword tiers that help retrieval, and combined with the
// text score in Go, where the final ranking of place names happens. It never writes user data other than the
// profile texts it is handed, and it is not the store of record for them:
// datasets' store is, and PutProfile must be replayed from it if
// profiles.bleve is lost.
package index
