package awslocal

import (
	"encoding/json"
	"time"
)

// IAM propagation (Options.IAMPropagation), following "Changes that I make
// are not always immediately visible" (IAM User Guide, Troubleshoot IAM):
// IAM is eventually consistent, so a change takes effect some time after
// the call that made it succeeded, and a caller must not depend on it at
// once. The guide gives no figure, so the delay is the caller's choice.
// For that long after a change, on the wall clock:
//
//   - a role created cannot be assumed: STS answers AccessDenied, and a
//     service that assumes it (CloudTrail, Config, EventBridge, Lambda, Step
//     Functions; with an Authorizer) cannot, and answers with its own error;
//   - a role or user created is not yet a principal IAM knows: a trust
//     policy naming it is refused "Invalid principal in policy";
//   - an inline policy written, or a managed policy attached, allows
//     nothing yet, while its Deny statements apply at once. The guide does
//     not say in which order the parts of a change arrive; the stricter
//     reading is that a grant is the last to.
//
// Not modelled: a replaced trust policy (it applies at once; during
// propagation AWS may evaluate the old or the new one, which the endpoint
// cannot ask the simulator for), removals (a detached policy or a deleted
// role stops at once), new default versions of customer managed policies, principals
// named in resource policies other than trust policies, and the roles the
// endpoint makes itself (OrganizationAccountAccessRole in a new account,
// whose readiness MakeUnreachable and DelayNextAccount model).
//
// Propagation runs on the wall clock, not Options.Clock: a caller waits it
// out by sleeping, as against AWS, whatever time a test has set.

// propagating reports whether an IAM change made at when (on the wall
// clock) has not yet taken effect. A zero when was made by the endpoint
// itself, or before propagation was on.
func (s *Server) propagating(when time.Time) bool {
	d := s.opts.IAMPropagation
	return d > 0 && !when.IsZero() && s.wall().Before(when.Add(d))
}

// written records on p, on the wall clock, that key (an inline policy's
// "inline/" + name, or a managed policy's ARN) was just written.
func (s *Server) written(p *iamPolicies, key string) {
	if p.written == nil {
		p.written = map[string]time.Time{}
	}
	p.written[key] = s.wall()
}

// inEffect is what a held policy does now: all of text, only its Deny
// statements while it propagates, or nothing ("" and false) when that
// leaves no statement.
func (s *Server) inEffect(p *iamPolicies, key, text string) (string, bool, error) {
	if !s.propagating(p.written[key]) {
		return text, true, nil
	}
	var d struct {
		Version   json.RawMessage
		Statement json.RawMessage
	}
	if err := json.Unmarshal([]byte(text), &d); err != nil {
		return "", false, err
	}
	var all []json.RawMessage
	if err := json.Unmarshal(d.Statement, &all); err != nil {
		all = []json.RawMessage{d.Statement} // a single statement object
	}
	var denies []json.RawMessage
	for _, raw := range all {
		var st struct{ Effect string }
		if err := json.Unmarshal(raw, &st); err != nil {
			return "", false, err
		}
		if st.Effect == "Deny" {
			denies = append(denies, raw)
		}
	}
	if len(denies) == 0 {
		return "", false, nil
	}
	kept := map[string]any{"Statement": denies}
	if d.Version != nil {
		kept["Version"] = d.Version
	}
	out, err := json.Marshal(kept)
	return string(out), true, err
}

// SettleIAM lets every IAM change made so far take effect, as the passing
// of time would: for a test's setup that stands for what was made long
// before (the pipeline role the deploy created), never for what the code
// under test just wrote.
func (s *Server) SettleIAM() {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, a := range s.accounts {
		st := iamOf(a)
		for _, r := range st.roles {
			r.made, r.written = time.Time{}, nil
		}
		for _, u := range st.users {
			u.made, u.written = time.Time{}, nil
		}
	}
}
