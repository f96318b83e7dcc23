package api

import "github.com/gin-gonic/gin"

// workflowRoutes are the endpoints from shortlist to signed agreement:
// shortlist, comparison, dossier, process tracker and its deadlines.
func (s *Server) workflowRoutes(v1 *gin.RouterGroup) {
	v1.GET("/municipalities/:cvegeo/shortlist", s.getShortlist)
	v1.POST("/municipalities/:cvegeo/shortlist", s.postShortlist)
	v1.DELETE("/municipalities/:cvegeo/shortlist/:place", s.deleteShortlist)
	v1.GET("/municipalities/:cvegeo/compare", s.getCompare)
	v1.GET("/municipalities/:cvegeo/processes", s.listMunicipalityProcesses)
	v1.POST("/municipalities/:cvegeo/processes", s.postProcess)
	v1.GET("/municipalities/:cvegeo/processes/:place", s.getProcess)
	v1.POST("/municipalities/:cvegeo/processes/:place/events", s.postProcessEvent)
	v1.DELETE("/municipalities/:cvegeo/processes/:place/events/:id", s.deleteProcessEvent)
	v1.POST("/municipalities/:cvegeo/processes/:place/comments", s.postProcessComment)
	v1.GET("/municipalities/:cvegeo/processes/:place/deadlines.ics", s.getProcessICS)
	v1.GET("/municipalities/:cvegeo/deadlines.ics", s.getMunicipalityICS)
	v1.GET("/municipalities/:cvegeo/dossier/:place", s.getDossier)
	v1.GET("/dossier/templates/:lang", s.getTemplate)
	v1.PUT("/dossier/templates/:lang", s.putTemplate)
	v1.DELETE("/dossier/templates/:lang", s.deleteTemplate)
	v1.GET("/processes", s.listProcesses)
	v1.GET("/states/administration", s.listAdminTerms)
	v1.PUT("/states/:state/administration", s.putAdminTerm)
}
