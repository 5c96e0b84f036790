package app

import (
	"encoding/csv"
	"net/http"
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v2"

	"github.com/serviceacademy/academy/assessments"
	"github.com/serviceacademy/academy/store"
)

// itemAnalysisRow is one row of the item analysis table, ready to show.
type itemAnalysisRow struct {
	QID, Title, Type, Version  string
	Attempts, Blank            int
	Facility, Discrimination   string // "62.5%", "41.2", or "—"
	Flags                      []string
	Options                    []itemAnalysisOption
	MostCommon, AllVersions    bool
	TooEasy, TooHard, Negative bool
}

type itemAnalysisOption struct {
	Text, Percent string
	Count, Pct    int // Pct: the bar's width, 0..100
	Right         bool
}

// itemAnalysisAll reads the attempts filter: "first" (the default) or "all".
func itemAnalysisAll(c *fiber.Ctx) (bool, error) {
	switch v := c.Query("attempts"); v {
	case "", "first":
		return false, nil
	case "all":
		return true, nil
	default:
		return false, store.Errorf(store.Invalid, "attempts: choose first or all, not %q.", v)
	}
}

func itemAnalysisRows(rep assessments.ItemReport) []itemAnalysisRow {
	rows := make([]itemAnalysisRow, 0, len(rep.Items))
	for i := range rep.Items {
		it := &rep.Items[i]
		r := itemAnalysisRow{QID: it.QID, Title: it.Title, Type: typeLabels[it.Type], Version: "v" + strconv.Itoa(it.Version),
			Attempts: it.Attempts, Blank: it.Blank, Facility: "—", Discrimination: "—", Flags: it.Flags(),
			MostCommon: it.MostCommon, AllVersions: it.Version == 0, TooEasy: it.TooEasy, TooHard: it.TooHard, Negative: it.Negative}
		if r.AllVersions {
			r.Version = "all versions"
		}
		if it.Facility != nil {
			r.Facility = formatPercent1(*it.Facility) + "%"
		}
		if it.Discrimination != nil {
			r.Discrimination = formatPercent1(*it.Discrimination)
		}
		for _, o := range it.Options {
			r.Options = append(r.Options, itemAnalysisOption{Text: o.Text, Right: o.Right, Count: o.Count,
				Percent: formatPercent1(o.Percent) + "%", Pct: int(o.Percent + 0.5)})
		}
		rows = append(rows, r)
	}
	return rows
}

// formatPercent1 writes a figure with one decimal.
func formatPercent1(f float64) string { return strconv.FormatFloat(f, 'f', 1, 64) }

// itemAnalysis shows the item analysis of a quiz of the course.
func (s *Server) itemAnalysis(c *fiber.Ctx) error {
	course, quiz, err := s.courseQuiz(c)
	if err != nil {
		return err
	}
	all, err := itemAnalysisAll(c)
	if err != nil {
		return err
	}
	rep, err := s.quizzes.AnalyseQuiz(c.UserContext(), quiz.ID, !all)
	if err != nil {
		return err
	}
	return s.renderStatus(c, http.StatusOK, "bank/analysis", fiber.Map{"Title": "Item analysis: " + quiz.Title, "Course": course,
		"Quiz": quiz, "All": all, "Report": rep, "Rows": itemAnalysisRows(rep),
		"TooEasy": assessments.ItemTooEasy, "TooHard": assessments.ItemTooHard})
}

// itemAnalysisHeader is the CSV export's first row.
var itemAnalysisHeader = []string{"question", "title", "type", "version", "attempts", "blank", "facility_percent",
	"discrimination_percent", "flags", "responses", "average_time"}

// itemAnalysisCSV exports the item analysis table: one row per question
// version (and per question over all its versions), the option shares as
// "text: count (percent)" separated by " | ".
func (s *Server) itemAnalysisCSV(c *fiber.Ctx) error {
	_, quiz, err := s.courseQuiz(c)
	if err != nil {
		return err
	}
	all, err := itemAnalysisAll(c)
	if err != nil {
		return err
	}
	rep, err := s.quizzes.AnalyseQuiz(c.UserContext(), quiz.ID, !all)
	if err != nil {
		return err
	}
	which := "first-attempts"
	if all {
		which = "all-attempts"
	}
	download(c, "text/csv; charset=utf-8", "attachment", quiz.Slug+"-item-analysis-"+which+".csv")
	var b strings.Builder
	w := csv.NewWriter(&b)
	_ = w.Write(itemAnalysisHeader)
	for _, r := range itemAnalysisRows(rep) {
		fac, disc := strings.TrimSuffix(r.Facility, "%"), r.Discrimination
		if fac == "—" {
			fac = ""
		}
		if disc == "—" {
			disc = ""
		}
		var opts []string
		for _, o := range r.Options {
			opts = append(opts, o.Text+": "+strconv.Itoa(o.Count)+" ("+o.Percent+")")
		}
		version := strings.TrimPrefix(r.Version, "v")
		_ = w.Write([]string{csvCell(r.QID), csvCell(r.Title), r.Type, version, strconv.Itoa(r.Attempts), strconv.Itoa(r.Blank),
			fac, disc, csvCell(strings.Join(r.Flags, "; ")), csvCell(strings.Join(opts, " | ")), "not recorded"})
	}
	w.Flush()
	if err := w.Error(); err != nil {
		return err
	}
	return c.SendString(b.String())
}
