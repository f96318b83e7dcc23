// Package matcher scores foreign candidate places against a Mexican
// municipality's profile and explains every score.
//
// It owns the features, the six components (problems, areas, diaspora,
// text, structure, network), the weights and their calibration, top-k
// selection, reciprocity and the evaluation metrics. It reads records from
// datasets and asks an index for text relevance and classification through
// small interfaces; it never touches HTTP, flags or files other than a
// weights JSON it is handed.
package matcher
