package demo

import (
	"context"
	"database/sql"
	"errors"
	"strings"

	"github.com/uptrace/bun"

	"github.com/serviceacademy/academy/courses"
	"github.com/serviceacademy/academy/people"
)

// loadCompany gives the demo company, Brightwater Services, its mission,
// vision, values and service promises. It does nothing once any promise exists.
func loadCompany(ctx context.Context, s *courses.Store) error {
	n, err := s.DB.NewSelect().Model((*courses.Promise)(nil)).Count(ctx)
	if err != nil || n > 0 {
		return err
	}
	return s.DB.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		now := s.Now()
		var name string
		err := tx.NewSelect().Model((*people.SettingRow)(nil)).Column("value").Where("key = ?", courses.SettingName).Scan(ctx, &name)
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return err
		}
		settings := map[string]string{
			courses.SettingMission: "We keep homes warm, safe and working. When something breaks, we answer quickly, " +
				"turn up when we said we would, fix it properly the first time and leave every home as we found it.",
			courses.SettingVision: "To be the home-services company people recommend first to their neighbours: " +
				"known for straight answers, engineers who arrive on time, and problems solved on the first visit.",
			courses.SettingValues: strings.Join([]string{
				"Honest: we tell customers what we find and what it will cost before we start.",
				"On time: we keep the times we give, or we call ahead with a new one.",
				"Respectful: we treat every home, and everyone in it, as if it were our own.",
				"Owning it: whoever takes a problem keeps it until it is solved or handed over by name.",
			}, "\n"),
		}
		if strings.TrimSpace(name) == "" {
			settings[courses.SettingName] = Company
		}
		settings[courses.SettingTimeZone] = "Europe/London"
		for k, v := range settings {
			if err := people.PutSetting(ctx, tx, k, v, now); err != nil {
				return err
			}
		}
		// Each promise with its facts, from which the promises course's
		// quiz generates questions (when the clock starts, what counts as
		// done, the limit, the exclusions, who keeps it).
		promises := []struct {
			text  string
			facts courses.PromiseFacts
		}{
			{"If we cannot answer your question on the first call, we call you back within 4 working hours.", courses.PromiseFacts{
				ClockStarts: "when the first call ends without an answer", DoneWhen: "the customer has the answer, or a named person and a time for it",
				TimeLimit: "4 working hours", Exclusions: "calls after 4 pm are called back by noon the next working day", KeptBy: "the person who took the call"}},
			{"Your engineer arrives within the 2-hour slot you booked, or calls you before the slot starts with a new time.", courses.PromiseFacts{
				ClockStarts: "at the start of the booked slot", DoneWhen: "the engineer is at the door, or the customer has agreed a new time before the slot starts",
				TimeLimit: "the 2-hour slot", Exclusions: "a slot the customer moved or cancelled", KeptBy: "the engineer, with the dispatch team"}},
			{"You get a written price before any work starts, and you pay only the charges you have agreed.", courses.PromiseFacts{
				ClockStarts: "before any work starts", DoneWhen: "the customer has the price in writing and has agreed to it",
				Exclusions: "work to make a home safe in an emergency, agreed by phone and confirmed in writing the same day", KeptBy: "the engineer doing the work"}},
			{"Every complaint is acknowledged the same working day, with the name of the person who will see it through.", courses.PromiseFacts{
				ClockStarts: "when the complaint reaches us, by any channel", DoneWhen: "the customer has an acknowledgement naming the person who will see it through",
				TimeLimit: "the same working day", Exclusions: "complaints that arrive after 5 pm are acknowledged by noon the next working day", KeptBy: "whoever receives the complaint"}},
			{"If a repair we made fails within 90 days, we come back and put it right at no charge.", courses.PromiseFacts{
				ClockStarts: "on the day the repair was finished", DoneWhen: "the repair works again, at no charge to the customer",
				TimeLimit: "90 days", Exclusions: "damage after the repair, misuse, and parts the customer supplied", KeptBy: "the service team that made the repair"}},
		}
		ps := make([]courses.Promise, len(promises))
		for i, pr := range promises {
			f := pr.facts
			ps[i] = courses.Promise{Position: i + 1, Text: pr.text, Version: 1, Active: true, UpdatedAt: now,
				ClockStarts: f.ClockStarts, DoneWhen: f.DoneWhen, TimeLimit: f.TimeLimit, Exclusions: f.Exclusions, KeptBy: f.KeptBy}
		}
		_, err = tx.NewInsert().Model(&ps).Exec(ctx)
		return err
	})
}
