package app_test

import (
	"context"
	"encoding/csv"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"

	"github.com/serviceacademy/academy/assessments"
)

// TestItemAnalysisPage: a quiz with no attempts says so (page and CSV
// header only); after one full-marks and one blank attempt every question
// has a facility of 50% and a discrimination of 100, the options' shares
// are shown with their numbers, the toggle switches to all attempts, the
// bank page links to the analysis, and the CSV holds the same rows.
func TestItemAnalysisPage(t *testing.T) {
	ts := mustServer(t, "sqlite")
	ctx := context.Background()
	qs := assessments.NewStore(ts.DB)
	n := bankSize(t, ts, "six-cs") // every attempt draws every question
	quiz, err := qs.SaveQuiz(ctx, assessments.QuizSettings{CourseSlug: "six-cs", Slug: "six-cs-analysed", Title: "Analysed quiz",
		DrawCount: n, PassMark: 70, ReviewPolicy: assessments.ReviewNever})
	if err != nil {
		t.Fatal(err)
	}
	c := ts.client(t)
	c.signIn(hrEmail)
	path := "/authoring/six-cs/quizzes/six-cs-analysed/analysis"

	resp, body := c.get("/authoring/six-cs/bank")
	if resp.StatusCode != 200 || doc(t, body).Find(`#quizzes a.item-analysis[href="`+path+`"]`).Length() != 1 {
		t.Fatalf("bank page has no link to the analysis: %d", resp.StatusCode)
	}
	resp, body = c.get(path)
	d := doc(t, body)
	if resp.StatusCode != 200 || !strings.Contains(d.Find("#no-attempts").Text(), "No attempts yet: the analysis needs submitted attempts") || d.Find("#item-analysis").Length() != 0 {
		t.Fatalf("no attempts: %d\n%.600s", resp.StatusCode, d.Find("main").Text())
	}
	resp, body = c.get(path + ".csv")
	if resp.StatusCode != 200 || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/csv") || strings.Count(body, "\n") != 1 {
		t.Fatalf("no attempts CSV: %d %q", resp.StatusCode, body)
	}

	// Two people: one answers everything right, one leaves it all blank.
	var ids []int64
	for _, email := range []string{staffEmail, ccMgrEmail} {
		var id int64
		if err := ts.DB.NewSelect().TableExpr("employees").Column("id").Where("email = ?", email).Scan(ctx, &id); err != nil {
			t.Fatal(err)
		}
		ids = append(ids, id)
	}
	for i, emp := range ids {
		a, err := qs.StartAttempt(ctx, quiz.ID, emp)
		if err != nil {
			t.Fatal(err)
		}
		if i == 0 {
			drawn, err := qs.DrawnQuestions(ctx, a)
			if err != nil {
				t.Fatal(err)
			}
			for j := range a.Draw {
				r, ok := assessments.FullMarks(drawn[a.Draw[j].QuestionID], &a.Draw[j])
				if !ok {
					continue // an essay
				}
				if err := qs.SaveAnswer(ctx, a.ID, emp, a.Draw[j].QuestionID, r, qs.Now()); err != nil {
					t.Fatal(err)
				}
			}
		}
		if _, err := qs.SubmitAttempt(ctx, a.ID, emp, qs.Now(), nil); err != nil {
			t.Fatal(err)
		}
	}

	resp, body = c.get(path)
	d = doc(t, body)
	rows := d.Find("#item-analysis tbody tr")
	if resp.StatusCode != 200 || d.Find("#no-attempts").Length() != 0 || rows.Length() != n {
		t.Fatalf("analysis: %d, %d rows\n%.800s", resp.StatusCode, rows.Length(), d.Find("main").Text())
	}
	if got := d.Find("#analysed").Text(); !strings.Contains(got, "2 submitted attempts analysed") || !strings.Contains(got, "not recorded") {
		t.Errorf("summary: %q", got)
	}
	if cur := d.Find(`#attempts-toggle a[aria-current="page"]`).Text(); cur != "First attempts only" {
		t.Errorf("toggle shows %q", cur)
	}
	choiceRows := 0
	rows.Each(func(i int, r *goquery.Selection) {
		// The essay is not graded: 0 for both, so no discrimination.
		wantF, wantD := "50.0%", "100.0"
		if strings.Contains(r.Find("th").Text(), "Essay") {
			wantF, wantD = "0.0%", "—"
			if !strings.Contains(r.Find("td.flags").Text(), "too hard") {
				t.Errorf("essay not flagged too hard: %q", r.Find("td.flags").Text())
			}
		}
		if f := strings.TrimSpace(r.Find("td.facility").Text()); f != wantF {
			t.Errorf("row %d facility %q", i, f)
		}
		if dsc := strings.TrimSpace(r.Find("td.discrimination").Text()); dsc != wantD {
			t.Errorf("row %d discrimination %q", i, dsc)
		}
		if r.Find("ul.options .bar-row").Length() > 0 && r.Find("ul.options .bar-value").First().Text() != "" {
			choiceRows++
		}
	})
	if choiceRows == 0 {
		t.Error("no option shares shown")
	}
	// Every single-choice row: the right option chosen once (50%), and the
	// flag for options nobody chose, in words.
	d.Find(`#item-analysis tbody tr`).Each(func(_ int, r *goquery.Selection) {
		if !strings.Contains(r.Find("th").Text(), "Single choice") {
			return
		}
		right := r.Find("ul.options .bar-row").FilterFunction(func(_ int, li *goquery.Selection) bool { return strings.Contains(li.Text(), "earns marks") })
		if right.Length() != 1 || right.Find(".bar-value").Text() != "1 (50.0%)" {
			t.Errorf("right option: %q", right.Text())
		}
		if !strings.Contains(r.Find("td.flags").Text(), "nobody chose") {
			t.Errorf("no unchosen-option flag: %q", r.Find("td.flags").Text())
		}
	})

	resp, body = c.get(path + "?attempts=all")
	if d = doc(t, body); resp.StatusCode != 200 || d.Find(`#attempts-toggle a[aria-current="page"]`).Text() != "All attempts" || d.Find("#item-analysis tbody tr").Length() != n {
		t.Fatalf("all attempts: %d", resp.StatusCode)
	}
	if href, _ := d.Find("#analysis-csv").Attr("href"); href != path+".csv?attempts=all" {
		t.Errorf("CSV link %q", href)
	}

	resp, body = c.get(path + ".csv?attempts=all")
	recs, err := csv.NewReader(strings.NewReader(body)).ReadAll()
	if resp.StatusCode != 200 || err != nil || len(recs) != n+1 {
		t.Fatalf("CSV: %d %v %d records\n%s", resp.StatusCode, err, len(recs), body)
	}
	if strings.Join(recs[0], ",") != "question,title,type,version,attempts,blank,facility_percent,discrimination_percent,flags,responses,average_time" {
		t.Errorf("CSV header %q", recs[0])
	}
	for _, rec := range recs[1:] {
		if rec[2] == "Essay" {
			if rec[6] != "0.0" || rec[7] != "" || rec[8] != "too hard" {
				t.Errorf("CSV essay row %q", rec)
			}
			continue
		}
		if rec[3] != "1" || rec[4] != "2" || rec[6] != "50.0" || rec[7] != "100.0" || rec[10] != "not recorded" {
			t.Errorf("CSV row %q", rec)
		}
	}
	if !strings.Contains(resp.Header.Get("Content-Disposition"), "six-cs-analysed-item-analysis-all-attempts.csv") {
		t.Errorf("file name: %q", resp.Header.Get("Content-Disposition"))
	}
}
