package awslocal

import (
	"net/http"
	"regexp"
	"slices"
	"strconv"
	"strings"
)

// IAM account-level settings and users: password policy, alias, account
// summary, and the users landfall reports on (bootstrap users, console
// passwords, access keys).

// passwordPolicyFields are UpdateAccountPasswordPolicy's members; omitted
// ones take IAM's defaults, because the call replaces the whole policy.
var passwordPolicyFields = []struct {
	name string
	def  any
}{
	{"MinimumPasswordLength", 8}, {"RequireSymbols", false}, {"RequireNumbers", false},
	{"RequireUppercaseCharacters", false}, {"RequireLowercaseCharacters", false},
	{"AllowUsersToChangePassword", false}, {"MaxPasswordAge", nil}, {"PasswordReusePrevention", nil},
	{"HardExpiry", nil},
}

func iamUpdatePasswordPolicy(c *call) (doc, error) {
	p := doc{}
	for _, f := range passwordPolicyFields {
		switch def := f.def.(type) {
		case int:
			p[f.name] = intOr(c.in, f.name, def)
		case bool:
			p[f.name] = boolOr(c.in, f.name, def)
		default:
			if has(c.in, f.name) {
				if b, ok := boolean(c.in, f.name); ok {
					p[f.name] = b
				} else {
					p[f.name] = intOr(c.in, f.name, 0)
				}
			}
		}
	}
	if n := p["MinimumPasswordLength"].(int); n < 6 || n > 128 {
		return nil, errorf("ValidationError", "MinimumPasswordLength %d must be between 6 and 128", n)
	}
	if n, ok := p["PasswordReusePrevention"].(int); ok && (n < 1 || n > 24) {
		return nil, errorf("ValidationError", "PasswordReusePrevention %d must be between 1 and 24", n)
	}
	if n, ok := p["MaxPasswordAge"].(int); ok && (n < 1 || n > 1095) {
		return nil, errorf("ValidationError", "MaxPasswordAge %d must be between 1 and 1095", n)
	}
	iamOf(c.account).passwordPolicy = p
	return nil, nil
}

func iamGetPasswordPolicy(c *call) (doc, error) {
	p := iamOf(c.account).passwordPolicy
	if p == nil {
		return nil, noSuchEntity("The Password Policy with domain name %s cannot be found.", c.account.ID)
	}
	out := doc{"ExpirePasswords": has(p, "MaxPasswordAge")}
	for k, v := range p {
		out[k] = v
	}
	return doc{"PasswordPolicy": out}, nil
}

func iamDeletePasswordPolicy(c *call) (doc, error) {
	st := iamOf(c.account)
	if st.passwordPolicy == nil {
		return nil, noSuchEntity("The account policy with name PasswordPolicy cannot be found.")
	}
	st.passwordPolicy = nil
	return nil, nil
}

var aliasChars = regexp.MustCompile(`^[a-z0-9][a-z0-9-]*[a-z0-9]$`)

// validAlias checks IAM's alias rule; Go's regexp has no lookahead, so the
// "no double hyphen" part is checked separately.
func validAlias(a string) bool {
	return len(a) >= 3 && len(a) <= 63 && !strings.Contains(a, "--") && aliasChars.MatchString(a)
}

func iamCreateAccountAlias(c *call) (doc, error) {
	alias := str(c.in, "AccountAlias")
	if !validAlias(alias) {
		return nil, errorf("ValidationError", "The specified value for accountAlias is invalid. It must contain only digits, lowercase letters and hyphens, 3 to 63 characters.")
	}
	for _, a := range c.srv.accounts {
		if a != c.account && slices.Contains(iamOf(a).aliases, alias) {
			return nil, statusErrorf(http.StatusConflict, "EntityAlreadyExists", "The account alias %s already exists.", alias)
		}
	}
	// An account has at most one alias; creating another replaces it.
	iamOf(c.account).aliases = []string{alias}
	return nil, nil
}

func iamDeleteAccountAlias(c *call) (doc, error) {
	st := iamOf(c.account)
	alias := str(c.in, "AccountAlias")
	if !slices.Contains(st.aliases, alias) {
		return nil, noSuchEntity("The account alias %s cannot be found.", alias)
	}
	st.aliases = nil
	return nil, nil
}

func iamListAccountAliases(c *call) (doc, error) {
	return iamPage(c, "AccountAliases", stringList(iamOf(c.account).aliases))
}

func iamGetAccountSummary(c *call) (doc, error) {
	st := iamOf(c.account)
	mfa, keys := 0, 0
	if st.rootMFA {
		mfa = 1
	}
	if st.rootKeys > 0 {
		keys = 1
	}
	return doc{"SummaryMap": xmlMap{
		"AccountMFAEnabled":        strconv.Itoa(mfa),
		"AccountAccessKeysPresent": strconv.Itoa(keys),
		"Users":                    strconv.Itoa(len(st.users)),
		"Roles":                    strconv.Itoa(len(st.roles)),
		"UsersQuota":               "5000",
		"RolesQuota":               "1000",
	}}, nil
}

// SetRootSecurity sets what GetAccountSummary reports about the root user,
// which no API can change: whether it has MFA and how many access keys.
func (s *Server) SetRootSecurity(accountID string, mfa bool, accessKeys int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if a := s.accounts[accountID]; a != nil {
		st := iamOf(a)
		st.rootMFA, st.rootKeys = mfa, accessKeys
	}
}

