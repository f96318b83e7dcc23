package api

import "github.com/gin-gonic/gin"

// workflowRoutes are the endpoints from shortlist to signed agreement:
// shortlist, comparison, dossier, process tracker and its deadlines.
func (s *Server) workflowRoutes(v1 *gin.RouterGroup) {
	v1.GET("/municipalities/:cvegeo/shortlist", s.getShortlist)
	v1.POST("/municipalities/:cvegeo/shortlist", s.postShortlist)
	v1.DELETE("/municipalities/:cvegeo/shortlist/:place", s.deleteShortlist)
	v1.GET("/municipalities/:cvegeo/compare", s.getCompare)
}
