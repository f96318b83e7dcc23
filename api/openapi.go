package api

import (
	"bytes"
	_ "embed"
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"

	"hermanar/matcher"
)

// openapiSource is the hand-written description of the JSON API. Where a
// list of component names belongs it says [__components__]: the names
// come from matcher's declared list, so a new component is in the spec's
// enums with no edit here.
//
//go:embed openapi.yaml
var openapiSource []byte

// OpenAPI is the spec served at /api/v1/openapi.yaml and checked against
// real answers by the tests.
var OpenAPI = specWithComponents(openapiSource, matcher.ExplainedComponents)

// specWithComponents fills the component enums of src with comps.
func specWithComponents(src []byte, comps []string) []byte {
	return bytes.ReplaceAll(src, []byte("[__components__]"), []byte("["+strings.Join(comps, ", ")+"]"))
}

func (s *Server) openapi(c *gin.Context) {
	c.Header("Cache-Control", "public, max-age=3600")
	c.Data(http.StatusOK, "application/yaml; charset=utf-8", OpenAPI)
}
