package awslocal

import (
	"net/http"
	"regexp"
	"time"
)

// STS (awsQuery), following the STS API Reference: GetCallerIdentity and
// AssumeRole with trust-policy evaluation. Credentials from AssumeRole act
// in the role's account.

func registerSTS(s *Server) {
	s.register(&service{
		name: "sts", protocol: queryProtocol{}, xmlns: "https://sts.amazonaws.com/doc/2011-06-15/",
		throttle: *statusErrorf(http.StatusBadRequest, "Throttling", "Rate exceeded"),
		ops: map[string]handler{
			"GetCallerIdentity": stsGetCallerIdentity,
			"AssumeRole":        stsAssumeRole,
		},
	})
}

func stsGetCallerIdentity(c *call) (doc, error) {
	p := c.principal
	userID := p.UserID
	if p.Type == "AssumedRole" {
		userID += ":" + p.SessionName
	}
	return doc{"Account": p.AccountID, "Arn": p.ARN, "UserId": userID}, nil
}

var sessionName = regexp.MustCompile(`^[\w+=,.@-]{2,64}$`)

func stsAssumeRole(c *call) (doc, error) {
	roleARN, session := str(c.in, "RoleArn"), str(c.in, "RoleSessionName")
	if !sessionName.MatchString(session) {
		return nil, errorf("ValidationError", "1 validation error detected: Value '%s' at 'roleSessionName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w+=,.@-]*", session)
	}
	acct, kind, _, ok := splitIAMARN(roleARN)
	if !ok || kind != "role" {
		return nil, errorf("ValidationError", "%s is not a valid role ARN", roleARN)
	}
	denied := statusErrorf(http.StatusForbidden, "AccessDenied",
		"User: %s is not authorized to perform: sts:AssumeRole on resource: %s", c.principal.ARN, roleARN)
	target := c.srv.accounts[acct]
	if target == nil || target.Status != "ACTIVE" || c.srv.faults.isUnreachable(acct, c.srv.now()) {
		return nil, denied
	}
	// The ARN must name the role's path too: a role is not found under another.
	role := c.srv.roleByARNLocked(roleARN)
	if role == nil || c.srv.propagating(role.made) {
		return nil, denied
	}
	// The authorizer has decided against the trust policy.

	duration := intOr(c.in, "DurationSeconds", 3600)
	maxDuration := role.MaxSession
	if c.principal.Type == "AssumedRole" {
		maxDuration = 3600 // role chaining limits sessions to one hour
	}
	if duration < 900 || duration > maxDuration {
		return nil, errorf("ValidationError", "The requested DurationSeconds exceeds the MaxSessionDuration set for this role.")
	}
	p := sessionOfRole(acct, role, session)
	// MFA carries over only when the caller proves it on this call.
	p.MFA = str(c.in, "SerialNumber") != "" && str(c.in, "TokenCode") != ""
	cred := c.srv.issueLocked(p, time.Duration(duration)*time.Second)
	return doc{
		"Credentials": doc{
			"AccessKeyId": cred.AccessKeyID, "SecretAccessKey": cred.Secret,
			"SessionToken": cred.SessionToken, "Expiration": cred.Expires,
		},
		"AssumedRoleUser": doc{"AssumedRoleId": role.ID + ":" + session, "Arn": p.ARN},
	}, nil
}
