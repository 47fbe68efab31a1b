package awslocal

import (
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"
)

// account is one AWS account's state. Each service keeps its own state in
// data, under its name (global services) or name/region (regional ones).
type account struct {
	ID      string
	Name    string
	Email   string
	Status  string // ACTIVE | SUSPENDED | PENDING_CLOSURE
	Created time.Time
	Closed  time.Time // when CloseAccount closed it, for ReopenAccount
	data    map[string]any
}

// principal is who signed a request.
type principal struct {
	AccountID   string
	ARN         string // arn:aws:iam::A:user/N or arn:aws:sts::A:assumed-role/R/S
	UserID      string
	Type        string // IAMUser | AssumedRole | Root
	RoleName    string // for assumed roles
	RolePath    string // the role's path, "/" or "/a/b/": in its ARN, not in the session's
	SessionName string
	MFA         bool
	MFAAge      time.Duration // since the MFA-authenticated sign-in
	// Operator marks the endpoint's own administrator (AdminCredentials),
	// who holds AdministratorAccess without an IAM user behind it.
	Operator bool
}

// rootOf is the root user of account, which holds every permission in it
// that the SCPs leave.
func rootOf(account string) principal {
	return principal{AccountID: account, Type: "Root", ARN: "arn:aws:iam::" + account + ":root"}
}

// sessionOfRole is the principal of a session of role, in account, named
// session: what AssumeRole issues, and what a service acts as when it uses
// a role (CloudTrail writing to CloudWatch Logs).
func sessionOfRole(account string, role *iamRole, session string) principal {
	return principal{AccountID: account, Type: "AssumedRole", RoleName: role.Name, RolePath: role.Path, SessionName: session, UserID: role.ID,
		ARN: "arn:aws:sts::" + account + ":assumed-role/" + role.Name + "/" + session}
}

// roleARN is the ARN of the role behind an assumed-role principal, which is
// what trust and resource policies name.
func (p principal) roleARN() string {
	if p.Type != "AssumedRole" {
		return p.ARN
	}
	return "arn:aws:iam::" + p.AccountID + ":role" + p.RolePath + p.RoleName
}

// userName is the name of an IAMUser principal: the last part of its ARN,
// after any path.
func (p principal) userName() string {
	return p.ARN[strings.LastIndex(p.ARN, "/")+1:]
}

// credential is an access key the endpoint issued.
type credential struct {
	AccessKeyID  string
	Secret       string
	SessionToken string
	Expires      time.Time // zero for long-term keys
	Principal    principal
}

// addAccount creates an empty account; callers hold s.mu (or run before
// the server is shared).
func (s *Server) addAccount(id, name, email string) *account {
	a := &account{ID: id, Name: name, Email: email, Status: "ACTIVE", Created: s.now(), data: map[string]any{}}
	s.accounts[id] = a
	return a
}

// state returns (creating on first use) a service's state in an account.
// Services with one state per region pass "name/region" as the key.
func state[T any](a *account, key string, mk func() *T) *T {
	if v, ok := a.data[key].(*T); ok {
		return v
	}
	v := mk()
	a.data[key] = v
	return v
}

// AddAccount creates a standalone account outside any organization, as an
// account someone signed up for before inviting it. It fails if the id is
// taken.
func (s *Server) AddAccount(id, name, email string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(id) != 12 || strings.Trim(id, "0123456789") != "" {
		return fmt.Errorf("adding account: %q is not a 12-digit account id", id)
	}
	if _, ok := s.accounts[id]; ok {
		return fmt.Errorf("adding account: %s exists", id)
	}
	s.addAccount(id, name, email)
	return nil
}

// Credentials are long-term keys of an administrator IAM user in an account,
// the way an operator's profile would hold them.
type Credentials struct {
	AccessKeyID     string
	SecretAccessKey string
	SessionToken    string
}

