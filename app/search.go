package app

import (
	"html/template"

	"github.com/gofiber/fiber/v2"

	"github.com/serviceacademy/academy/courses"
)

// promiseHit is a service promise that matches a search.
type promiseHit struct {
	Text template.HTML
}

// searchShow is the knowledge base: lessons of published courses and the
// company's own promises, matches highlighted.
func (s *Server) searchShow(c *fiber.Ctx) error {
	q := queryTrimmed(c, "q")
	if len([]rune(q)) > 200 {
		q = string([]rune(q)[:200])
	}
	data := fiber.Map{"Title": "Knowledge base", "Q": q}
	if q != "" {
		hits, err := s.courses.Search(c.UserContext(), q, 20)
		if err != nil {
			return err
		}
		prof, err := s.courses.CompanyProfile(c.UserContext())
		if err != nil {
			return err
		}
		var promises []promiseHit
		for _, p := range prof.Company().Promises {
			if h, ok := courses.MatchText(q, p); ok {
				promises = append(promises, promiseHit{Text: h})
			}
		}
		data["Hits"], data["Promises"] = hits, promises
		data["Searched"] = true
	}
	return s.render(c, "learn/search", data)
}
