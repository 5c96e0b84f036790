package certdoc

import (
	"encoding/json"
	"errors"
	"net/url"
	"strings"
	"time"
)

// BadgeInput is what an Open Badges 3.0 credential for one certificate says.
type BadgeInput struct {
	// VerifyURL is the certificate's public page, {base}/verify/{code}. It is
	// the credential's id; its status is read from VerifyURL + "/status.json".
	VerifyURL string

	IssuerID   string // URL that identifies the issuing company, e.g. {base}/issuer
	IssuerName string
	IssuerURL  string // the company's home page; may be empty

	EmployeeName string

	AchievementID string // URL of the programme version, e.g. {base}/programmes/12/versions/3
	Programme     string // the programme's title: the achievement's and the credential's name
	Description   string // a short description of the programme
	Criteria      string // what it took to earn it (Markdown allowed)

	IssuedAt  time.Time
	ExpiresAt *time.Time // nil: no validUntil
}

// Context and schema URLs of the credentials Badge writes.
const (
	vcContextV2 = "https://www.w3.org/ns/credentials/v2"
	obContext   = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"
	obSchema    = "https://purl.imsglobal.org/spec/ob/v3p0/schema/json/ob_v3p0_achievementcredential_schema.json"
)

// The JSON shapes, in the order their fields are written.
type (
	obCredential struct {
		Context           []string  `json:"@context"`
		ID                string    `json:"id"`
		Type              []string  `json:"type"`
		Name              string    `json:"name"`
		Issuer            obProfile `json:"issuer"`
		ValidFrom         string    `json:"validFrom"`
		ValidUntil        string    `json:"validUntil,omitempty"`
		CredentialSubject obSubject `json:"credentialSubject"`
		CredentialStatus  obTyped   `json:"credentialStatus"`
		CredentialSchema  []obTyped `json:"credentialSchema"`
	}
	obProfile struct {
		ID   string   `json:"id"`
		Type []string `json:"type"`
		Name string   `json:"name"`
		URL  string   `json:"url,omitempty"`
	}
	obSubject struct {
		Type        []string      `json:"type"`
		Identifier  []obIdentity  `json:"identifier"`
		Achievement obAchievement `json:"achievement"`
	}
	obIdentity struct {
		Type         string `json:"type"`
		IdentityHash string `json:"identityHash"`
		IdentityType string `json:"identityType"`
		Hashed       bool   `json:"hashed"`
	}
	obAchievement struct {
		ID              string     `json:"id"`
		Type            []string   `json:"type"`
		AchievementType string     `json:"achievementType"`
		Name            string     `json:"name"`
		Description     string     `json:"description"`
		Criteria        obCriteria `json:"criteria"`
	}
	obCriteria struct {
		Narrative string `json:"narrative"`
	}
	obTyped struct {
		ID   string `json:"id"`
		Type string `json:"type"`
	}
)

// Badge returns in as an OpenBadgeCredential (Open Badges 3.0 on the W3C
// Verifiable Credentials 2.0 data model), as indented JSON. The same input
// always gives the same bytes. It returns *FieldError values (joined) for
// missing or malformed fields.
//
// The credential is not signed (it has no proof): a verifier trusts it by
// fetching its id, our verify page. Its credentialStatus is
// {"id": VerifyURL + "/status.json", "type": "1EdTechRevocationList"}, 1EdTech's
// revocation-list status method, so the web layer must answer that URL with
// the method's revocation list for this credential: empty when it is valid,
// listing the credential's id once it is revoked. The employee is named by
// an unhashed identifier of type "name" (Open Badges requires an id or an
// identifier for the subject, and we hold no other stable one).
func Badge(in BadgeInput) ([]byte, error) {
	if err := in.validate(); err != nil {
		return nil, err
	}
	name := cleanText(in.Programme)
	c := obCredential{
		Context: []string{vcContextV2, obContext},
		ID:      in.VerifyURL,
		Type:    []string{"VerifiableCredential", "OpenBadgeCredential"},
		Name:    name,
		Issuer: obProfile{
			ID:   in.IssuerID,
			Type: []string{"Profile"},
			Name: cleanText(in.IssuerName),
			URL:  in.IssuerURL,
		},
		ValidFrom: in.IssuedAt.UTC().Format(time.RFC3339),
		CredentialSubject: obSubject{
			Type: []string{"AchievementSubject"},
			Identifier: []obIdentity{{
				Type:         "IdentityObject",
				IdentityHash: cleanText(in.EmployeeName),
				IdentityType: "name",
				Hashed:       false,
			}},
			Achievement: obAchievement{
				ID:              in.AchievementID,
				Type:            []string{"Achievement"},
				AchievementType: "CertificateOfCompletion",
				Name:            name,
				Description:     strings.TrimSpace(in.Description),
				Criteria:        obCriteria{Narrative: strings.TrimSpace(in.Criteria)},
			},
		},
		CredentialStatus: obTyped{ID: in.VerifyURL + "/status.json", Type: "1EdTechRevocationList"},
		CredentialSchema: []obTyped{{ID: obSchema, Type: "1EdTechJsonSchemaValidator2019"}},
	}
	if in.ExpiresAt != nil {
		c.ValidUntil = in.ExpiresAt.UTC().Format(time.RFC3339)
	}
	return json.MarshalIndent(c, "", "  ")
}

func (in BadgeInput) validate() error {
	var errs []error
	bad := func(field, problem string) { errs = append(errs, &FieldError{field, problem}) }
	for _, f := range []struct{ name, v string }{
		{"EmployeeName", in.EmployeeName}, {"IssuerName", in.IssuerName}, {"Programme", in.Programme},
		{"Description", in.Description}, {"Criteria", in.Criteria},
	} {
		if strings.TrimSpace(f.v) == "" {
			bad(f.name, "must not be empty")
		}
	}
	for _, f := range []struct {
		name, v  string
		optional bool
	}{{"VerifyURL", in.VerifyURL, false}, {"IssuerID", in.IssuerID, false}, {"AchievementID", in.AchievementID, false}, {"IssuerURL", in.IssuerURL, true}} {
		if f.v == "" && f.optional {
			continue
		}
		if u, err := url.Parse(f.v); err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
			bad(f.name, "must be an absolute http or https URL")
		}
	}
	if in.IssuedAt.IsZero() {
		bad("IssuedAt", "must be set")
	}
	if in.ExpiresAt != nil && in.ExpiresAt.Before(in.IssuedAt) {
		bad("ExpiresAt", "must not be before IssuedAt")
	}
	return errors.Join(errs...)
}
