package awslocal

// KMS (AWS JSON 1.1, signing name "kms"), regional. Operations and the AWS
// pages followed (AWS KMS API Reference,
// https://docs.aws.amazon.com/kms/latest/APIReference/API_<Operation>.html):
//
//   - CreateKey, DescribeKey, GetKeyPolicy, PutKeyPolicy (policy syntax and
//     the policy lockout safety check, "Default key policy" in the
//     Developer Guide)
//   - EnableKeyRotation, GetKeyRotationStatus ("Rotating AWS KMS keys")
//   - CreateAlias, UpdateAlias, ListAliases ("Aliases in AWS KMS"), ListKeys
//   - DisableKey, ScheduleKeyDeletion ("Key states of AWS KMS keys")
//   - TagResource, ListResourceTags
//
// Known differences from AWS: symmetric encryption keys only
// (SYMMETRIC_DEFAULT, ENCRYPT_DECRYPT); no cryptographic operations;
// principals named in key policies are not checked for existence;
// ListAliases lists only aliases created here plus AWS managed aliases that
// have been used (AWS also lists the predefined alias/aws/* names);
// same-account callers are always allowed (IAM identity policies and the
// key policy are not evaluated for them).

import (
	"net/http"
	"strings"
	"time"
)

type kmsState struct {
	keys    map[string]*kmsKey   // by key id
	aliases map[string]*kmsAlias // by alias name
}

type kmsKey struct {
	ID, ARN, Account, Description, Policy string
	Manager                               string // CUSTOMER | AWS
	State                                 string // Enabled | Disabled | PendingDeletion
	Created, DeletionDate                 time.Time
	PendingDays                           int
	Rotation                              bool
	RotationDays                          int
	Tags                                  map[string]string
}

type kmsAlias struct {
	Name, Target      string
	Created, Modified time.Time
}

func kmsOf(a *account, region string) *kmsState {
	return state(a, "kms/"+region, func() *kmsState {
		return &kmsState{keys: map[string]*kmsKey{}, aliases: map[string]*kmsAlias{}}
	})
}

func registerKMS(s *Server) {
	s.register(&service{
		name: "kms", protocol: jsonProtocol{version: "1.1"},
		throttle: *statusErrorf(http.StatusBadRequest, "ThrottlingException", "Rate exceeded"),
		ops: map[string]handler{
			"CreateKey": kmsCreateKey, "DescribeKey": kmsDescribeKey, "GetKeyPolicy": kmsGetKeyPolicy, "PutKeyPolicy": kmsPutKeyPolicy,
			"EnableKeyRotation": kmsEnableKeyRotation, "GetKeyRotationStatus": kmsGetKeyRotationStatus,
			"CreateAlias": kmsCreateAlias, "UpdateAlias": kmsUpdateAlias, "ListAliases": kmsListAliases, "ListKeys": kmsListKeys,
			"DisableKey": kmsDisableKey, "ScheduleKeyDeletion": kmsScheduleKeyDeletion,
			"TagResource": kmsTagResource, "ListResourceTags": kmsListResourceTags,
		},
	})
}

func kmsNotFound(format string, args ...any) error {
	return errorf("NotFoundException", format, args...)
}

func kmsInvalidState(k *kmsKey) error {
	return errorf("KMSInvalidStateException", "%s is pending deletion.", k.ARN)
}

func kmsDefaultPolicy(account string) string {
	return `{"Version":"2012-10-17","Id":"key-default-1","Statement":[{"Sid":"Enable IAM User Permissions","Effect":"Allow",` +
		`"Principal":{"AWS":"arn:aws:iam::` + account + `:root"},"Action":"kms:*","Resource":"*"}]}`
}

// checkKeyPolicy validates the policy text of the key keyARN: its syntax,
// and (unless the caller bypasses it) that it still lets the caller change
// the policy later ("Default key policy", KMS Developer Guide: "the key
// policy must allow the principal that is making the request to make a
// subsequent PutKeyPolicy request"). The authorizer decides that on the key
// with its tags, with the caller's own policies too: the page does not say
// whether a key policy that defers to IAM passes when IAM would refuse, and
// this is the stricter reading. Without an authorizer nothing is denied.
func checkKeyPolicy(c *call, text, keyARN string, tags map[string]string) error {
	if len(text) > 32768 {
		return errorf("MalformedPolicyDocumentException", "The key policy exceeds 32 KB.")
	}
	if _, err := parsePolicy(text); err != nil {
		return errorf("MalformedPolicyDocumentException", "%s", errMessage(err))
	}
	if boolOr(c.in, "BypassPolicyLockoutSafetyCheck", false) || c.srv.opts.Authorizer == nil {
		return nil
	}
	key := authResource{ARN: keyARN, Owner: c.account.ID, Policy: text, Tags: tags}
	err := c.srv.decideLocked(c.principal, "kms:PutKeyPolicy", c.srv.requestContextLocked(c), []authResource{key})
	if err != nil && !isFault(err) {
		return errorf("MalformedPolicyDocumentException", "The new key policy will not allow you to update the key policy in the future.")
	}
	return err
}

