package notify

import (
	"errors"
	"fmt"
	"net"
	"net/mail"
	"net/url"
	"strconv"
	"strings"
)

// TLS is how the sender secures its SMTP connection.
type TLS int

const (
	StartTLS    TLS = iota // smtp://: STARTTLS required (the default)
	ImplicitTLS            // smtps://: TLS from the first byte
	NoTLS                  // smtp://...?tls=none: plain text, loopback hosts only
)

// SMTP is the mail server to deliver to, from --smtp-url.
type SMTP struct {
	Host               string
	Port               int
	Username, Password string
	TLS                TLS
}

// ParseSMTPURL reads --smtp-url: smtp://user:pass@host:587 (STARTTLS
// required), smtps://user:pass@host:465 (implicit TLS) or
// smtp://host:1025?tls=none (plain text, allowed only for a loopback host:
// a password must never cross a network unencrypted). The error says what
// is wrong without repeating the password.
func ParseSMTPURL(s string) (*SMTP, error) {
	u, err := url.Parse(strings.TrimSpace(s))
	if err != nil {
		return nil, errors.New("not a URL; want smtp://user:password@host:587 or smtps://user:password@host:465")
	}
	c := &SMTP{Host: u.Hostname()}
	switch u.Scheme {
	case "smtp":
		c.TLS, c.Port = StartTLS, 587
	case "smtps":
		c.TLS, c.Port = ImplicitTLS, 465
	default:
		return nil, fmt.Errorf("the scheme is %q; want smtp:// (STARTTLS) or smtps:// (implicit TLS)", u.Scheme)
	}
	if c.Host == "" {
		return nil, errors.New("no host; want smtp://user:password@host:587")
	}
	if p := u.Port(); p != "" {
		n, err := strconv.Atoi(p)
		if err != nil || n < 1 || n > 65535 {
			return nil, fmt.Errorf("port %q is not a port number", p)
		}
		c.Port = n
	}
	if u.User != nil {
		c.Username = u.User.Username()
		c.Password, _ = u.User.Password()
	}
	q := u.Query()
	for k := range q {
		if k != "tls" {
			return nil, fmt.Errorf("unknown option %q; the only option is tls=none", k)
		}
	}
	switch q.Get("tls") {
	case "":
	case "none":
		if c.TLS == ImplicitTLS {
			return nil, errors.New("smtps:// is TLS; tls=none goes with smtp://")
		}
		if !loopback(c.Host) {
			return nil, fmt.Errorf("tls=none is allowed only for a loopback host (localhost, 127.0.0.1, ::1), not %s: use STARTTLS or smtps://", c.Host)
		}
		c.TLS = NoTLS
	default:
		return nil, fmt.Errorf("tls=%q: the only value is none (for a loopback host)", q.Get("tls"))
	}
	return c, nil
}

func loopback(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// String is the URL with the password hidden, for logs.
func (c *SMTP) String() string {
	u := url.URL{Scheme: "smtp", Host: net.JoinHostPort(c.Host, strconv.Itoa(c.Port))}
	if c.TLS == ImplicitTLS {
		u.Scheme = "smtps"
	}
	if c.Username != "" {
		if c.Password != "" {
			u.User = url.UserPassword(c.Username, "***")
		} else {
			u.User = url.User(c.Username)
		}
	}
	if c.TLS == NoTLS {
		u.RawQuery = "tls=none"
	}
	return strings.Replace(u.String(), "%2A%2A%2A", "***", 1)
}

// ParseFrom reads --mail-from: an address, optionally with a name
// ("Academy <academy@example.com>").
func ParseFrom(s string) (*mail.Address, error) {
	a, err := mail.ParseAddress(strings.TrimSpace(s))
	if err != nil {
		return nil, fmt.Errorf("%q is not an e-mail address (want academy@example.com or \"Academy <academy@example.com>\")", s)
	}
	return a, nil
}
