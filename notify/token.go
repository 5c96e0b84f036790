package notify

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/uptrace/bun"

	"github.com/serviceacademy/academy/people"
)

// secretKey is the settings key of the key unsubscribe links are signed with.
const secretKey = "notify.link_secret"

// Secret returns the key that signs unsubscribe links, made (32 random
// bytes, kept in the settings table) the first time: every instance on the
// database signs and checks with the same key.
func Secret(ctx context.Context, db bun.IDB) ([]byte, error) {
	fresh := make([]byte, 32)
	if _, err := rand.Read(fresh); err != nil {
		return nil, err
	}
	row := &people.SettingRow{Key: secretKey, Value: hex.EncodeToString(fresh), UpdatedAt: time.Now().UTC()}
	if _, err := db.NewInsert().Model(row).On("CONFLICT (key) DO NOTHING").Exec(ctx); err != nil {
		return nil, fmt.Errorf("notify: link secret: %w", err)
	}
	var kept people.SettingRow
	if err := db.NewSelect().Model(&kept).Where("key = ?", secretKey).Scan(ctx); err != nil {
		return nil, fmt.Errorf("notify: link secret: %w", err)
	}
	key, err := hex.DecodeString(kept.Value)
	if err != nil || len(key) < 16 {
		return nil, errors.New("notify: the stored link secret is not valid hex")
	}
	return key, nil
}

// ErrBadToken is the answer to an unsubscribe token that was changed, cut
// short or made for another kind.
var ErrBadToken = errors.New("this unsubscribe link is not valid: it may have been cut short or changed")

// UnsubscribeToken is the signed token of an unsubscribe link: the employee
// and the optional kind, with an HMAC-SHA256 of both.
func UnsubscribeToken(secret []byte, employeeID int64, kind Kind) string {
	payload := strconv.FormatInt(employeeID, 10) + "." + string(kind)
	return payload + "." + sign(secret, payload)
}

// ParseUnsubscribe checks a token made by UnsubscribeToken and returns what
// it names; a token changed in any way, or naming a kind that cannot be
// turned off, is ErrBadToken.
func ParseUnsubscribe(secret []byte, token string) (int64, Kind, error) {
	i := strings.LastIndexByte(token, '.')
	if i < 0 {
		return 0, "", ErrBadToken
	}
	payload, mac := token[:i], token[i+1:]
	if !hmac.Equal([]byte(mac), []byte(sign(secret, payload))) {
		return 0, "", ErrBadToken
	}
	idText, kindText, ok := strings.Cut(payload, ".")
	id, err := strconv.ParseInt(idText, 10, 64)
	in, known := InfoOf(Kind(kindText))
	if !ok || err != nil || !known || !in.Optional {
		return 0, "", ErrBadToken
	}
	return id, in.Kind, nil
}

func sign(secret []byte, payload string) string {
	m := hmac.New(sha256.New, secret)
	m.Write([]byte("unsubscribe\x00" + payload))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}