var kmsKeySpecs = map[string]bool{"SYMMETRIC_DEFAULT": true, "RSA_2048": true, "RSA_3072": true, "RSA_4096": true, "ECC_NIST_P256": true,
	"ECC_NIST_P384": true, "ECC_NIST_P521": true, "ECC_SECG_P256K1": true, "HMAC_224": true, "HMAC_256": true, "HMAC_384": true, "HMAC_512": true, "SM2": true}

func kmsCreateKey(c *call) (doc, error) {
	spec := str(c.in, "KeySpec")
	if spec == "" {
		spec = str(c.in, "CustomerMasterKeySpec")
	}
	if spec != "" && !kmsKeySpecs[spec] {
		return nil, errorf("ValidationException", "1 validation error detected: Value '%s' at 'keySpec' failed to satisfy constraint: Member must satisfy enum value set", spec)
	}
	if spec != "" && spec != "SYMMETRIC_DEFAULT" {
		return nil, errorf("UnsupportedOperationException", "KeySpec %s is not supported by the local endpoint", spec)
	}
	if u := str(c.in, "KeyUsage"); u != "" && u != "ENCRYPT_DECRYPT" {
		return nil, errorf("ValidationException", "KeyUsage %s is not compatible with KeySpec SYMMETRIC_DEFAULT", u)
	}
	if o := str(c.in, "Origin"); o != "" && o != "AWS_KMS" {
		return nil, errorf("UnsupportedOperationException", "Origin %s is not supported by the local endpoint", o)
	}
	desc := str(c.in, "Description")
	if len(desc) > 8192 {
		return nil, errorf("ValidationException", "1 validation error detected: Value at 'description' failed to satisfy constraint: Member must have length less than or equal to 8192")
	}
	tags, err := kmsTags(c)
	if err != nil {
		return nil, err
	}
	id, policy := c.srv.uuid(), kmsDefaultPolicy(c.account.ID)
	if has(c.in, "Policy") {
		policy = str(c.in, "Policy")
		if err := checkKeyPolicy(c, policy, kmsKeyARN(c, id), tags); err != nil {
			return nil, err
		}
	}
	k := newKMSKey(c, id, "CUSTOMER", desc, policy)
	k.Tags = tags
	return doc{"KeyMetadata": k.metadata()}, nil
}

// kmsKeyARN is the ARN of the call's account's key id in its region.
func kmsKeyARN(c *call, id string) string {
	return "arn:aws:kms:" + c.region + ":" + c.account.ID + ":key/" + id
}

func newKMSKey(c *call, id, manager, desc, policy string) *kmsKey {
	k := &kmsKey{ID: id, ARN: kmsKeyARN(c, id), Account: c.account.ID,
		Description: desc, Policy: policy, Manager: manager, State: "Enabled", Created: c.srv.now(), Tags: map[string]string{}}
	if manager == "AWS" { // AWS managed keys rotate every year
		k.Rotation, k.RotationDays = true, 365
	}
	kmsOf(c.account, c.region).keys[id] = k
	return k
}

// kmsTags reads KMS's [{TagKey, TagValue}] shape.
func kmsTags(c *call) (map[string]string, error) {
	tags := map[string]string{}
	for _, t := range list(c.in, "Tags") {
		k, v := str(t, "TagKey"), str(t, "TagValue")
		if k == "" || len(k) > 128 || len(v) > 256 || strings.HasPrefix(k, "aws:") {
			return nil, errorf("TagException", "Tag key %q or value is invalid", k)
		}
		if _, dup := tags[k]; dup {
			return nil, errorf("TagException", "Duplicate tag keys")
		}
		tags[k] = v
	}
	return tags, nil
}

func (k *kmsKey) metadata() doc {
	m := doc{
		"AWSAccountId": k.Account, "KeyId": k.ID, "Arn": k.ARN, "CreationDate": k.Created, "Enabled": k.State == "Enabled",
		"Description": k.Description, "KeyUsage": "ENCRYPT_DECRYPT", "KeyState": k.State, "Origin": "AWS_KMS", "KeyManager": k.Manager,
		"CustomerMasterKeySpec": "SYMMETRIC_DEFAULT", "KeySpec": "SYMMETRIC_DEFAULT",
		"EncryptionAlgorithms": stringList([]string{"SYMMETRIC_DEFAULT"}), "MultiRegion": false,
	}
	if k.State == "PendingDeletion" {
		m["DeletionDate"] = k.DeletionDate
		m["PendingDeletionWindowInDays"] = k.PendingDays
	}
	return m
}

