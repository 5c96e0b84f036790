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
		texts := []string{
			"If we cannot answer your question on the first call, we call you back within 4 working hours.",
			"Your engineer arrives within the 2-hour slot you booked, or calls you before the slot starts with a new time.",
			"You get a written price before any work starts, and we never add a charge you have not agreed.",
			"Every complaint is acknowledged the same working day, with the name of the person who will see it through.",
			"If a repair we made fails within 90 days, we come back and put it right at no charge.",
		}
		ps := make([]courses.Promise, len(texts))
		for i, t := range texts {
			ps[i] = courses.Promise{Position: i + 1, Text: t, Version: 1, Active: true, UpdatedAt: now}
		}
		_, err = tx.NewInsert().Model(&ps).Exec(ctx)
		return err
	})
}
