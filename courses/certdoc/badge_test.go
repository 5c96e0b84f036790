package certdoc

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/santhosh-tekuri/jsonschema/v6"
)

func sampleBadge() BadgeInput {
	return BadgeInput{
		VerifyURL:     "https://academy.brightwater.example/verify/K7Q2-M9XD-4TPA-8WBN",
		IssuerID:      "https://academy.brightwater.example/issuer",
		IssuerName:    "Brightwater Hotels & Resorts",
		IssuerURL:     "https://brightwater.example",
		EmployeeName:  "Zoë Núñez Øberg",
		AchievementID: "https://academy.brightwater.example/programmes/12/versions/3",
		Programme:     "Food Safety and Hygiene, Level 2",
		Description:   "Safe food handling for kitchen and service staff.",
		Criteria:      "Completed every course of the programme and passed its final quiz with at least 80%.",
		IssuedAt:      time.Date(2025, 3, 12, 14, 30, 0, 0, time.UTC),
		ExpiresAt:     ptr(time.Date(2027, 3, 12, 14, 30, 0, 0, time.UTC)),
	}
}

// mustSchema compiles the 1EdTech schema in testdata (see testdata/README.md).
func mustSchema(tb testing.TB) *jsonschema.Schema {
	tb.Helper()
	f, err := os.Open("testdata/ob_v3p0_achievementcredential_schema.json")
	if err != nil {
		tb.Fatal(err)
	}
	defer f.Close()
	doc, err := jsonschema.UnmarshalJSON(f)
	if err != nil {
		tb.Fatal(err)
	}
	c := jsonschema.NewCompiler()
	c.AssertFormat()
	if err := c.AddResource("ob_v3p0_achievementcredential_schema.json", doc); err != nil {
		tb.Fatal(err)
	}
	s, err := c.Compile("ob_v3p0_achievementcredential_schema.json")
	if err != nil {
		tb.Fatal(err)
	}
	return s
}

func TestBadgeMatchesSchema(t *testing.T) {
	schema := mustSchema(t)
	tests := []struct {
		name string
		edit func(*BadgeInput)
	}{
		{"OK", func(*BadgeInput) {}},
		{"NoExpiry", func(in *BadgeInput) { in.ExpiresAt = nil }},
		{"NoIssuerURL", func(in *BadgeInput) { in.IssuerURL = "" }},
		{"Cyrillic", func(in *BadgeInput) { in.EmployeeName = "Дмитрий Иванов" }},
		{"CJK", func(in *BadgeInput) { in.EmployeeName = "山田 太郎" }},
		{"Greek", func(in *BadgeInput) { in.EmployeeName = "Γιώργος Παπαδόπουλος" }},
		{"QuotesAndMarkup", func(in *BadgeInput) { in.EmployeeName = `Ann "Nan" O'Neil <b>&</b>` }},
		{"LongName", func(in *BadgeInput) { in.EmployeeName = strings.Repeat("Wolfeschlegelstein", 12) }},
		{"LocalTimeZone", func(in *BadgeInput) {
			in.IssuedAt = time.Date(2025, 3, 12, 23, 30, 0, 500, time.FixedZone("NZDT", 13*3600))
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := sampleBadge()
			tt.edit(&in)
			out, err := Badge(in)
			if err != nil {
				t.Fatal(err)
			}
			doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(out))
			if err != nil {
				t.Fatal(err)
			}
			if err := schema.Validate(doc); err != nil {
				t.Fatalf("credential does not match the schema: %v\n%s", err, out)
			}
			var got struct {
				ID         string   `json:"id"`
				Type       []string `json:"type"`
				ValidFrom  string   `json:"validFrom"`
				ValidUntil *string  `json:"validUntil"`
				Subject    struct {
					Identifier []struct{ IdentityHash string } `json:"identifier"`
				} `json:"credentialSubject"`
				Status struct{ ID, Type string } `json:"credentialStatus"`
			}
			if err := json.Unmarshal(out, &got); err != nil {
				t.Fatal(err)
			}
			if got.ID != in.VerifyURL || got.Status.ID != in.VerifyURL+"/status.json" || got.Status.Type != "1EdTechRevocationList" {
				t.Errorf("id %q, status %+v; want the verify URL and its /status.json", got.ID, got.Status)
			}
			if got.ValidFrom != in.IssuedAt.UTC().Format(time.RFC3339) || !strings.HasSuffix(got.ValidFrom, "Z") {
				t.Errorf("validFrom = %q", got.ValidFrom)
			}
			if (got.ValidUntil != nil) != (in.ExpiresAt != nil) {
				t.Errorf("validUntil = %v, want it exactly when ExpiresAt is set", got.ValidUntil)
			}
			if got.Subject.Identifier[0].IdentityHash != in.EmployeeName {
				t.Errorf("subject named %q, want %q", got.Subject.Identifier[0].IdentityHash, in.EmployeeName)
			}
		})
	}
}

func TestBadgeSchemaRejectsBrokenCredential(t *testing.T) {
	// Guards the test above: a schema that accepted anything would prove nothing.
	schema := mustSchema(t)
	out, err := Badge(sampleBadge())
	if err != nil {
		t.Fatal(err)
	}
	for _, field := range []string{"validFrom", "issuer", "credentialSubject"} {
		var m map[string]any
		if err := json.Unmarshal(out, &m); err != nil {
			t.Fatal(err)
		}
		delete(m, field)
		if err := schema.Validate(m); err == nil {
			t.Errorf("schema accepted a credential without %s", field)
		}
	}
}

func TestBadgeDeterministic(t *testing.T) {
	a, err := Badge(sampleBadge())
	if err != nil {
		t.Fatal(err)
	}
	for range 20 {
		if b, _ := Badge(sampleBadge()); !bytes.Equal(a, b) {
			t.Fatal("Badge gave different bytes for the same input")
		}
	}
}

func TestBadgeErrors(t *testing.T) {
	tests := []struct {
		name, field string
		edit        func(*BadgeInput)
	}{
		{"ErrNoEmployeeName", "EmployeeName", func(in *BadgeInput) { in.EmployeeName = "  " }},
		{"ErrNoCriteria", "Criteria", func(in *BadgeInput) { in.Criteria = "" }},
		{"ErrRelativeVerifyURL", "VerifyURL", func(in *BadgeInput) { in.VerifyURL = "/verify/K7Q2" }},
		{"ErrIssuerIDNotURL", "IssuerID", func(in *BadgeInput) { in.IssuerID = "brightwater" }},
		{"ErrBadIssuerURL", "IssuerURL", func(in *BadgeInput) { in.IssuerURL = "ftp://x" }},
		{"ErrNoIssuedAt", "IssuedAt", func(in *BadgeInput) { in.IssuedAt = time.Time{} }},
		{"ErrExpiresBeforeIssued", "ExpiresAt", func(in *BadgeInput) { in.ExpiresAt = ptr(in.IssuedAt.Add(-time.Hour)) }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := sampleBadge()
			tt.edit(&in)
			_, err := Badge(in)
			var fe *FieldError
			if !errors.As(err, &fe) || fe.Field != tt.field {
				t.Fatalf("Badge() error = %v; want a FieldError for %s", err, tt.field)
			}
		})
	}
}
