package awslocal

import (
	"regexp"
	"strings"
)

var kmsAliasName = regexp.MustCompile(`^alias/[a-zA-Z0-9/_-]{1,250}$`)

// KMS aliases: CreateAlias, UpdateAlias and ListAliases, following their
// API reference pages and "Aliases in AWS KMS". Aliases are per account and
// region and point at a key in the same account and region.

// checkAliasName rejects names KMS rejects, including the alias/aws/ prefix
// reserved for AWS managed keys.
func checkAliasName(name string) error {
	if !strings.HasPrefix(name, "alias/") {
		return errorf("ValidationException", "Alias must start with the prefix \"alias/\". Please see https://docs.aws.amazon.com/kms/latest/developerguide/kms-alias.html")
	}
	if !kmsAliasName.MatchString(name) {
		return errorf("ValidationException", "1 validation error detected: Value '%s' at 'aliasName' failed to satisfy constraint: Member must satisfy regular expression pattern: ^[a-zA-Z0-9:/_-]+$", name)
	}
	if strings.HasPrefix(name, "alias/aws/") {
		return errorf("InvalidAliasNameException", "Alias %s cannot begin with alias/aws/: the prefix is reserved for AWS managed keys.", name)
	}
	return nil
}

// aliasTarget resolves TargetKeyId, which must be a customer managed key
// of the caller that is not pending deletion.
func aliasTarget(c *call) (*kmsKey, error) {
	c.in["KeyId"] = c.in["TargetKeyId"]
	k, err := resolveKey(c, false, false)
	if err != nil {
		return nil, err
	}
	if k.State == "PendingDeletion" {
		return nil, kmsInvalidState(k)
	}
	if k.Manager == "AWS" {
		return nil, errorf("ValidationException", "An alias must point at a customer managed key; %s is AWS managed.", k.ARN)
	}
	return k, nil
}

func kmsCreateAlias(c *call) (doc, error) {
	name := str(c.in, "AliasName")
	if err := checkAliasName(name); err != nil {
		return nil, err
	}
	st := kmsOf(c.account, c.region)
	if _, ok := st.aliases[name]; ok {
		return nil, errorf("AlreadyExistsException", "An alias with the name arn:aws:kms:%s:%s:%s already exists", c.region, c.account.ID, name)
	}
	k, err := aliasTarget(c)
	if err != nil {
		return nil, err
	}
	now := c.srv.now()
	st.aliases[name] = &kmsAlias{Name: name, Target: k.ID, Created: now, Modified: now}
	return nil, nil
}

func kmsUpdateAlias(c *call) (doc, error) {
	name := str(c.in, "AliasName")
	if err := checkAliasName(name); err != nil {
		return nil, err
	}
	a := kmsOf(c.account, c.region).aliases[name]
	if a == nil {
		return nil, kmsNotFound("Alias arn:aws:kms:%s:%s:%s is not found.", c.region, c.account.ID, name)
	}
	k, err := aliasTarget(c)
	if err != nil {
		return nil, err
	}
	a.Target, a.Modified = k.ID, c.srv.now()
	return nil, nil
}

func kmsListAliases(c *call) (doc, error) {
	st := kmsOf(c.account, c.region)
	only := ""
	if has(c.in, "KeyId") {
		k, err := resolveKey(c, false, false)
		if err != nil {
			return nil, err
		}
		only = k.ID
	}
	var items []any
	for _, name := range sortedKeys(st.aliases) {
		a := st.aliases[name]
		if only != "" && a.Target != only {
			continue
		}
		items = append(items, doc{"AliasName": name, "AliasArn": "arn:aws:kms:" + c.region + ":" + c.account.ID + ":" + name,
			"TargetKeyId": a.Target, "CreationDate": a.Created, "LastUpdatedDate": a.Modified})
	}
	return kmsPage(c, "Aliases", items)
}

// kmsAliasesLocked are the names of the aliases that point at k, sorted.
func (s *Server) kmsAliasesLocked(k *kmsKey) []string {
	a := s.accounts[k.Account]
	if a == nil {
		return nil
	}
	aliases := kmsOf(a, arnRegion(k.ARN)).aliases
	var names []string
	for _, name := range sortedKeys(aliases) {
		if aliases[name].Target == k.ID {
			names = append(names, name)
		}
	}
	return names
}
