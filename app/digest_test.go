package app_test

import (
	"context"
	"encoding/json"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"

	"github.com/serviceacademy/academy/assessments"
	"github.com/serviceacademy/academy/courses"
	"github.com/serviceacademy/academy/people"
)

func TestWeeklyDigest(t *testing.T) {
	ts := mustServer(t, "sqlite")
	ctx := context.Background()
	cs := courses.NewStore(ts.DB, courses.NoAssessments, courses.Options{})
	mgr, _ := ts.People.FindEmployeeByEmail(ctx, ccMgrEmail)
	weeks, _ := cs.SnapshotWeeks(ctx)
	week, prev := weeks[0], weeks[1]

	// Last week, as the test rewrites it: one of the line was ready (now
	// not ready), one ready (now at risk), one at risk (now ready); and
	// the receptionist outside the line changed too.
	var line []struct {
		EmployeeID int64
		Number     string
		Status     string
	}
	ts.DB.NewSelect().TableExpr("readiness_snapshots AS rs").Join("JOIN employees AS e ON e.id = rs.employee_id").
		ColumnExpr("rs.employee_id, e.number, rs.status").Where("rs.week = ? AND rs.line_path LIKE ?", week, mgr.LinePath+"%").
		Where("rs.employee_id <> ?", mgr.ID).OrderExpr("e.number").Scan(ctx, &line)
	pick := func(status string) (int64, string) {
		for _, r := range line {
			if r.Status == status {
				return r.EmployeeID, r.Number
			}
		}
		t.Fatalf("nobody %s in the line this week", status)
		return 0, ""
	}
	setPrev := func(id int64, status string) {
		if _, err := ts.DB.NewUpdate().TableExpr("readiness_snapshots").Set("status = ?", status).Where("week = ? AND employee_id = ?", prev, id).Exec(ctx); err != nil {
			t.Fatal(err)
		}
	}
	nrID, nrNum := pick("not_ready")
	arID, arNum := pick("at_risk")
	rdID, rdNum := pick("ready")
	setPrev(nrID, "ready")
	setPrev(arID, "ready")
	setPrev(rdID, "at_risk")
	outsider, _ := ts.People.FindEmployeeByNumber(ctx, staffNumber)
	var outsiderNow string
	ts.DB.NewSelect().TableExpr("readiness_snapshots").Column("status").Where("week = ? AND employee_id = ?", week, outsider.ID).Scan(ctx, &outsiderNow)
	if outsiderNow == "ready" {
		setPrev(outsider.ID, "not_ready")
	} else {
		setPrev(outsider.ID, "ready")
	}
	if err := courses.WriteSnapshotTotals(ctx, ts.DB, prev); err != nil {
		t.Fatal(err)
	}

	c := ts.client(t)
	c.signIn(ccMgrEmail)
	resp, body := c.get("/digest")
	if resp.StatusCode != 200 {
		t.Fatalf("digest: %d\n%.500s", resp.StatusCode, body)
	}
	d := doc(t, body)
	wd, _ := time.Parse(time.DateOnly, week)
	if got := text(d.Find("#digest-weeks")); !strings.Contains(got, "week beginning "+wd.Format("2 Jan 2006")+" compared with") {
		t.Errorf("weeks: %q", got)
	}
	this, _ := cs.ReadinessSummaryOf(ctx, courses.ReadinessFilter{LineOf: mgr.ID, AsOf: week})
	last, _ := cs.ReadinessSummaryOf(ctx, courses.ReadinessFilter{LineOf: mgr.ID, AsOf: prev})
	if this.NotReady == last.NotReady || this.Ready == last.Ready {
		t.Fatalf("the rewrite changed no count: %+v %+v", this, last)
	}
	var counts []string
	d.Find("#digest-counts tbody tr").Each(func(_ int, tr *goquery.Selection) {
		counts = append(counts, text(tr.Find("td").Eq(0))+"/"+text(tr.Find("td").Eq(1)))
	})
	want := []string{
		strconv.Itoa(this.Headcount) + "/" + strconv.Itoa(last.Headcount), strconv.Itoa(this.Ready) + "/" + strconv.Itoa(last.Ready),
		strconv.Itoa(this.AtRisk) + "/" + strconv.Itoa(last.AtRisk), strconv.Itoa(this.NotReady) + "/" + strconv.Itoa(last.NotReady)}
	if strings.Join(counts, " ") != strings.Join(want, " ") {
		t.Errorf("counts %v, want %v", counts, want)
	}
	numbers := func(sel string) []string {
		var out []string
		d.Find(sel + " li[data-employee]").Each(func(_ int, li *goquery.Selection) { out = append(out, li.AttrOr("data-employee", "")) })
		return out
	}
	if got := numbers("#became-not-ready"); len(got) != 1 || got[0] != nrNum {
		t.Errorf("became not ready: %v, want %s", got, nrNum)
	}
	if got := numbers("#became-at-risk"); len(got) != 1 || got[0] != arNum {
		t.Errorf("became at risk: %v, want %s", got, arNum)
	}
	if got := numbers("#became-ready"); len(got) != 1 || got[0] != rdNum {
		t.Errorf("became ready: %v, want %s", got, rdNum)
	}
	var reasonsJSON string
	ts.DB.NewSelect().TableExpr("readiness_snapshots").Column("reasons").Where("week = ? AND employee_id = ?", week, nrID).Scan(ctx, &reasonsJSON)
	var reasons []courses.Reason
	json.Unmarshal([]byte(reasonsJSON), &reasons)
	why := text(d.Find(`#became-not-ready li[data-employee="` + nrNum + `"]`))
	if len(reasons) == 0 || !strings.Contains(why, "was ready") || !strings.Contains(why, reasons[0].Detail) {
		t.Errorf("why: %q (reasons %s)", why, reasonsJSON)
	}

	// Now: overdue people, certificates expiring within 30 days, re-observations due.
	_, overdue, _, _ := cs.ReadinessList(ctx, courses.ReadinessFilter{LineOf: mgr.ID, Reason: courses.ReasonOverdue})
	if got := len(numbers("#overdue")); got != overdue.Headcount || overdue.Headcount == 0 {
		t.Errorf("overdue: %d listed, want %d", got, overdue.Headcount)
	}
	active := true
	ids, _ := ts.People.EmployeeIDs(ctx, people.EmployeeFilter{LineOf: mgr.ID, Active: &active})
	certs, n, _ := cs.ListCertificates(ctx, courses.CertFilter{EmployeeIDs: ids, ExpiringDays: 30})
	if got := len(numbers("#expiring")); got != n {
		t.Errorf("expiring: %d listed, want %d (%v)", got, n, certs)
	}
	obs := assessments.NewObservationStore(ts.DB)
	loc, _ := cs.Location(ctx)
	due, _ := obs.DueReobservations(ctx, time.Now().In(loc).AddDate(0, 0, 7))
	wantDue := 0
	for _, o := range due {
		if in, _ := ts.People.InLine(ctx, mgr.ID, o.EmployeeID); in {
			wantDue++
		}
	}
	if got := len(numbers("#reobserve")); got != wantDue {
		t.Errorf("re-observations: %d listed, want %d", got, wantDue)
	}
	if strings.Contains(body, staffNumber) || strings.Contains(body, outsider.Name()) {
		t.Error("the digest names the receptionist outside the line")
	}

	// The same as plain text and as a PDF.
	resp, txt := c.get("/digest.txt")
	if resp.StatusCode != 200 || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/plain") {
		t.Fatalf("digest.txt: %d %q", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	for _, w := range []string{"Weekly digest: " + mgr.Name(), "Became not ready this week, and why (1)", nrNum, arNum, rdNum, "Overdue now (" + strconv.Itoa(overdue.Headcount) + ")"} {
		if !strings.Contains(txt, w) {
			t.Errorf("digest.txt lacks %q", w)
		}
	}
	if strings.Contains(txt, staffNumber) {
		t.Error("digest.txt names the receptionist")
	}
	resp, pdf := c.get("/digest.pdf")
	if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "application/pdf" {
		t.Fatalf("digest.pdf: %d", resp.StatusCode)
	}
	ptxt := pdfText(t, pdf)
	for _, w := range []string{"Weekly digest: " + mgr.Name(), "This week against last week", nrNum, rdNum, "Page 1 of"} {
		if !strings.Contains(ptxt, w) {
			t.Errorf("digest.pdf lacks %q", w)
		}
	}
	if strings.Contains(ptxt, staffNumber) {
		t.Error("digest.pdf names the receptionist")
	}

	// A manager cannot ask for a line outside his; HR can ask for his, or see everyone.
	for _, p := range []string{"/digest?manager=" + staffNumber, "/digest.txt?manager=" + staffNumber, "/digest.pdf?manager=" + staffNumber} {
		if resp, _ := c.get(p); resp.StatusCode != 404 {
			t.Errorf("%s: %d, want 404", p, resp.StatusCode)
		}
	}
	hr := ts.client(t)
	hr.signIn(hrEmail)
	_, hrTxt := hr.get("/digest.txt?manager=" + mgr.Number)
	cut := func(s string) string { return s[strings.Index(s, "This week"):] } // the printed time may differ
	if cut(hrTxt) != cut(txt) {
		t.Errorf("HR's digest of the line differs:\n%s\n---\n%s", hrTxt, txt)
	}
	_, all := hr.get("/digest")
	if !strings.Contains(all, `data-employee="`+staffNumber+`"`) {
		t.Error("HR's company digest lacks the receptionist's change")
	}
	ad := doc(t, all)
	_, everyCert, _ := cs.ListCertificates(ctx, courses.CertFilter{ExpiringDays: 30})
	if got := ad.Find("#expiring li[data-employee]").Length(); got != everyCert || everyCert == 0 {
		t.Errorf("company digest: %d certificates expiring, want %d", got, everyCert)
	}
	if got := ad.Find("#reobserve li[data-employee]").Length(); got != len(due) || len(due) == 0 {
		t.Errorf("company digest: %d re-observations, want %d", got, len(due))
	}
}
