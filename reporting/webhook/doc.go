// Package webhook delivers the events of the session outbox to partners'
// endpoints as signed webhooks: the VAP host's side of push reporting.
//
// Start from [Dispatcher], built with [New] from a [Config] naming the
// [DeliveryStore] (store/memory, store/sqlite and store/postgres implement
// it on their Store) and the partners' endpoints ([StaticEndpoints] or
// another [EndpointSource]). The host runs [Dispatcher.Run] in a goroutine;
// it claims due events under a lease, posts them and records the outcome.
//
// Guarantees:
//
//   - At-least-once: an event stays pending until its endpoint answers 2xx.
//     A dispatcher that dies mid-delivery leaves its lease to expire, after
//     which another (or the restarted one) sends the event again. Partners
//     drop duplicates by event id.
//   - Order: events of one session (one stream) are sent one at a time in
//     the order they were written, each only after the one before it was
//     delivered (or parked as dead).
//   - Retries: a failure (non-2xx, timeout, refused connection) is retried
//     with exponential backoff and jitter, waiting at least the endpoint's
//     Retry-After (seconds or an HTTP date) and at most BackoffMax; after
//     MaxAttempts attempts or once the event is older than MaxAge it is
//     parked as dead, listed by [Dispatcher.ListDead] and sent again after
//     [Dispatcher.Replay]. A claimed event the dispatcher does not start
//     (too little of its lease left, or stopping) is given back through
//     [ClaimReleaser] and not counted as an attempt.
//   - Several dispatchers may share one database: a claim leases each
//     event to one of them (PostgreSQL: SELECT … FOR UPDATE SKIP LOCKED;
//     SQLite: one BEGIN IMMEDIATE transaction), so no event is sent by two
//     at once while the lease holds. Leases are dated by each host's clock:
//     the hosts must agree to within Config.ClockSkew (run NTP).
//
// Every attempt is signed afresh as the Standard Webhooks specification
// says (https://www.standardwebhooks.com): headers webhook-id (the event
// id), webhook-timestamp (the attempt's time) and webhook-signature, an
// HMAC-SHA256 over "id.timestamp.body" with each of the endpoint's secrets,
// so that during a secret rotation both signatures are sent. The body bytes
// are those written to the outbox with the change, identical on every
// attempt. Partners verify with package partner (partner.WebhookVerifier).
//
// NOTE: a partner has one endpoint. A dead event does not hold back the
// later events of its session; when replayed after them it arrives out of
// order, and the partner drops it by its lower revision.
package webhook
