package people_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/uptrace/bun"

	"github.com/serviceacademy/academy/people"
	"github.com/serviceacademy/academy/store"
	"github.com/serviceacademy/academy/store/storetest"
)

// naiveLine walks manager links in Go: the reference the stored paths must agree with.
func naiveLine(managerOf map[string]string, root string) []string {
	var out []string
	for n := range managerOf {
		for m := managerOf[n]; m != ""; m = managerOf[m] {
			if m == root {
				out = append(out, n)
				break
			}
		}
	}
	slices.Sort(out)
	return out
}

// TestReportingLinesFollowMoves builds a random organisation, moves people
// (and so their whole line) to random new managers, and checks after every
// move that each reporting line equals what the manager links say; moves that
// would make a cycle must be refused and change nothing.
func TestReportingLinesFollowMoves(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *bun.DB) {
		ctx := context.Background()
		s := people.NewStore(db)
		rng := rand.New(rand.NewPCG(7, 11))
		managerOf := map[string]string{}
		const n = 40
		for i := 0; i < n; i++ {
			num := fmt.Sprintf("P%02d", i)
			mgr := ""
			if i > 0 {
				mgr = fmt.Sprintf("P%02d", rng.IntN(i))
			}
			mustSave(t, s, emp(num, mgr))
			managerOf[num] = mgr
		}
		check := func(step int) {
			for i := 0; i < n; i += 3 {
				num := fmt.Sprintf("P%02d", i)
				e, _ := s.FindEmployeeByNumber(ctx, num)
				line, err := s.ReportingLine(ctx, e.ID, false)
				if err != nil {
					t.Fatal(err)
				}
				var got []string
				for _, m := range line {
					got = append(got, m.Number)
				}
				slices.Sort(got)
				if want := naiveLine(managerOf, num); !slices.Equal(got, want) {
					t.Fatalf("step %d: line of %s = %v, want %v", step, num, got, want)
				}
			}
		}
		check(0)
		for step := 1; step <= 30; step++ {
			num := fmt.Sprintf("P%02d", 1+rng.IntN(n-1))
			mgr := fmt.Sprintf("P%02d", rng.IntN(n))
			_, err := s.SaveEmployee(ctx, emp(num, mgr))
			cycle := mgr == num || slices.Contains(naiveLine(managerOf, num), mgr)
			switch {
			case cycle && err == nil:
				t.Fatalf("step %d: moving %s under %s made a cycle and was accepted", step, num, mgr)
			case !cycle && err != nil:
				t.Fatalf("step %d: move %s under %s: %v", step, num, mgr, err)
			case cycle && store.FieldOf(err) != "manager_number":
				t.Fatalf("step %d: cycle error names %q", step, store.FieldOf(err))
			}
			if err == nil {
				managerOf[num] = mgr
			}
			check(step)
		}
		// A full rebuild agrees with the incremental updates.
		if changed, err := people.RebuildPaths(ctx, db); err != nil || changed != 0 {
			t.Fatalf("rebuild changed %d rows (err %v): incremental paths drifted", changed, err)
		}
	})
}
