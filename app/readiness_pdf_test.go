package app_test

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/serviceacademy/academy/courses"
)

// pdfText checks a PDF with qpdf and returns its text (white space runs as one space).
func pdfText(t *testing.T, pdf string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "report.pdf")
	if err := os.WriteFile(path, []byte(pdf), 0o644); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command(needPDFTool(t, "qpdf"), "--check", path).CombinedOutput(); err != nil {
		t.Fatalf("qpdf --check: %v\n%s", err, out)
	}
	out, err := exec.Command(needPDFTool(t, "pdftotext"), "-layout", path, "-").Output()
	if err != nil {
		t.Fatal(err)
	}
	return strings.Join(strings.Fields(string(out)), " ")
}

func TestReadinessReportPDFs(t *testing.T) {
	ts := mustServer(t, "sqlite")
	ctx := context.Background()
	cs := courses.NewStore(ts.DB, courses.NoAssessments, courses.Options{})
	hr := ts.client(t)
	hr.signIn(hrEmail)

	get := func(c *client, path, wantName string) string {
		t.Helper()
		resp, pdf := c.get(path)
		if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "application/pdf" ||
			!strings.Contains(resp.Header.Get("Content-Disposition"), wantName) {
			t.Fatalf("%s: %d %q %q", path, resp.StatusCode, resp.Header.Get("Content-Type"), resp.Header.Get("Content-Disposition"))
		}
		return pdfText(t, pdf)
	}
	// HR: everyone. The not-ready people with their reasons, the chart by department.
	txt := get(hr, "/readiness/report.pdf", "readiness-")
	sum, _ := cs.ReadinessSummaryOf(ctx, courses.ReadinessFilter{})
	notReady, _, _, _ := cs.ReadinessList(ctx, courses.ReadinessFilter{Status: courses.NotReady})
	atRisk, _, _, _ := cs.ReadinessList(ctx, courses.ReadinessFilter{Status: courses.AtRisk})
	if len(notReady) == 0 || len(atRisk) == 0 {
		t.Fatal("the demo has nobody not ready or at risk")
	}
	for _, want := range []string{"Readiness report", "Everyone.", "Summary", fmt.Sprintf("%d (%d%%)", sum.NotReady, sum.Percent(sum.NotReady)),
		"Readiness by department", "Contact Centre", "Not ready and at risk, with the reasons", "Page 1 of",
		notReady[0].Name, notReady[0].Number, notReady[len(notReady)-1].Name, atRisk[0].Name, strings.Fields(notReady[0].Reasons[0].Detail)[0]} {
		if !strings.Contains(txt, want) {
			t.Errorf("the HR report lacks %q", want)
		}
	}
	if !strings.Contains(txt, strings.Join(strings.Fields(notReady[0].Reasons[0].Detail), " ")[:30]) {
		t.Errorf("the HR report lacks the reason %q", notReady[0].Reasons[0].Detail)
	}
	// The dashboard's filters: a department leaves the others' people out.
	var ccID int64
	ts.DB.NewSelect().TableExpr("departments").Column("id").Where("name = 'Contact Centre'").Scan(ctx, &ccID)
	txt = get(hr, fmt.Sprintf("/readiness/report.pdf?department=%d", ccID), "readiness-")
	ccList, _, _, _ := cs.ReadinessList(ctx, courses.ReadinessFilter{Status: courses.NotReady, DepartmentID: ccID})
	if !strings.Contains(txt, "Narrowed to Contact Centre") || len(ccList) == 0 || !strings.Contains(txt, ccList[0].Name) {
		t.Errorf("filtered report: %.300s", txt)
	}
	for _, e := range notReady {
		if e.Department != "Contact Centre" && strings.Contains(txt, e.Number) {
			t.Errorf("the contact centre report lists %s of %s", e.Number, e.Department)
		}
	}

	// The manager's team report: his line only.
	mgr, _ := ts.People.FindEmployeeByEmail(ctx, ccMgrEmail)
	c := ts.client(t)
	c.signIn(ccMgrEmail)
	txt = get(c, "/team/report.pdf", "team-readiness-"+mgr.Number)
	line, _, _, _ := cs.ReadinessList(ctx, courses.ReadinessFilter{LineOf: mgr.ID, Status: courses.NotReady})
	for _, want := range []string{"Team readiness: " + mgr.Name(), "Readiness by team", line[0].Name, line[0].Number, "Page 1 of"} {
		if !strings.Contains(txt, want) {
			t.Errorf("the team report lacks %q", want)
		}
	}
	for _, e := range append(notReady, atRisk...) {
		if in, _ := ts.People.InLine(ctx, mgr.ID, e.EmployeeID); !in && strings.Contains(txt, e.Number) {
			t.Errorf("the team report names %s (%s), outside the line", e.Name, e.Number)
		}
	}
	if strings.Contains(txt, staffNumber) || strings.Contains(txt, "Aisha Khan") {
		t.Error("the team report names the receptionist")
	}
	if resp, _ := c.get("/team/report.pdf?manager=" + staffNumber); resp.StatusCode != 404 {
		t.Errorf("a team outside the line: %d", resp.StatusCode)
	}
	if resp, _ := c.get("/team/report.pdf?as_of=not-a-date"); resp.StatusCode != 422 {
		t.Errorf("a bad date: %d", resp.StatusCode)
	}
	// HR may print anyone's team.
	txt = get(hr, "/team/report.pdf?manager="+mgr.Number, "team-readiness-"+mgr.Number)
	if !strings.Contains(txt, line[0].Name) {
		t.Error("HR's team report lacks the line")
	}
}