// kmsKeyLocked finds a key by key id, key ARN, alias name or alias ARN,
// in account and region unless an ARN names others; nil when there is none.
func (s *Server) kmsKeyLocked(account, region, ref string) *kmsKey {
	if p, ok := parseARNParts(ref); ok && p.service == "kms" {
		account, region, ref = p.account, p.region, p.resource
	}
	a := s.accounts[account]
	if a == nil {
		return nil
	}
	st := kmsOf(a, region)
	if alias := st.aliases[ref]; alias != nil {
		ref = alias.Target
	}
	return st.keys[strings.TrimPrefix(ref, "key/")]
}

// resolveKey finds the KeyId input: a key id or key ARN, and where
// allowAlias is set an alias name or alias ARN. A key ARN may name another
// account's key only for operations that work across accounts
// (acrossAccounts; "Allowing users in other accounts to use a KMS key"),
// whose key policy the authorizer has read; others answer NotFound.
func resolveKey(c *call, allowAlias, acrossAccounts bool) (*kmsKey, error) {
	id := str(c.in, "KeyId")
	if id == "" {
		return nil, errorf("ValidationException", "1 validation error detected: Value null at 'keyId' failed to satisfy constraint: Member must not be null")
	}
	acct, region, ref := c.account.ID, c.region, id
	if p, ok := parseARNParts(id); ok {
		if p.service != "kms" {
			return nil, errorf("InvalidArnException", "ARN %s is not a KMS ARN", id)
		}
		acct, region, ref = p.account, p.region, p.resource
	}
	owner := c.srv.accounts[acct]
	if owner == nil || region != c.region {
		return nil, kmsNotFound("Key '%s' does not exist", id)
	}
	st := kmsOf(owner, region)
	if strings.HasPrefix(ref, "alias/") {
		if !allowAlias {
			return nil, kmsNotFound("Invalid keyId %s", id)
		}
		if st.aliases[ref] == nil && strings.HasPrefix(ref, "alias/aws/") && acct == c.account.ID {
			// KMS creates an AWS managed key the first time its alias is used.
			mk := newKMSKey(c, c.srv.uuid(), "AWS", "Default key that protects my "+strings.TrimPrefix(ref, "alias/aws/")+" data when no other key is defined", kmsDefaultPolicy(c.account.ID))
			st.aliases[ref] = &kmsAlias{Name: ref, Target: mk.ID, Created: mk.Created, Modified: mk.Created}
		}
		if st.aliases[ref] == nil {
			return nil, kmsNotFound("Alias arn:aws:kms:%s:%s:%s is not found.", region, acct, ref)
		}
	}
	k := c.srv.kmsKeyLocked(acct, region, ref)
	if k == nil {
		return nil, kmsNotFound("Key '%s' does not exist", "arn:aws:kms:"+region+":"+acct+":"+ref)
	}
	// The authorizer decided the request under the key policy; only the
	// operations that work across accounts find another account's key.
	if acct != c.account.ID && !acrossAccounts {
		return nil, kmsNotFound("Key '%s' does not exist", id)
	}
	return k, nil
}

func kmsDescribeKey(c *call) (doc, error) {
	k, err := resolveKey(c, true, true)
	if err != nil {
		return nil, err
	}
	return doc{"KeyMetadata": k.metadata()}, nil
}

func kmsGetKeyPolicy(c *call) (doc, error) {
	k, err := resolveKey(c, false, false)
	if err != nil {
		return nil, err
	}
	if name := str(c.in, "PolicyName"); name != "" && name != "default" {
		return nil, kmsNotFound("No such policy exists")
	}
	return doc{"Policy": k.Policy, "PolicyName": "default"}, nil
}

func kmsPutKeyPolicy(c *call) (doc, error) {
	k, err := resolveKey(c, false, false)
	if err != nil {
		return nil, err
	}
	if name := str(c.in, "PolicyName"); name != "" && name != "default" {
		return nil, kmsNotFound("No such policy exists")
	}
	policy := str(c.in, "Policy")
	if err := checkKeyPolicy(c, policy, k.ARN, k.Tags); err != nil {
		return nil, err
	}
	k.Policy = policy
	return nil, nil
}

func kmsEnableKeyRotation(c *call) (doc, error) {
	k, err := resolveKey(c, false, false)
	if err != nil {
		return nil, err
	}
	if k.State != "Enabled" {
		return nil, errorf("KMSInvalidStateException", "%s is %s.", k.ARN, strings.ToLower(k.State))
	}
	days := intOr(c.in, "RotationPeriodInDays", 365)
	if days < 90 || days > 2560 {
		return nil, errorf("ValidationException", "1 validation error detected: Value '%d' at 'rotationPeriodInDays' failed to satisfy constraint: Member must have value between 90 and 2560", days)
	}
	k.Rotation, k.RotationDays = true, days
	return nil, nil
}

