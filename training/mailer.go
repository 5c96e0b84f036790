package training

import (
	"context"
	"strconv"
	"strings"

	"github.com/serviceacademy/academy/notify"
)

// MailBrand returns how e-mails look: the company's name, its logo (as an
// absolute link to /company/logo) and time zone, and the base URL every
// link in a message starts with. The company has no colour setting yet:
// messages use notify.DefaultColour.
func (s *Service) MailBrand(ctx context.Context, baseURL string) (notify.Brand, error) {
	p, err := s.courses.CachedCompany(ctx)
	if err != nil {
		return notify.Brand{}, err
	}
	base := strings.TrimRight(baseURL, "/")
	b := notify.Brand{Company: p.Name, BaseURL: base, Loc: p.Loc}
	if p.HasLogo {
		b.LogoURL = base + "/company/logo?v=" + strconv.FormatInt(p.LogoUpdatedAt.Unix(), 10)
	}
	return b, nil
}

// NewSender returns the SMTP sender of the outbox, with the Service's brand
// and clock (o.Brand and o.Now are set here). Run it with Run beside the
// scheduler.
func (s *Service) NewSender(baseURL string, o notify.SenderOptions) *notify.Sender {
	o.Brand = func(ctx context.Context) (notify.Brand, error) { return s.MailBrand(ctx, baseURL) }
	o.Now = s.clock.Now
	if o.Log == nil {
		o.Log = s.log
	}
	return notify.NewSender(s.db, o)
}
