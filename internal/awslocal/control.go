package awslocal

import (
	"encoding/json"
	"net/http"
	"strings"
	"time"
)

// controlPrefix is where the endpoint's own control API lives, beside the
// AWS APIs: the outbox, faults and call counters for the standalone server,
// and the subscription-confirmation link that SNS puts in its emails.
const controlPrefix = "/_landfall/"

func (s *Server) serveOutOfBand(w http.ResponseWriter, r *http.Request) bool {
	if !strings.HasPrefix(r.URL.Path, controlPrefix) {
		return false
	}
	switch strings.TrimPrefix(r.URL.Path, controlPrefix) {
	case "outbox":
		writeControlJSON(w, s.Outbox())
	case "calls":
		type row struct {
			CallKey
			Count int  `json:"count"`
			Write bool `json:"write"`
		}
		var rows []row
		for k, v := range s.Calls() {
			rows = append(rows, row{k, v, k.Write()})
		}
		writeControlJSON(w, rows)
	case "faults":
		var f Fault
		if err := json.NewDecoder(r.Body).Decode(&f); err != nil || f.Kind == "" {
			http.Error(w, "body must be a JSON fault: {\"kind\":\"throttle\",\"service\":\"iam\",\"fraction\":0.3}", http.StatusBadRequest)
			return true
		}
		s.InjectFault(f)
		writeControlJSON(w, f)
	case "unreachable":
		var u struct {
			Account string  `json:"account"`
			Seconds float64 `json:"seconds"` // negative: for good
		}
		if err := json.NewDecoder(r.Body).Decode(&u); err != nil || len(u.Account) != 12 {
			http.Error(w, "body must be {\"account\":\"123456789012\",\"seconds\":30}", http.StatusBadRequest)
			return true
		}
		s.MakeUnreachable(u.Account, time.Duration(u.Seconds*float64(time.Second)))
		writeControlJSON(w, u)
	case "credentials":
		acct := r.URL.Query().Get("account")
		if len(acct) != 12 {
			http.Error(w, "query parameter account must be a 12-digit account id", http.StatusBadRequest)
			return true
		}
		writeControlJSON(w, s.AdminCredentials(acct))
	case "confirm":
		s.confirmFromLink(w, r)
	default:
		http.NotFound(w, r)
	}
	return true
}

// confirmFromLink handles the link in a subscription-confirmation email,
// as SNS's confirmation page does.
func (s *Server) confirmFromLink(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.hooks.confirm == nil {
		http.Error(w, "SNS is not available", http.StatusNotFound)
		return
	}
	arn, err := s.hooks.confirm(q.Get("TopicArn"), q.Get("Token"))
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	writeControlJSON(w, map[string]string{"subscriptionArn": arn})
}

func writeControlJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json")
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	_ = enc.Encode(v)
}
