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
		"wrong-department-handover": false, "missed-promise-complaint": false,
		"written-reply": false, "note-quality": false, "expects-more-than-promised": false,
		"field-home-visit": false, "observation-debrief": false}
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

// criticalTaught says where each critical item of a built-in checklist is
// taught: every phrase (case-insensitive) must appear in one lesson of the
// checklist's own course, or of the course named in in (an item taught in
// another course, listed so the gap stays visible).
var criticalTaught = map[string]struct {
	in      string
	phrases []string
}{
	"irate-billing-error/acknowledge-facts-and-feeling":    {phrases: []string{"acknowledg"}},
	"irate-billing-error/identity-check":                   {phrases: []string{"identity", "third part"}},
	"irate-billing-error/fixes-or-commits":                 {phrases: []string{"by when"}},
	"missed-promise-complaint/owns-without-excuses":        {phrases: []string{"excuse"}},
	"missed-promise-complaint/keepable-new-promise":        {phrases: []string{"new time you can keep"}},
	"missed-promise-complaint/follows-up-and-closes":       {in: "service-recovery", phrases: []string{"follow up", "close"}},
	"warranty-loan-device/offers-loan-proactively":         {phrases: []string{"loan device", "before they have to ask"}},
	"warranty-loan-device/protects-data":                   {phrases: []string{"back-up", "wipe", "passcode"}},
	"warranty-loan-device/realistic-timeline":              {phrases: []string{"always give a time"}},
	"wrong-department-handover/warm-handover-briefing":     {in: "empathy-difficult-customers", phrases: []string{"handover", "brief them"}},
	"wrong-department-handover/no-transfer-into-void":      {in: "empathy-difficult-customers", phrases: []string{"transfer"}},
	"wrong-department-handover/follows-up":                 {in: "empathy-difficult-customers", phrases: []string{"check back"}},
	"written-reply/answers-every-question":                 {phrases: []string{"every question"}},
	"written-reply/next-step-with-time":                    {phrases: []string{"what happens next", "by when"}},
	"note-quality/promise-owner-and-time":                  {phrases: []string{"by whom and by when"}},
	"note-quality/factual-and-respectful":                  {phrases: []string{"stick to facts", "opinion"}},
	"expects-more-than-promised/explains-promise-plainly":  {phrases: []string{"when does the clock start"}},
	"expects-more-than-promised/no-promise-beyond-control": {phrases: []string{"expects more than we promise"}},
	"expects-more-than-promised/options-and-plan":          {phrases: []string{"what he can expect next"}},
	"field-home-visit/identifies-self":                     {phrases: []string{"identification"}},
	"field-home-visit/fixes-and-checks":                    {phrases: []string{"check it works"}},
	"field-home-visit/protects-account-details":            {phrases: []string{"account details", "agree"}},
	"observation-debrief/focuses-on-critical":              {phrases: []string{"critical ones first"}},
	"observation-debrief/states-result-honestly":           {phrases: []string{"whatever the total"}},
}

// TestBuiltinChecklistsCriticalTaught checks every critical item of a
// built-in checklist is taught by a lesson, so nobody fails an observation
// on something no lesson covers. A new critical item needs a row in
// criticalTaught naming the words of the lesson that teaches it.
func TestBuiltinChecklistsCriticalTaught(t *testing.T) {
	list, err := BuiltinChecklists()
	if err != nil {
		t.Fatal(err)
	}
	lessons := func(course string) map[string]string {
		paths, _ := filepath.Glob(filepath.Join("..", "courses", "builtin", course, "*.md"))
		out := map[string]string{}
		for _, p := range paths {
			src, err := os.ReadFile(p)
			if err != nil {
				t.Fatal(err)
			}
			out[filepath.Base(p)] = strings.ToLower(string(src))
		}
		return out
	}
	seen := map[string]bool{}
	for _, b := range list {
		for _, it := range b.Checklist.Items {
			if !it.Critical {
				continue
			}
			key := b.Checklist.Slug + "/" + it.ID
			seen[key] = true
			where, ok := criticalTaught[key]
			if !ok {
				t.Errorf("critical item %s: add it to criticalTaught with the words of the lesson that teaches it", key)
				continue
			}
			course := b.CourseSlug
			if where.in != "" {
				course = where.in
				t.Logf("critical item %s is taught in %s, not in its own course %s", key, where.in, b.CourseSlug)
			}
			taught := ""
			for name, body := range lessons(course) {
				all := true
				for _, ph := range where.phrases {
					all = all && strings.Contains(body, strings.ToLower(ph))
				}
				if all {
					taught = name
					break
				}
			}
			if taught == "" {
				t.Errorf("critical item %s: no lesson of %s has all of %q", key, course, where.phrases)
			}
		}
	}
	for key := range criticalTaught {
		if !seen[key] {
			t.Errorf("criticalTaught lists %s, which is not a critical item of a built-in checklist", key)
		}
	}
}
