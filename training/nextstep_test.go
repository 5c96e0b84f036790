package training

import (
	"strings"
	"testing"
)

func TestNextStep(t *testing.T) {
	aishaFail := PendingReobservation{Checklist: "Recovering a complaint", Course: "service-recovery", Due: "2026-11-20", ObservationID: 7}
	// Aisha: every lesson of service-recovery read, the quiz passed, the role-play failed on a critical item.
	recoveryRead := NextCourse{Slug: "service-recovery", Title: "Service recovery", Assigned: true, Started: true}
	halfRead := NextCourse{Slug: "promises-timelines", Title: "Promises and timelines", Assigned: true, Started: true,
		LessonSlug: "setting-expectations", LessonTitle: "Setting expectations"}
	quizLeft := NextCourse{Slug: "empathy", Title: "Empathy", Started: true,
		Quiz: &NextQuiz{Title: "Empathy check", URL: "/learn/empathy/quiz/empathy-check"}}
	tests := []struct {
		name        string
		st          NextState
		kind        StepKind
		url, label  string
		urgent      bool
		reasonHas   string
		notInReason string
	}{
		{name: "OverdueReobservation", st: NextState{Today: "2026-12-07", Reobservations: []PendingReobservation{aishaFail},
			Courses: []NextCourse{recoveryRead, halfRead}},
			kind: StepReobserve, url: "/me/observations/7", label: "See what to practise", urgent: true, reasonHas: "20 Nov 2026"},
		{name: "ReobservationDueToday", st: NextState{Today: "2026-11-20", Reobservations: []PendingReobservation{aishaFail}},
			kind: StepReobserve, url: "/me/observations/7", urgent: true},
		{name: "ReobservationLaterAfterCourseWork", st: NextState{Today: "2026-11-01", Reobservations: []PendingReobservation{aishaFail},
			Courses: []NextCourse{halfRead}},
			kind: StepLesson, url: "/learn/promises-timelines/setting-expectations", label: "Read: Setting expectations"},
		{name: "ReobservationLaterWhenNothingElse", st: NextState{Today: "2026-11-01", Reobservations: []PendingReobservation{aishaFail},
			Courses: []NextCourse{recoveryRead}},
			kind: StepReobserve, url: "/me/observations/7", urgent: false, reasonHas: "by 20 Nov 2026"},
		{name: "PromisesBeforeLessons", st: NextState{Today: "2026-12-07", PromisesPending: 2, Courses: []NextCourse{halfRead}},
			kind: StepAcknowledge, url: "/learn/mission-vision-promise/acknowledge", label: "Read and confirm", reasonHas: "2 service promises are"},
		{name: "OnePromise", st: NextState{Today: "2026-12-07", PromisesPending: 1},
			kind: StepAcknowledge, reasonHas: "1 service promise is"},
		{name: "AllLessonsReadQuizToTake", st: NextState{Today: "2026-12-07", Courses: []NextCourse{quizLeft}},
			kind: StepQuiz, url: "/learn/empathy/quiz/empathy-check", label: "Take the quiz", reasonHas: "read every lesson"},
		{name: "QuizInProgress", st: NextState{Today: "2026-12-07", Courses: []NextCourse{{Slug: "empathy", Title: "Empathy", Started: true,
			Quiz: &NextQuiz{Title: "Empathy check", URL: "/q", InProgress: true, Attempts: 1}}}},
			kind: StepQuiz, label: "Resume the quiz"},
		{name: "QuizFailedOnce", st: NextState{Today: "2026-12-07", Courses: []NextCourse{{Slug: "empathy", Title: "Empathy", Started: true,
			Quiz: &NextQuiz{Title: "Empathy check", URL: "/q", Attempts: 1}}}},
			kind: StepQuiz, label: "Try the quiz again"},
		{name: "NeverResumeAFinishedLesson", st: NextState{Today: "2026-12-07", Courses: []NextCourse{recoveryRead}},
			kind: StepWaiting, url: "/learn/service-recovery#roleplays", label: "See the role-plays"},
		{name: "NothingWaiting", st: NextState{Today: "2026-12-07"}, kind: StepNone, url: "/learn#courses"},
		{name: "AssignedBeforeStarted", st: NextState{Today: "2026-12-07", Courses: []NextCourse{quizLeft, halfRead}},
			kind: StepLesson, url: "/learn/promises-timelines/setting-expectations"},
		{name: "StartedAssignedBeforeUnstartedAssigned", st: NextState{Today: "2026-12-07", Courses: []NextCourse{
			{Slug: "promises", Title: "Promises", Assigned: true, LessonSlug: "one", LessonTitle: "One"},
			{Slug: "mission", Title: "Mission", Assigned: true, Started: true, Quiz: &NextQuiz{Title: "Mission quiz", URL: "/learn/mission/quiz/m", Attempts: 1}}}},
			kind: StepQuiz, url: "/learn/mission/quiz/m", label: "Try the quiz again"},
		{name: "OverdueProgrammeFirst", st: NextState{Today: "2026-12-07", Courses: []NextCourse{halfRead,
			{Slug: "mission", Title: "Mission", Assigned: true, Overdue: true, LessonSlug: "welcome", LessonTitle: "Welcome"}}},
			kind: StepLesson, url: "/learn/mission/welcome", label: "Start: Welcome", urgent: true, reasonHas: "overdue programme"},
		{name: "NotStartedNotAssignedIgnored", st: NextState{Today: "2026-12-07", Courses: []NextCourse{{Slug: "x", Title: "X", LessonSlug: "a", LessonTitle: "A"}}},
			kind: StepNone},
		{name: "ReactionSurvey", st: NextState{Today: "2026-12-07", Courses: []NextCourse{{Slug: "empathy", Title: "Empathy", Started: true, Completed: true, ReactionPending: true}}},
			kind: StepReaction, url: "/learn/empathy/reaction", label: "Answer three questions"},
		{name: "CompletedCourseNoSurvey", st: NextState{Today: "2026-12-07", Courses: []NextCourse{{Slug: "empathy", Title: "Empathy", Started: true, Completed: true}}},
			kind: StepNone, notInReason: "Empathy"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := NextStep(tt.st)
			if got.Kind != tt.kind {
				t.Fatalf("kind %q, want %q (%+v)", got.Kind, tt.kind, got)
			}
			if tt.url != "" && got.URL != tt.url {
				t.Errorf("url %q, want %q", got.URL, tt.url)
			}
			if tt.label != "" && got.Label != tt.label {
				t.Errorf("label %q, want %q", got.Label, tt.label)
			}
			if got.Urgent != tt.urgent {
				t.Errorf("urgent %v, want %v", got.Urgent, tt.urgent)
			}
			if got.Title == "" || got.Reason == "" || got.URL == "" || got.Label == "" {
				t.Errorf("a step needs a title, a reason, a link and its words: %+v", got)
			}
			if tt.reasonHas != "" && !strings.Contains(got.Reason, tt.reasonHas) {
				t.Errorf("reason %q lacks %q", got.Reason, tt.reasonHas)
			}
			if tt.notInReason != "" && strings.Contains(got.Reason, tt.notInReason) {
				t.Errorf("reason %q mentions %q", got.Reason, tt.notInReason)
			}
			if strings.HasPrefix(got.Label, "Resume:") {
				t.Errorf("label %q: a next step never resumes a lesson", got.Label)
			}
		})
	}
}
