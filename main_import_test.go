package main

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/serviceacademy/academy/people"
	"github.com/serviceacademy/academy/store"
	"github.com/serviceacademy/academy/store/storetest"
)

// TestImportEmployeesCommandGrantsRoles: the command-line import is the
// operator's, so its roles column grants roles (on the page and through the
// API only an admin's import may).
func TestImportEmployeesCommandGrantsRoles(t *testing.T) {
	dsn := storetest.MustDSN(t, "sqlite")
	t.Setenv("ACADEMY_DB", dsn)
	if _, _, err := runCmd(t, "", "migrate"); err != nil {
		t.Fatal(err)
	}
	csv := filepath.Join(t.TempDir(), "people.csv")
	os.WriteFile(csv, []byte("Employee Number,First Name,Last Name,Email,Roles\n7,Ann,Lee,ann@example.com,admin\n8,Bob,Ray,bob@example.com,hr\n"), 0o600)
	if out, _, err := runCmd(t, "", "import", "employees", csv); err != nil || !strings.Contains(out, "2 created") {
		t.Fatalf("import: %q %v", out, err)
	}
	db, err := store.Open(context.Background(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	s := people.NewStore(db)
	for num, want := range map[string]string{"7": "admin", "8": "hr"} {
		e, err := s.FindEmployeeByNumber(context.Background(), num)
		if err != nil || e.Roles != want {
			t.Fatalf("%s: roles %q (%v), want %q", num, e.Roles, err, want)
		}
	}
}
