package app

import (
	"context"
	"fmt"
	"slices"
	"testing"

	"github.com/serviceacademy/academy/courses"
	"github.com/serviceacademy/academy/demo"
	"github.com/serviceacademy/academy/store"
	"github.com/serviceacademy/academy/store/storetest"
)

// TestReadinessPage walks the keyset pages of the head of customer
// service's line with several page sizes, by name and worst first: every
// person once, in order, whatever the page size.
func TestReadinessPage(t *testing.T) {
	ctx := context.Background()
	db := storetest.MustOpen(t, "sqlite")
	if _, _, err := demo.Load(ctx, db, "a-password-for-tests", "http://localhost"); err != nil {
		t.Fatal(err)
	}
	s := newServer(Config{DB: db})
	head, err := s.people.FindEmployeeByNumber(ctx, "BW1003")
	if err != nil {
		t.Fatal(err)
	}
	line := courses.ReadinessFilter{LineOf: head.ID}
	all, sum, _, err := s.courses.ReadinessList(ctx, line)
	if err != nil {
		t.Fatal(err)
	}
	if len(all) < 40 || sum.Ready == 0 || sum.AtRisk == 0 || sum.NotReady == 0 {
		t.Fatalf("demo changed: %d people, %+v", len(all), sum)
	}
	numbers := func(list []courses.ReadinessEntry) []string {
		out := make([]string, len(list))
		for i, e := range list {
			out[i] = e.Number
		}
		return out
	}
	rank := map[courses.Readiness]int{courses.NotReady: 0, courses.AtRisk: 1, courses.Ready: 2}
	worstFirst := slices.Clone(all)
	slices.SortStableFunc(worstFirst, func(a, b courses.ReadinessEntry) int { return rank[a.Status] - rank[b.Status] })
	atRisk := slices.DeleteFunc(slices.Clone(all), func(e courses.ReadinessEntry) bool { return e.Status != courses.AtRisk })

	for _, c := range []struct {
		name     string
		f        courses.ReadinessFilter
		byStatus bool
		want     []courses.ReadinessEntry
	}{
		{"ByName", line, false, all},
		{"WorstFirst", line, true, worstFirst},
		{"WorstFirstAtRiskOnly", courses.ReadinessFilter{LineOf: head.ID, Status: courses.AtRisk}, true, atRisk},
	} {
		for _, limit := range []int{1, 2, sum.NotReady, sum.NotReady + sum.AtRisk, 7, len(all) - 1, len(all), 100} {
			t.Run(fmt.Sprintf("%s/%d", c.name, limit), func(t *testing.T) {
				var got []courses.ReadinessEntry
				after := ""
				for pages := 0; ; pages++ {
					list, psum, next, err := s.readinessPage(ctx, c.f, c.byStatus, after, limit)
					if err != nil {
						t.Fatalf("page %d after %q: %v", pages, after, err)
					}
					if len(list) > limit || psum != sum || pages > len(all)+1 {
						t.Fatalf("page %d: %d rows, summary %+v", pages, len(list), psum)
					}
					if next != "" && len(list) == 0 {
						t.Fatalf("page %d is empty but has a next page", pages)
					}
					got = append(got, list...)
					if next == "" {
						break
					}
					after = next
				}
				if !slices.Equal(numbers(got), numbers(c.want)) {
					t.Errorf("got %v\nwant %v", numbers(got), numbers(c.want))
				}
			})
		}
	}
	if _, _, _, err := s.readinessPage(ctx, line, true, "unknown~", 10); store.FieldOf(err) != "after" {
		t.Errorf("a cursor of no readiness: %v", err)
	}
	if _, _, _, err := s.readinessPage(ctx, line, true, "ready~garbage", 10); store.FieldOf(err) != "after" {
		t.Errorf("a garbled cursor: %v", err)
	}
}
