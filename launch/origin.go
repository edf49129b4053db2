package launch

import (
	"errors"
	"net"
	"net/url"
	"slices"
	"strings"
)

// formOrigins returns the partner's validated, canonical form origins:
// p.FormOrigins, or the origin of its issuer when none is given and the
// issuer is a URL an origin may come from.
func formOrigins(p Partner) ([]string, error) {
	if len(p.FormOrigins) == 0 {
		if o, err := issuerOrigin(p.Issuer); err == nil {
			return []string{o}, nil
		}

		return nil, nil
	}

	out := make([]string, 0, len(p.FormOrigins))
	for _, raw := range p.FormOrigins {
		o, err := configuredOrigin(raw)
		if err != nil {
			return nil, err
		}

		if !slices.Contains(out, o) {
			out = append(out, o)
		}
	}

	return out, nil
}

// configuredOrigin checks one entry of Partner.FormOrigins: exactly
// "scheme://host[:port]", https or http on a loopback host.
func configuredOrigin(raw string) (string, error) {
	u, err := url.Parse(raw)
	if err != nil || u.Opaque != "" || u.User != nil || u.Host == "" || u.Path != "" ||
		u.RawQuery != "" || u.ForceQuery || u.Fragment != "" {
		return "", errors.New("form origin must be scheme://host[:port], without a path")
	}

	return secureOrigin(u)
}

// issuerOrigin returns the origin of an issuer URL, whatever its path.
func issuerOrigin(issuer string) (string, error) {
	u, err := url.Parse(issuer)
	if err != nil || u.Opaque != "" || u.User != nil || u.Host == "" {
		return "", errors.New("issuer is not a URL")
	}

	return secureOrigin(u)
}

// secureOrigin returns u's canonical origin when it is https, or http on
// a loopback host.
func secureOrigin(u *url.URL) (string, error) {
	o, ok := canonicalOrigin(u)
	if !ok {
		return "", errors.New("form origin must be an http or https origin")
	}

	host := u.Hostname()
	ip := net.ParseIP(host)
	if strings.HasPrefix(o, "http://") && host != "localhost" && (ip == nil || !ip.IsLoopback()) {
		return "", errors.New("form origin must use https")
	}

	return o, nil
}

// canonicalOrigin serializes u's origin as browsers do in the Origin
// header: lower-case scheme and host, the default port left out.
func canonicalOrigin(u *url.URL) (string, bool) {
	scheme := strings.ToLower(u.Scheme)
	host, port := strings.ToLower(u.Hostname()), u.Port()
	if (scheme != "https" && scheme != "http") || host == "" {
		return "", false
	}

	if (scheme == "https" && port == "443") || (scheme == "http" && port == "80") {
		port = ""
	}

	if strings.Contains(host, ":") {
		host = "[" + host + "]"
	}

	if port != "" {
		host += ":" + port
	}

	return scheme + "://" + host, true
}

// AllowsFormOrigin reports whether a browser's Origin header value names
// one of l.FormOrigins. The opaque origin "null", an empty value and
// anything that is not an http or https origin are never allowed.
func (l *Launch) AllowsFormOrigin(origin string) bool {
	if origin == "" || origin == "null" {
		return false
	}

	u, err := url.Parse(origin)
	if err != nil || u.User != nil || (u.Path != "" && u.Path != "/") || u.RawQuery != "" {
		return false
	}

	o, ok := canonicalOrigin(u)

	return ok && slices.Contains(l.FormOrigins, o)
}
