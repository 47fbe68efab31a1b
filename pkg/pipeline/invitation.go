package pipeline

import (
	"context"
	"errors"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	orgtypes "github.com/aws/aws-sdk-go-v2/service/organizations/types"
)

// InvitationPending is Describe's error while an invited account has not
// answered its invitation. Its type name is the error name Step Functions
// sees; the state machine retries it with backoff for as long as an
// invitation stays open: 15 days, as in the InviteAccountToOrganization
// record of "Logging and monitoring in AWS Organizations", whose handshake
// expires 15 days after it was requested.
type InvitationPending struct{ AccountID, HandshakeID string }

func (e *InvitationPending) Error() string {
	return "account " + e.AccountID + " has not answered invitation " + e.HandshakeID + " yet"
}

// awaitInvitation follows the handshake of an invitation from the
// management account (DescribeHandshake), because the invited account's
// AcceptHandshake is recorded in that account, where landfall's rules do
// not run. It returns nil once the account accepted, *InvitationPending
// while the invitation is open, and otherwise ends the run: an invitation
// declined, canceled or expired is skipped, and one Organizations no
// longer knows (it deletes ended handshakes after 30 days, "Handshake",
// Organizations API reference) is rejected.
func (d *Deps) awaitInvitation(ctx context.Context, org *organizations.Client, st *State, raw []byte) (ended bool, err error) {
	req := st.Request
	out, err := org.DescribeHandshake(ctx, &organizations.DescribeHandshakeInput{HandshakeId: aws.String(req.HandshakeID)})
	var gone *orgtypes.HandshakeNotFoundException
	if errors.As(err, &gone) {
		*st = d.reject(ctx, *st, fmt.Sprintf("invitation %s of account %s is not known to Organizations", req.HandshakeID, req.AccountID), raw)
		return true, nil
	}
	if err != nil {
		return false, fmt.Errorf("describing invitation (%s): %w", req.HandshakeID, err)
	}
	switch state := out.Handshake.State; state {
	case orgtypes.HandshakeStateAccepted:
		return false, nil
	case orgtypes.HandshakeStateOpen, orgtypes.HandshakeStateRequested:
		return false, &InvitationPending{AccountID: req.AccountID, HandshakeID: req.HandshakeID}
	default:
		d.Log.Info("the invitation ended without the account joining", "request", req, "state", state)
		st.Decision, st.SkipReason = DecideSkip, fmt.Sprintf("invitation %s ended %s: account %s did not join", req.HandshakeID, state, req.AccountID)
		return true, nil
	}
}
