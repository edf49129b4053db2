package vapserver

import "github.com/virtualaipatient/integration/examples/internal/demo"

// Registration is one partner's entry in the server's registry, seen from
// the partner's side: the values its launch tokens, API credentials, JWK
// Set and webhook receiver must match.
type Registration struct {
	// PartnerID is the partner's registry id.
	PartnerID string
	// Issuer is the exact "iss" expected in the partner's tokens.
	Issuer string
	// LaunchAudience is the "aud" expected in launch tokens; it is also
	// the URL launch tokens are posted to.
	LaunchAudience string
	// APIAudience is the "aud" expected in API credentials.
	APIAudience string
	// Algorithms are the accepted "alg" values.
	Algorithms []string
	// JWKSURL is where the server fetches the partner's public keys.
	JWKSURL string
	// WebhookURL receives the partner's webhooks; empty when none are sent.
	WebhookURL string
	// CohortIDs are the partner's cohorts registered at start.
	CohortIDs []string
	// APIBaseURL is the base URL of the partner API (demo.APIBasePath on
	// the server's public URL).
	APIBaseURL string
	// LearnerAppURL is the learner page that launches redirect to.
	LearnerAppURL string
}

// Registrations returns the registry the server verifies with, one entry
// per partner in Config order, for a host to print at start: a partner
// configured by hand needs every value.
func (s *Server) Registrations() []Registration {
	out := make([]Registration, 0, len(s.cfg.Partners))
	for i, p := range s.registry() {
		cfg := s.cfg.Partners[i]
		r := Registration{
			PartnerID: p.ID, Issuer: p.Issuer, Algorithms: p.Algorithms,
			LaunchAudience: p.Audience, APIAudience: p.APIAudience, JWKSURL: p.JWKSURL,
			WebhookURL: cfg.WebhookURL,
			APIBaseURL: demo.APIBase(s.cfg.PublicURL), LearnerAppURL: s.learnerAppURL(),
		}
		for _, c := range cfg.Cohorts {
			r.CohortIDs = append(r.CohortIDs, c.ID)
		}

		out = append(out, r)
	}

	return out
}

// learnerAppURL is the absolute URL of the learner page.
func (s *Server) learnerAppURL() string {
	return s.cfg.PublicURL + LearnerAppPath
}