func iamUserByName(c *call) (*iamUser, error) {
	name := str(c.in, "UserName")
	u, ok := iamOf(c.account).users[name]
	if !ok {
		return nil, noSuchEntity("The user with name %s cannot be found.", name)
	}
	return u, nil
}

func userOut(c *call, u *iamUser) doc {
	out := doc{"UserName": u.Name, "UserId": u.ID, "Arn": u.arn(c.account.ID), "Path": u.Path, "CreateDate": u.Created}
	boundaryOut(out, &u.iamPolicies)
	return out
}

func iamCreateUser(c *call) (doc, error) {
	name := str(c.in, "UserName")
	if !iamName.MatchString(name) {
		return nil, errorf("ValidationError", "user name %q is not valid", name)
	}
	st := iamOf(c.account)
	if _, ok := st.users[name]; ok {
		return nil, statusErrorf(http.StatusConflict, "EntityAlreadyExists", "User with name %s already exists.", name)
	}
	path, held, err := newIdentity(c)
	if err != nil {
		return nil, err
	}
	u := &iamUser{Name: name, Path: path, ID: "AIDA" + strings.ToUpper(c.srv.newID(17)),
		Created: c.srv.now(), made: c.srv.wall(), Tags: tagList(c.in, "Tags"), iamPolicies: held}
	st.users[name] = u
	return doc{"User": userOut(c, u)}, nil
}

func iamGetUser(c *call) (doc, error) {
	u, err := iamUserByName(c)
	if err != nil {
		return nil, err
	}
	return doc{"User": userOut(c, u)}, nil
}

func iamListUsers(c *call) (doc, error) {
	st := iamOf(c.account)
	return iamPage(c, "Users", anyList(sortedKeys(st.users), func(n string) any { return userOut(c, st.users[n]) }))
}

func iamDeleteUser(c *call) (doc, error) {
	u, err := iamUserByName(c)
	if err != nil {
		return nil, err
	}
	if u.LoginProfile || len(u.AccessKeys) > 0 || len(u.Inline) > 0 || len(u.Attached) > 0 || u.MFADevices > 0 {
		return nil, statusErrorf(http.StatusConflict, "DeleteConflict", "Cannot delete entity, must remove login profile, access keys, policies and MFA devices first.")
	}
	delete(iamOf(c.account).users, u.Name)
	return nil, nil
}

func iamCreateLoginProfile(c *call) (doc, error) {
	u, err := iamUserByName(c)
	if err != nil {
		return nil, err
	}
	if u.LoginProfile {
		return nil, statusErrorf(http.StatusConflict, "EntityAlreadyExists", "Login Profile for user %s already exists.", u.Name)
	}
	u.LoginProfile = true
	return doc{"LoginProfile": doc{"UserName": u.Name, "CreateDate": c.srv.now(), "PasswordResetRequired": boolOr(c.in, "PasswordResetRequired", false)}}, nil
}

func iamGetLoginProfile(c *call) (doc, error) {
	u, err := iamUserByName(c)
	if err != nil {
		return nil, err
	}
	if !u.LoginProfile {
		return nil, noSuchEntity("Login Profile for User %s cannot be found.", u.Name)
	}
	return doc{"LoginProfile": doc{"UserName": u.Name, "CreateDate": u.Created}}, nil
}

func iamDeleteLoginProfile(c *call) (doc, error) {
	u, err := iamUserByName(c)
	if err != nil {
		return nil, err
	}
	if !u.LoginProfile {
		return nil, noSuchEntity("Login Profile for User %s cannot be found.", u.Name)
	}
	u.LoginProfile = false
	return nil, nil
}

func iamCreateAccessKey(c *call) (doc, error) {
	u, err := iamUserByName(c)
	if err != nil {
		return nil, err
	}
	if len(u.AccessKeys) >= 2 {
		return nil, errorf("LimitExceeded", "Cannot exceed quota for AccessKeysPerUser: 2")
	}
	p := principal{AccountID: c.account.ID, Type: "IAMUser", UserID: u.ID, ARN: u.arn(c.account.ID)}
	cred := c.srv.issueLocked(p, 0)
	u.AccessKeys = append(u.AccessKeys, cred.AccessKeyID)
	return doc{"AccessKey": doc{"UserName": u.Name, "AccessKeyId": cred.AccessKeyID, "SecretAccessKey": cred.Secret,
		"Status": "Active", "CreateDate": c.srv.now()}}, nil
}

func iamListAccessKeys(c *call) (doc, error) {
	u, err := iamUserByName(c)
	if err != nil {
		return nil, err
	}
	return iamPage(c, "AccessKeyMetadata", anyList(u.AccessKeys, func(k string) any {
		return doc{"UserName": u.Name, "AccessKeyId": k, "Status": "Active", "CreateDate": u.Created}
	}))
}

func iamDeleteAccessKey(c *call) (doc, error) {
	u, err := iamUserByName(c)
	if err != nil {
		return nil, err
	}
	k := str(c.in, "AccessKeyId")
	i := slices.Index(u.AccessKeys, k)
	if i < 0 {
		return nil, noSuchEntity("The Access Key with id %s cannot be found.", k)
	}
	u.AccessKeys = slices.Delete(u.AccessKeys, i, i+1)
	delete(c.srv.creds, k)
	return nil, nil
}
