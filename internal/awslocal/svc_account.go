package awslocal

import (
	"net/http"
	"regexp"
	"unicode/utf8"
)

// Account Management (restJson1), following the AWS Account Management API
// Reference (https://docs.aws.amazon.com/accounts/latest/reference/):
//
//   - PutAlternateContact: API_PutAlternateContact.html
//   - GetAlternateContact: API_GetAlternateContact.html
//   - DeleteAlternateContact: API_DeleteAlternateContact.html
//   - the AccountId member: using-orgs-trusted-access.html
//
// Known differences from AWS: trusted access for account.amazonaws.com and
// delegated administrators are not modelled; the management account may
// act on any member of its organization.

func registerAccount(s *Server) {
	s.register(&service{
		name: "account", protocol: restJSONProtocol{},
		throttle:  *statusErrorf(http.StatusTooManyRequests, "TooManyRequestsException", "Rate exceeded"),
		unknownOp: "UnknownOperationException",
		routes: []route{
			newRoute("POST", "/putAlternateContact", "PutAlternateContact"),
			newRoute("POST", "/getAlternateContact", "GetAlternateContact"),
			newRoute("POST", "/deleteAlternateContact", "DeleteAlternateContact"),
		},
		ops: map[string]handler{
			"PutAlternateContact":    accountPutAlternateContact,
			"GetAlternateContact":    accountGetAlternateContact,
			"DeleteAlternateContact": accountDeleteAlternateContact,
		},
	})
}

// accountState holds an account's alternate contacts by type.
type accountState struct {
	contacts map[string]doc
}

var (
	contactEmail = regexp.MustCompile(`^[\s]*[\w+=.#|!&-]+@[\w.-]+\.[\w]+[\s]*$`)
	contactPhone = regexp.MustCompile(`^[\s0-9()+-]+$`)
)

func accountValidation(format string, args ...any) *APIError {
	return errorf("ValidationException", format, args...)
}

// contactAccount resolves the account a request acts on: the caller's own,
// or with AccountId a member of the caller's organization when the caller is
// its management account.
func (c *call) contactAccount() (*accountState, error) {
	a := c.account
	if has(c.in, "AccountId") {
		id := str(c.in, "AccountId")
		if !accountIDPattern.MatchString(id) {
			return nil, accountValidation("1 validation error detected: Value '%s' at 'accountId' failed to satisfy constraint: Member must satisfy regular expression pattern: \\d{12}", id)
		}
		mgmt := c.srv.opts.ManagementAccountID
		denied := statusErrorf(http.StatusForbidden, "AccessDeniedException", "User: %s is not authorized to perform: account:%s on resource: account %s", c.principal.ARN, c.op, id)
		switch {
		case c.principal.AccountID != mgmt || c.srv.orgIDOf(mgmt) == "":
			return nil, denied
		case id == mgmt:
			return nil, statusErrorf(http.StatusForbidden, "AccessDeniedException", "The management account can only be managed using the standalone context from the management account.")
		case c.srv.orgIDOf(id) != c.srv.orgIDOf(mgmt):
			return nil, denied
		}
		a = c.srv.accounts[id]
	}
	return state(a, "account", func() *accountState { return &accountState{contacts: map[string]doc{}} }), nil
}

func contactType(in doc) (string, error) {
	t := str(in, "AlternateContactType")
	if t != "BILLING" && t != "OPERATIONS" && t != "SECURITY" {
		return "", accountValidation("1 validation error detected: Value '%s' at 'alternateContactType' failed to satisfy constraint: Member must satisfy enum value set: [SECURITY, OPERATIONS, BILLING]", t)
	}
	return t, nil
}

func accountPutAlternateContact(c *call) (doc, error) {
	typ, err := contactType(c.in)
	if err != nil {
		return nil, err
	}
	for _, f := range []struct {
		member, wire string
		max          int
		pattern      *regexp.Regexp
	}{
		{"EmailAddress", "emailAddress", 254, contactEmail},
		{"Name", "name", 64, nil},
		{"PhoneNumber", "phoneNumber", 25, contactPhone},
		{"Title", "title", 50, nil},
	} {
		v := str(c.in, f.member)
		if n := utf8.RuneCountInString(v); n < 1 || n > f.max {
			return nil, accountValidation("1 validation error detected: Value at '%s' failed to satisfy constraint: Member must have length between 1 and %d", f.wire, f.max)
		}
		if f.pattern != nil && !f.pattern.MatchString(v) {
			return nil, accountValidation("1 validation error detected: Value at '%s' failed to satisfy constraint: Member must satisfy regular expression pattern: %s", f.wire, f.pattern)
		}
	}
	st, err := c.contactAccount()
	if err != nil {
		return nil, err
	}
	st.contacts[typ] = doc{
		"AlternateContactType": typ, "EmailAddress": str(c.in, "EmailAddress"), "Name": str(c.in, "Name"),
		"PhoneNumber": str(c.in, "PhoneNumber"), "Title": str(c.in, "Title"),
	}
	return nil, nil
}

func accountGetAlternateContact(c *call) (doc, error) {
	typ, err := contactType(c.in)
	if err != nil {
		return nil, err
	}
	st, err := c.contactAccount()
	if err != nil {
		return nil, err
	}
	contact, ok := st.contacts[typ]
	if !ok {
		return nil, statusErrorf(http.StatusNotFound, "ResourceNotFoundException", "No contact of the inputted alternate contact type found.")
	}
	return doc{"AlternateContact": contact}, nil
}

func accountDeleteAlternateContact(c *call) (doc, error) {
	typ, err := contactType(c.in)
	if err != nil {
		return nil, err
	}
	st, err := c.contactAccount()
	if err != nil {
		return nil, err
	}
	if _, ok := st.contacts[typ]; !ok {
		return nil, statusErrorf(http.StatusNotFound, "ResourceNotFoundException", "No contact of the inputted alternate contact type found.")
	}
	delete(st.contacts, typ)
	return nil, nil
}
