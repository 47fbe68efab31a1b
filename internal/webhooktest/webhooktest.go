// Package webhooktest stands in for chat services' webhook endpoints in
// tests: an HTTPS server that answers for every host name, and a client
// that reaches it whatever host a URL names, so a test can post to
// https://hooks.slack.com/... as the formatter would, without the network.
package webhooktest

import (
	"context"
	"net"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"
)

// Server is a TLS server for every host.
type Server struct{ *httptest.Server }

// New starts a server with handler, closed when the test ends.
func New(t testing.TB, handler http.Handler) *Server {
	t.Helper()
	s := httptest.NewTLSServer(handler)
	t.Cleanup(s.Close)
	return &Server{s}
}

// Client reaches the server for every host and port, and verifies its
// certificate, which httptest issues for example.com.
func (s *Server) Client() *http.Client {
	tr := s.Server.Client().Transport.(*http.Transport).Clone()
	addr := s.Listener.Addr().String()
	tr.DialContext = func(ctx context.Context, network, _ string) (net.Conn, error) {
		return (&net.Dialer{}).DialContext(ctx, network, addr)
	}
	tr.TLSClientConfig.ServerName = "example.com"
	return &http.Client{Transport: tr, Timeout: 5 * time.Second}
}
