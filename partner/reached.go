package partner

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"net"
	"net/http/httptrace"
	"sync/atomic"
)

// sendProgress records, through an httptrace.ClientTrace, how far one
// request got before it failed. It decides whether a call that must not be
// repeated (a launch) may be retried.
//
// The trace alone never proves that nothing was sent: a transport may fire
// no callback at all. So a failure counts as "never sent" only when the
// error itself says it came before any byte of the request could leave
// (a DNS or dial failure, a server certificate refused), and the trace
// shows no connection handed to the request; every other failure is
// treated as having possibly reached the server.
type sendProgress struct {
	// gotConn is set once a connection was handed to the request; from
	// then on bytes may have been written.
	gotConn atomic.Bool
	// tlsFailed is set when a TLS handshake failed, which the transport
	// reports before the connection is used.
	tlsFailed atomic.Bool
}

// trace returns the callbacks that feed p.
func (p *sendProgress) trace() *httptrace.ClientTrace {
	return &httptrace.ClientTrace{
		GotConn: func(httptrace.GotConnInfo) { p.gotConn.Store(true) },
		TLSHandshakeDone: func(_ tls.ConnectionState, err error) {
			if err != nil {
				p.tlsFailed.Store(true)
			}
		},
	}
}

// neverSent reports whether err, the transport's answer to the request,
// certainly came before any of the request was written.
func (p *sendProgress) neverSent(err error) bool {
	if p.gotConn.Load() {
		return false
	}

	return p.tlsFailed.Load() || beforeConnection(err)
}

// beforeConnection reports whether err is of a kind that only happens
// before a connection exists: resolving the host, dialing it, or verifying
// its certificate during the handshake (the client sends no request data
// until it has accepted the server's certificate).
func beforeConnection(err error) bool {
	var dnsErr *net.DNSError
	if errors.As(err, &dnsErr) {
		return true
	}

	var opErr *net.OpError
	if errors.As(err, &opErr) && opErr.Op == "dial" {
		return true
	}

	var (
		verifyErr    *tls.CertificateVerificationError
		authorityErr x509.UnknownAuthorityError
		hostErr      x509.HostnameError
		invalidErr   x509.CertificateInvalidError
	)

	return errors.As(err, &verifyErr) || errors.As(err, &authorityErr) ||
		errors.As(err, &hostErr) || errors.As(err, &invalidErr)
}
