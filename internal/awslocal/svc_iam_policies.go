package awslocal

import (
	"slices"
	"strings"
	"time"
)

// IAM policy operations on roles and users. IAM treats the two alike
// (PutRolePolicy and PutUserPolicy, AttachRolePolicy and AttachUserPolicy
// ...), so one handler of each serves both, given how to find the holder.

// iamPolicies are the policies a role or a user holds.
type iamPolicies struct {
	Inline   map[string]string // policy name -> document
	Attached []string          // managed policy ARNs
	Boundary string            // the permissions boundary's ARN, "" for none
	// written is when (wall clock) each inline policy ("inline/" + name) and
	// attachment (its ARN) was written, for IAM propagation.
	written map[string]time.Time
}

// policyHolder finds the role or user an operation names, and says which
// it is for error messages.
type policyHolder func(c *call) (p *iamPolicies, kind string, err error)

func roleHolder(c *call) (*iamPolicies, string, error) {
	r, err := iamRoleByName(c)
	if err != nil {
		return nil, "", err
	}
	return &r.iamPolicies, "role", nil
}

func userHolder(c *call) (*iamPolicies, string, error) {
	u, err := iamUserByName(c)
	if err != nil {
		return nil, "", err
	}
	return &u.iamPolicies, "user", nil
}

func putInlinePolicy(holder policyHolder) handler {
	return func(c *call) (doc, error) {
		p, _, err := holder(c)
		if err != nil {
			return nil, err
		}
		name, text := str(c.in, "PolicyName"), str(c.in, "PolicyDocument")
		// Inline policy names are 1 to 128 characters (PutRolePolicy, IAM
		// API Reference), longer than role names: CDK names them so.
		if !policyName.MatchString(name) {
			return nil, errorf("ValidationError", "1 validation error detected: Value '%s' at 'policyName' failed to satisfy constraint", name)
		}
		if _, err := parsePolicy(text); err != nil {
			return nil, err
		}
		p.Inline[name] = text
		c.srv.written(p, "inline/"+name)
		return nil, nil
	}
}

func deleteInlinePolicy(holder policyHolder) handler {
	return func(c *call) (doc, error) {
		p, kind, err := holder(c)
		if err != nil {
			return nil, err
		}
		name := str(c.in, "PolicyName")
		if _, ok := p.Inline[name]; !ok {
			return nil, noSuchEntity("The %s policy with name %s cannot be found.", kind, name)
		}
		delete(p.Inline, name)
		return nil, nil
	}
}

func listInlinePolicies(holder policyHolder) handler {
	return func(c *call) (doc, error) {
		p, _, err := holder(c)
		if err != nil {
			return nil, err
		}
		return iamPage(c, "PolicyNames", stringList(sortedKeys(p.Inline)))
	}
}

func attachPolicy(holder policyHolder) handler {
	return func(c *call) (doc, error) {
		p, _, err := holder(c)
		if err != nil {
			return nil, err
		}
		arn := str(c.in, "PolicyArn")
		if err := attachable(c, arn); err != nil {
			return nil, err
		}
		if slices.Contains(p.Attached, arn) {
			return nil, nil
		}
		if len(p.Attached) >= maxAttachedPolicies {
			return nil, errorf("LimitExceeded", "Cannot exceed quota for PoliciesPerRole: %d", maxAttachedPolicies)
		}
		p.Attached = append(p.Attached, arn)
		c.srv.written(p, arn)
		return nil, nil
	}
}

func detachPolicy(holder policyHolder) handler {
	return func(c *call) (doc, error) {
		p, _, err := holder(c)
		if err != nil {
			return nil, err
		}
		arn := str(c.in, "PolicyArn")
		i := slices.Index(p.Attached, arn)
		if i < 0 {
			return nil, noSuchEntity("Policy %s was not found.", arn)
		}
		p.Attached = slices.Delete(p.Attached, i, i+1)
		return nil, nil
	}
}

func listAttachedPolicies(holder policyHolder) handler {
	return func(c *call) (doc, error) {
		p, _, err := holder(c)
		if err != nil {
			return nil, err
		}
		return iamPage(c, "AttachedPolicies", anyList(slices.Sorted(slices.Values(p.Attached)), func(arn string) any {
			return doc{"PolicyArn": arn, "PolicyName": arn[strings.LastIndex(arn, "/")+1:]}
		}))
	}
}