// AdminCredentials issues keys for the IAM user "admin" in the account,
// creating the account's entry if needed. Use it to act as the operator.
func (s *Server) AdminCredentials(accountID string) Credentials {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.accounts[accountID]; !ok {
		s.addAccount(accountID, "account-"+accountID, accountID+"@example.com")
	}
	p := principal{
		AccountID: accountID, Type: "IAMUser", UserID: "AIDA" + strings.ToUpper(s.newID(17)),
		ARN: "arn:aws:iam::" + accountID + ":user/admin", MFA: true, Operator: true,
	}
	c := s.issueLocked(p, 0)
	return Credentials{AccessKeyID: c.AccessKeyID, SecretAccessKey: c.Secret}
}

// IdentityCenterSession signs a person in to accountID through IAM Identity
// Center with permissionSet, as the access portal does, and returns the
// session. The set's role is provisioned first where Identity Center puts
// it: /aws-reserved/sso.amazonaws.com/<region>/AWSReservedSSO_<set>_<16
// hex>, without the region for "" ("Referencing permission sets in
// resource policies", IAM Identity Center User Guide), with the managed
// policies given. IAM keeps everyone else from creating or changing roles
// under /aws-reserved/, which the Authorizer decides. Identity Center asks
// for MFA at sign-in, if at all, and the session carries none:
// aws:MultiFactorAuthPresent is not true in its requests.
func (s *Server) IdentityCenterSession(accountID, region, permissionSet string, policyARNs ...string) (Credentials, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	a := s.accounts[accountID]
	if a == nil {
		return Credentials{}, fmt.Errorf("signing in to %s through IAM Identity Center: no such account", accountID)
	}
	st := iamOf(a)
	prefix := "AWSReservedSSO_" + permissionSet + "_"
	var role *iamRole
	for name, r := range st.roles {
		if strings.HasPrefix(name, prefix) && len(name) == len(prefix)+16 && strings.HasPrefix(r.Path, "/aws-reserved/sso.amazonaws.com/") {
			role = r
		}
	}
	if role == nil {
		// The trust Identity Center writes: its SAML provider in the account.
		provider := "AWSSSO_" + s.newID(16) + "_DO_NOT_DELETE"
		st.samlProviders[provider] = newSAMLProvider(s.now(), "", nil)
		trust := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Federated":"` + samlProviderARN(accountID, provider) +
			`"},"Action":["sts:AssumeRoleWithSAML","sts:TagSession"],` +
			`"Condition":{"StringEquals":{"SAML:aud":"https://signin.aws.amazon.com/saml"}}}]}`
		path := "/aws-reserved/sso.amazonaws.com/" // older instances put no region in it
		if region != "" {
			path += region + "/"
		}
		role = &iamRole{
			Name: prefix + s.newID(16), Path: path, ID: "AROA" + strings.ToUpper(s.newID(17)),
			Description: "IAM Identity Center permission set " + permissionSet, Trust: trust, MaxSession: 3600, Created: s.now(),
			iamPolicies: iamPolicies{Inline: map[string]string{}, Attached: policyARNs},
		}
		st.roles[role.Name] = role
	}
	c := s.issueLocked(sessionOfRole(accountID, role, "person@example.com"), time.Hour)
	return Credentials{AccessKeyID: c.AccessKeyID, SecretAccessKey: c.Secret, SessionToken: c.SessionToken}, nil
}

// ErrRolePropagating is ServiceCredentials' answer for a role created
// moments ago, within Options.IAMPropagation: a service cannot assume it
// yet, and whoever deploys it waits, as CloudFormation does.
var ErrRolePropagating = errors.New("the role was created moments ago and IAM has not propagated it yet")

