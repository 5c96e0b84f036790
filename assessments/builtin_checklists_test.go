package assessments

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestBuiltinChecklists(t *testing.T) {
	list, err := BuiltinChecklists()
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]bool{"irate-billing-error": false, "warranty-loan-device": false,
		"wrong-department-handover": false, "missed-promise-complaint": false}
	for _, b := range list {
		c := b.Checklist
		t.Run(c.Slug, func(t *testing.T) {
			if _, ok := want[c.Slug]; ok {
				want[c.Slug] = true
			}
			if n := len(c.Items); n < 6 || n > 10 {
				t.Errorf("%d items, want 6 to 10", n)
			}
			critical := 0
			for _, it := range c.Items {
				if it.Critical {
					critical++
				}
				if strings.TrimSpace(it.Guidance) == "" {
					t.Errorf("item %s has no guidance for the assessor", it.ID)
				}
			}
			if critical < 2 || critical > 3 {
				t.Errorf("%d critical items, want 2 or 3", critical)
			}
			if c.Brief.Customer == "" || c.Brief.Situation == "" || c.Brief.WhatGoodLooksLike == "" {
				t.Errorf("brief incomplete: %+v", c.Brief)
			}
			if c.PassPercent <= 0 {
				t.Errorf("pass mark %v", c.PassPercent)
			}
			if b.ReobserveDays <= 0 {
				t.Errorf("reobserve_days %d", b.ReobserveDays)
			}
			if _, err := os.Stat(filepath.Join("..", "courses", "builtin", b.CourseSlug)); err != nil {
				t.Errorf("course %q is not a built-in course: %v", b.CourseSlug, err)
			}
			// Everything Fully passes: the weights and pass mark are consistent.
			all := map[string]Rating{}
			for _, it := range c.Items {
				all[it.ID] = Fully
			}
			if res := ScoreObservation(&c, all); !res.Passed || res.Score != 100 {
				t.Errorf("all Fully: %+v", res)
			}
		})
	}
	for slug, found := range want {
		if !found {
			t.Errorf("built-in checklist %s is missing", slug)
		}
	}
}

func TestParseChecklistYAML(t *testing.T) {
	const good = `
slug: sample
course: service-recovery
title: A sample
pass_percent: 70
reobserve_days: 14
brief: {customer: A customer, situation: Something happened, what_good_looks_like: Good things}
items:
  - {id: one, text: Does one thing, weight: 10, critical: true, guidance: Look for it}
  - {id: two, text: Does another, weight: 5}
`
	if b, err := parseChecklistYAML([]byte(good)); err != nil || len(b.Checklist.Items) != 2 || !b.Checklist.Items[0].Critical || b.CourseSlug != "service-recovery" || b.ReobserveDays != 14 {
		t.Fatalf("good file: %+v, %v", b, err)
	}
	for _, tc := range []struct {
		name, src, want string
	}{
		{"ErrUnknownKey", strings.Replace(good, "pass_percent", "pass_mark", 1), "pass_mark"},
		{"ErrNoCourse", strings.Replace(good, "course: service-recovery\n", "", 1), "course"},
		{"ErrZeroWeight", strings.Replace(good, "weight: 5", "weight: 0", 1), "Item 2"},
		{"ErrDuplicateItem", strings.Replace(good, "id: two", "id: one", 1), "same id"},
		{"ErrPassMarkAboveHundred", strings.Replace(good, "pass_percent: 70", "pass_percent: 170", 1), "pass mark"},
		{"ErrNegativeReobserve", strings.Replace(good, "reobserve_days: 14", "reobserve_days: -1", 1), "reobserve_days"},
		{"ErrNotYAML", "slug: [", "yaml"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := parseChecklistYAML([]byte(tc.src))
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("want an error mentioning %q, got %v", tc.want, err)
			}
		})
	}
}
