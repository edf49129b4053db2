// Package partnerapp is the partner web app of the examples: a course page
// listing the cohort's assigned cases with a Launch button per case, the
// partner's JWK Set, a webhook receiver and a gradebook filled from the
// webhooks and the reporting API. A learner.deleted webhook makes the
// gradebook forget the deleted learner's sessions.
//
// Start from New with a Config naming the app's and VAP's URLs; App.Handler
// serves every page and App.Client is the partner.Client it uses. The
// commands examples/partner and examples/quickstart are thin mains over it.
package partnerapp