// ServiceCredentials are what an AWS service holds when it assumes roleARN
// to act for its owner: Lambda a function's execution role (service
// "lambda.amazonaws.com", the session named after the function), Step
// Functions a state machine's. With an Authorizer the role's trust policy
// must admit the service principal; without one nothing is checked, as for
// every request. The service sends no aws:SourceAccount or aws:SourceArn:
// neither the Lambda Developer Guide ("Defining Lambda function permissions
// with an execution role") nor the Step Functions Developer Guide documents
// that it does, so a trust conditioned on them refuses here. The session
// lasts 12 hours, the longest AWS issues, because a local function is never
// handed fresh credentials.
func (s *Server) ServiceCredentials(service, roleARN, session string) (Credentials, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	role := s.roleByARNLocked(roleARN)
	if role == nil {
		return Credentials{}, fmt.Errorf("%s assuming %s: the role does not exist", service, roleARN)
	}
	if !sessionName.MatchString(session) {
		return Credentials{}, fmt.Errorf("%s assuming %s: session name %q is not valid", service, roleARN, session)
	}
	if s.opts.Authorizer != nil && !s.serviceMayAssumeLocked(service, roleARN, role, nil) {
		if s.propagating(role.made) {
			return Credentials{}, fmt.Errorf("%s assuming %s: %w", service, roleARN, ErrRolePropagating)
		}
		return Credentials{}, fmt.Errorf("%s assuming %s: the role's trust policy does not admit the service", service, roleARN)
	}
	c := s.issueLocked(sessionOfRole(arnAccount(roleARN), role, session), 12*time.Hour)
	return Credentials{AccessKeyID: c.AccessKeyID, SecretAccessKey: c.Secret, SessionToken: c.SessionToken}, nil
}

// issueLocked mints a credential; ttl 0 makes it long-term.
func (s *Server) issueLocked(p principal, ttl time.Duration) *credential {
	prefix := "AKIA"
	if ttl > 0 {
		prefix = "ASIA"
	}
	c := &credential{
		AccessKeyID: prefix + strings.ToUpper(s.newID(16)),
		Secret:      s.newID(40),
		Principal:   p,
	}
	if ttl > 0 {
		c.SessionToken = "FwoGZXIvYXdzE" + s.newID(64)
		c.Expires = s.now().Add(ttl)
	}
	s.creds[c.AccessKeyID] = c
	return c
}

// authenticateLocked maps the request's access key to a principal and checks
// the signature, the session token and expiry, with the codes AWS uses.
func (s *Server) authenticateLocked(c *call, scope sigScope) (principal, error) {
	cred, ok := s.creds[scope.accessKey]
	if !ok {
		return principal{}, c.authError("InvalidClientTokenId", "UnrecognizedClientException", "The security token included in the request is invalid.")
	}
	if cred.SessionToken != "" && c.req.Header.Get("X-Amz-Security-Token") != cred.SessionToken {
		return principal{}, c.authError("InvalidClientTokenId", "UnrecognizedClientException", "The security token included in the request is invalid.")
	}
	if !cred.Expires.IsZero() && s.now().After(cred.Expires) {
		return principal{}, c.authError("ExpiredToken", "ExpiredTokenException", "The security token included in the request is expired")
	}
	s3Style := c.svc.name == "s3" || c.svc.name == "s3-control"
	if !verifySignature(c.req, c.body, scope, cred.Secret, s3Style) {
		return principal{}, statusErrorf(http.StatusForbidden, "SignatureDoesNotMatch", "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method.")
	}
	if a := s.accounts[cred.Principal.AccountID]; a == nil || a.Status == "SUSPENDED" {
		return principal{}, statusErrorf(http.StatusForbidden, "AccessDenied", "account %s is suspended or closed", cred.Principal.AccountID)
	}
	return cred.Principal, nil
}

// authError picks the code an unauthenticated caller sees: query services
// say InvalidClientTokenId, JSON services UnrecognizedClientException.
func (c *call) authError(queryCode, jsonCode, msg string) *APIError {
	code := jsonCode
	if _, ok := c.proto.(queryProtocol); ok {
		code = queryCode
	}
	return statusErrorf(http.StatusForbidden, code, "%s", msg)
}
