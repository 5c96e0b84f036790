package app_test

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/serviceacademy/academy/people"
)

// TestEmployeeAPIRefusesControlCharacters: a NUL (which no database stores)
// or another control character in an employee's field is a 422 naming the
// field, not a 500.
func TestEmployeeAPIRefusesControlCharacters(t *testing.T) {
	ts := mustServer(t, "sqlite")
	tok, _, err := ts.People.CreateToken(context.Background(), "t", people.RoleHR, "", nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct{ name, body, field string }{
		{"NUL", `{"first_name":"A\u0000","last_name":"B","email":"zz1@example.com"}`, "first_name"},
		{"Escape", `{"first_name":"A","last_name":"B\u001b[31m","email":"zz1@example.com"}`, "last_name"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			req, _ := http.NewRequest("PUT", "http://localhost/api/v1/employees/ZZ1", strings.NewReader(tc.body))
			req.Header.Set("Authorization", "Bearer "+tok)
			req.Header.Set("Content-Type", "application/json")
			resp, err := ts.App.Test(req, -1)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			var e struct{ Error, Field string }
			json.NewDecoder(resp.Body).Decode(&e)
			if resp.StatusCode != 422 || e.Field != tc.field || !strings.Contains(e.Error, "control character") {
				t.Fatalf("status %d, %+v; want 422 on %s", resp.StatusCode, e, tc.field)
			}
		})
	}
}
