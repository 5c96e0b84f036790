package app

import (
	"slices"
	"testing"

	"github.com/gofiber/fiber/v2"
)

// TestRouteRegisterOrder: a fixed segment goes before a parameter at the
// first segment where two paths differ; otherwise the written order stays.
func TestRouteRegisterOrder(t *testing.T) {
	for _, tc := range []struct {
		name    string
		written []string
		want    []string
	}{
		{"FixedBeforeParameter", []string{"/people/:number", "/people/new"}, []string{"/people/new", "/people/:number"}},
		{"SuffixBeforeParameter", []string{"/certificates/:code", "/certificates/:code.pdf"}, []string{"/certificates/:code.pdf", "/certificates/:code"}},
		{"FirstDifferenceDecides", []string{"/authoring/:slug/copy", "/authoring/checklists/:slug"}, []string{"/authoring/checklists/:slug", "/authoring/:slug/copy"}},
		{"WrittenOrderOtherwise", []string{"/team", "/matrix", "/people/:number/team", "/people/:number/edit"}, []string{"/team", "/matrix", "/people/:number/team", "/people/:number/edit"}},
		{"ShorterFirst", []string{"/people/:number/team", "/people/:number"}, []string{"/people/:number", "/people/:number/team"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var rt routeTable
			for _, p := range tc.written {
				rt.add(fiber.MethodGet, p, func(c *fiber.Ctx) error { return nil })
			}
			app := fiber.New()
			rt.register(app)
			var got []string
			for _, r := range app.GetRoutes() { // in the order fiber tries them
				got = append(got, r.Path)
			}
			if !slices.Equal(got, tc.want) {
				t.Fatalf("got %v, want %v", got, tc.want)
			}
		})
	}
}
