package people_test

import (
	"slices"
	"testing"

	"github.com/serviceacademy/academy/people"
)

func TestTokenRoles(t *testing.T) {
	const (
		staff, manager, hr, admin = people.RoleStaff, people.RoleManager, people.RoleHR, people.RoleAdmin
	)
	for _, tc := range []struct {
		name  string
		token people.Role
		held  []people.Role
		want  []people.Role
	}{
		{"OKSame", hr, []people.Role{staff, hr}, []people.Role{staff, manager, hr}},
		{"OKAdminCoversHR", hr, []people.Role{staff, admin}, []people.Role{staff, manager, hr}},
		{"OKTokenBelowEmployee", staff, []people.Role{staff, manager, hr, admin}, []people.Role{staff}},
		{"ErrHRRemoved", hr, []people.Role{staff}, []people.Role{staff}},
		{"ErrHRRemovedStillManager", hr, []people.Role{staff, manager}, []people.Role{staff, manager}},
		{"ErrAdminNowHR", admin, []people.Role{staff, hr}, []people.Role{staff, manager, hr}},
		{"ErrNothingHeld", admin, nil, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := people.TokenRoles(tc.token, tc.held); !slices.Equal(got, tc.want) {
				t.Fatalf("TokenRoles(%s, %v) = %v, want %v", tc.token, tc.held, got, tc.want)
			}
		})
	}
}
