package demo

import (
	"context"
	"strings"
	"testing"

	"github.com/uptrace/bun"

	"github.com/serviceacademy/academy/courses"
	"github.com/serviceacademy/academy/store/storetest"
)

func TestLoadDemoCompany(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *bun.DB) {
		ctx := context.Background()
		s := courses.NewStore(db, courses.NoAssessments, courses.Options{})
		for range 2 {
			if err := loadCompany(ctx, s); err != nil {
				t.Fatal(err)
			}
		}
		p, err := s.CompanyProfile(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if len(p.Promises) != 5 || len(p.Values) != 4 || p.Mission == "" || p.Vision == "" || p.Name != "Brightwater Services" {
			t.Fatalf("demo company: %+v", p)
		}
		in := make([]courses.PromiseInput, len(p.Promises))
		for i, pr := range p.Promises {
			in[i] = courses.PromiseInput{ID: pr.ID, Text: pr.Text, Facts: pr.Facts()}
			if pr.Facts().DoneWhen == "" || pr.Facts().KeptBy == "" {
				t.Errorf("demo promise %d has no facts to ask about: %+v", i+1, pr.Facts())
			}
		}
		if errs := courses.CheckPromises(in); len(errs) > 0 {
			t.Fatalf("demo promises do not pass the form's checks: %v", errs)
		}
		cin := courses.CompanyInput{Name: p.Name, Mission: p.Mission, Vision: p.Vision, Values: strings.Join(p.Values, "\n")}
		if errs := cin.Check(); len(errs) > 0 {
			t.Fatalf("demo settings do not pass the form's checks: %v", errs)
		}
	})
}
