package people_test

import (
	"context"
	"testing"
	"time"

	"github.com/uptrace/bun"

	"github.com/serviceacademy/academy/people"
	"github.com/serviceacademy/academy/store"
	"github.com/serviceacademy/academy/store/storetest"
)

func TestSessionTimeouts(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *bun.DB) {
		ctx := context.Background()
		s := people.NewStore(db)
		now := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
		s.Now = func() time.Time { return now }
		e := mustSave(t, s, emp("1", ""))
		for _, tc := range []struct {
			name  string
			steps []time.Duration // requests after sign-in, each relative to the previous
			alive bool
		}{
			{"ActiveWithinIdle", []time.Duration{time.Hour, time.Hour, time.Hour}, true},
			{"ErrIdle", []time.Duration{people.IdleTimeout + time.Minute}, false},
			{"ErrAbsolute", []time.Duration{time.Hour, time.Hour, time.Hour, time.Hour, time.Hour, time.Hour, time.Hour, time.Hour, time.Hour, time.Hour, time.Hour, time.Hour, time.Minute}, false},
		} {
			t.Run(tc.name, func(t *testing.T) {
				_, token, err := s.CreateSession(ctx, e.ID, "127.0.0.1", "test")
				if err != nil {
					t.Fatal(err)
				}
				var ferr error
				for _, d := range tc.steps {
					now = now.Add(d)
					_, _, ferr = s.FindSession(ctx, token)
				}
				if alive := ferr == nil; alive != tc.alive {
					t.Fatalf("alive = %v (%v), want %v", alive, ferr, tc.alive)
				}
				if !tc.alive && !store.IsNotFound(ferr) {
					t.Fatalf("want NotFound, got %v", ferr)
				}
			})
		}
	})
}

func TestTokens(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *bun.DB) {
		ctx := context.Background()
		s := people.NewStore(db)
		mustSave(t, s, emp("1", ""))
		secret, tok, err := s.CreateToken(ctx, "hris sync", people.RoleHR, "", nil)
		if err != nil {
			t.Fatal(err)
		}
		if tok.TokenHash == secret || len(secret) < 40 {
			t.Fatal("token stored in clear or too short")
		}
		if _, err := s.FindToken(ctx, secret); err != nil {
			t.Fatal(err)
		}
		if _, err := s.RevokeToken(ctx, tok.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := s.FindToken(ctx, secret); !store.IsNotFound(err) {
			t.Fatalf("revoked token still works: %v", err)
		}
		if _, _, err := s.CreateToken(ctx, "x", people.RoleManager, "", nil); store.FieldOf(err) != "employee" {
			t.Fatalf("manager token without employee: %v", err)
		}
		if _, _, err := s.CreateToken(ctx, "x", people.RoleManager, "1", nil); err != nil {
			t.Fatal(err)
		}
	})
}

func TestPasswords(t *testing.T) {
	h, err := people.HashPassword("correct horse battery")
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name, hash, pw string
		want           bool
	}{
		{"OK", h, "correct horse battery", true},
		{"ErrWrong", h, "correct horse batterY", false},
		{"ErrEmptyHash", "", "", false},
		{"ErrMalformed", "$argon2id$v=19$m=x$y$z", "a", false},
		{"ErrOtherAlgorithm", "$2a$10$abcdefghijklmnopqrstuv", "a", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := people.CheckPassword(tc.hash, tc.pw); got != tc.want {
				t.Fatalf("CheckPassword = %v, want %v", got, tc.want)
			}
		})
	}
	if h2, _ := people.HashPassword("correct horse battery"); h2 == h {
		t.Fatal("two hashes of one password are equal: salt missing")
	}
}