func kmsGetKeyRotationStatus(c *call) (doc, error) {
	k, err := resolveKey(c, false, true)
	if err != nil {
		return nil, err
	}
	if k.State == "PendingDeletion" {
		return nil, kmsInvalidState(k)
	}
	out := doc{"KeyRotationEnabled": k.Rotation, "KeyId": k.ARN}
	if k.Rotation {
		out["RotationPeriodInDays"] = k.RotationDays
		out["NextRotationDate"] = k.Created.AddDate(0, 0, k.RotationDays)
	}
	return out, nil
}

func kmsDisableKey(c *call) (doc, error) {
	k, err := resolveKey(c, false, false)
	if err != nil {
		return nil, err
	}
	if k.State == "PendingDeletion" {
		return nil, kmsInvalidState(k)
	}
	k.State = "Disabled"
	return nil, nil
}

// kmsScheduleKeyDeletion puts the key in PendingDeletion; a job deletes it
// when the waiting period ends, after which it is NotFound.
func kmsScheduleKeyDeletion(c *call) (doc, error) {
	k, err := resolveKey(c, false, false)
	if err != nil {
		return nil, err
	}
	if k.Manager == "AWS" {
		return nil, errorf("UnsupportedOperationException", "You cannot schedule deletion of an AWS managed key.")
	}
	if k.State == "PendingDeletion" {
		return nil, kmsInvalidState(k)
	}
	days := intOr(c.in, "PendingWindowInDays", 30)
	if days < 7 || days > 30 {
		return nil, errorf("ValidationException", "1 validation error detected: Value '%d' at 'pendingWindowInDays' failed to satisfy constraint: Member must have value between 7 and 30", days)
	}
	wait := time.Duration(days) * 24 * time.Hour
	k.State, k.PendingDays, k.DeletionDate = "PendingDeletion", days, c.srv.now().Add(wait)
	st := kmsOf(c.account, c.region)
	c.srv.afterLocked(wait, func() {
		if st.keys[k.ID] == k && k.State == "PendingDeletion" {
			delete(st.keys, k.ID)
			for name, a := range st.aliases {
				if a.Target == k.ID {
					delete(st.aliases, name)
				}
			}
		}
	})
	return doc{"KeyId": k.ARN, "DeletionDate": k.DeletionDate, "KeyState": k.State, "PendingWindowInDays": days}, nil
}

func kmsTagResource(c *call) (doc, error) {
	k, err := resolveKey(c, false, false)
	if err != nil {
		return nil, err
	}
	if k.State == "PendingDeletion" {
		return nil, kmsInvalidState(k)
	}
	tags, err := kmsTags(c)
	if err != nil {
		return nil, err
	}
	for key, v := range tags {
		k.Tags[key] = v
	}
	if len(k.Tags) > 50 {
		return nil, errorf("TagException", "Too many tags")
	}
	return nil, nil
}

func kmsListResourceTags(c *call) (doc, error) {
	k, err := resolveKey(c, false, false)
	if err != nil {
		return nil, err
	}
	items := anyList(sortedKeys(k.Tags), func(key string) any { return doc{"TagKey": key, "TagValue": k.Tags[key]} })
	return kmsPage(c, "Tags", items)
}

// kmsListKeys lists the account's keys in the region, keys pending
// deletion and AWS managed keys included, as ListKeys does.
func kmsListKeys(c *call) (doc, error) {
	st := kmsOf(c.account, c.region)
	items := make([]any, 0, len(st.keys))
	for _, id := range sortedKeys(st.keys) {
		items = append(items, doc{"KeyId": id, "KeyArn": st.keys[id].ARN})
	}
	return kmsPage(c, "Keys", items)
}

// kmsPage pages with KMS's Limit/Marker/NextMarker/Truncated.
func kmsPage(c *call, key string, items []any) (doc, error) {
	limit := intOr(c.in, "Limit", 0)
	if has(c.in, "Limit") && (limit < 1 || limit > 1000) {
		return nil, errorf("ValidationException", "1 validation error detected: Value '%d' at 'limit' failed to satisfy constraint: Member must have value between 1 and 1000", limit)
	}
	pg, next, err := page(c.srv, items, str(c.in, "Marker"), limit, func() error {
		return errorf("InvalidMarkerException", "Invalid marker")
	})
	if err != nil {
		return nil, err
	}
	out := doc{key: append([]any{}, pg...), "Truncated": next != ""}
	return withToken(out, "NextMarker", next), nil
}
