package demo

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"regexp"
	"slices"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	orgtypes "github.com/aws/aws-sdk-go-v2/service/organizations/types"
	"github.com/aws/smithy-go"

	"github.com/landfall/landfall/internal/localrun"
)

// sdkCall is what a Custom::AWS resource (CDK's AwsCustomResource) calls.
type sdkCall struct {
	Service, Action, Region  string
	Parameters               map[string]any
	IgnoreErrorCodesMatching string
}

// organizationSetup deploys, from the synthesized template, what
// organization.manage asks of the management account's stack: the SCP
// policy type, the OUs (each after its parent, as CloudFormation orders them
// by their references) and the SCPs attached to their targets, so that the
// endpoint checks landfall's SCPs as Organizations does (syntax, 5,120
// characters, five to a target). Trusted access and the delegated
// administrators are named, not deployed: the endpoint does not model them
// and nothing the demo shows depends on them. It returns the OUs' ids by
// path ("/Root/Security").
func (r *run) organizationSetup(ctx context.Context, templatePath string) (map[string]string, error) {
	resources, err := readResources(templatePath)
	if err != nil {
		return nil, err
	}
	tpl, err := localrun.ReadTemplate(templatePath, localrun.TemplateOptions{Region: r.home, Account: r.mgmt})
	if err != nil {
		return nil, err
	}
	// The stack's deploy reads the same template: the roles of the custom
	// resources name what this setup creates (the root's ARN).
	r.mgmtTemplate = tpl
	org := organizations.NewFromConfig(r.admin)
	roots, err := org.ListRoots(ctx, &organizations.ListRootsInput{})
	if err != nil {
		return nil, err
	}
	root := roots.Roots[0]
	// First the call that lists the root: the others may need its id.
	ids := slices.Sorted(maps.Keys(resources))
	for _, id := range ids {
		if resources[id].Type != "Custom::AWS" {
			continue
		}
		if c, err := resolveCall(tpl, resources[id]); err == nil && c.Action == "listRoots" {
			tpl.SetAttribute(id, "Roots.0.Id", aws.ToString(root.Id))
			tpl.SetAttribute(id, "Roots.0.Arn", aws.ToString(root.Arn))
		}
	}
	var skipped []string
	for _, id := range ids {
		switch resources[id].Type {
		case "AWS::SecurityHub::DelegatedAdmin":
			skipped = append(skipped, "Security Hub's delegated admin")
		case "Custom::AWS":
			c, err := resolveCall(tpl, resources[id])
			if err != nil {
				return nil, fmt.Errorf("resolving the call of %s: %w", id, err)
			}
			switch c.Action {
			case "listRoots":
			case "enablePolicyType":
				_, err = org.EnablePolicyType(ctx, &organizations.EnablePolicyTypeInput{
					RootId: aws.String(fmt.Sprint(c.Parameters["RootId"])), PolicyType: orgtypes.PolicyType(fmt.Sprint(c.Parameters["PolicyType"]))})
				if err != nil && !ignored(err, c.IgnoreErrorCodesMatching) {
					return nil, fmt.Errorf("deploying %s (enablePolicyType) locally: %w", id, err)
				}
			case "enableAWSServiceAccess":
				skipped = append(skipped, "trusted access for "+fmt.Sprint(c.Parameters["ServicePrincipal"]))
			case "enableOrganizationAdminAccount":
				skipped = append(skipped, c.Service+"'s delegated admin in "+c.Region)
			default:
				return nil, fmt.Errorf("deploying %s locally: the demo does not know the call %s.%s", id, c.Service, c.Action)
			}
		}
	}
	ous, err := r.createOUs(ctx, tpl, resources, aws.ToString(root.Id))
	if err != nil {
		return nil, err
	}
	scps, err := r.attachSCPs(ctx, tpl, resources)
	if err != nil {
		return nil, err
	}
	paths := slices.DeleteFunc(slices.Sorted(maps.Keys(ous)), func(p string) bool { return p == "/Root" })
	r.printf("organization setup from the template: OUs %s; SCPs %s\n  not deployed locally (the endpoint does not model them): %s\n",
		strings.Join(paths, ", "), strings.Join(scps, ", "), strings.Join(skipped, ", "))
	return ous, nil
}

// resolveCall reads a Custom::AWS resource's create call, resolving the
// references in it (the root's id in enablePolicyType's parameters).
func resolveCall(tpl *localrun.Template, res resource) (sdkCall, error) {
	v, err := tpl.Resolve(res.Properties["Create"])
	if err != nil {
		return sdkCall{}, err
	}
	s, ok := v.(string)
	if !ok {
		return sdkCall{}, fmt.Errorf("the Create property is %T, want a JSON string", v)
	}
	var c sdkCall
	if err := json.Unmarshal([]byte(s), &c); err != nil {
		return sdkCall{}, fmt.Errorf("decoding the Create property: %w", err)
	}
	return c, nil
}

// ignored reports whether err is one a call's ignoreErrorCodesMatching
// (a regular expression over the error code) lets pass.
func ignored(err error, pattern string) bool {
	var ae smithy.APIError
	if pattern == "" || !errors.As(err, &ae) {
		return false
	}
	re, rerr := regexp.Compile("^(?:" + pattern + ")$")
	return rerr == nil && re.MatchString(ae.ErrorCode())
}

// createOUs creates the template's OUs, each once its parent exists, and
// returns their ids by path.
func (r *run) createOUs(ctx context.Context, tpl *localrun.Template, resources map[string]resource, rootID string) (map[string]string, error) {
	org := organizations.NewFromConfig(r.admin)
	pathOf := map[string]string{rootID: "/Root"} // OU or root id -> path
	byPath := map[string]string{}
	var pending []string
	for _, id := range slices.Sorted(maps.Keys(resources)) {
		if resources[id].Type == "AWS::Organizations::OrganizationalUnit" {
			pending = append(pending, id)
		}
	}
	// Each pass creates at least one OU whose parent exists, or stops.
	for len(pending) > 0 {
		var later []string
		for _, id := range pending {
			props := resources[id].Properties
			parent, err := tpl.Resolve(props["ParentId"])
			if errors.Is(err, localrun.ErrUnknownAttribute) {
				later = append(later, id) // the parent is not created yet
				continue
			}
			if err != nil {
				return nil, fmt.Errorf("resolving the parent of %s: %w", id, err)
			}
			var name string
			if err := json.Unmarshal(props["Name"], &name); err != nil {
				return nil, fmt.Errorf("reading the name of %s: %w", id, err)
			}
			out, err := org.CreateOrganizationalUnit(ctx, &organizations.CreateOrganizationalUnitInput{ParentId: aws.String(fmt.Sprint(parent)), Name: aws.String(name)})
			if err != nil {
				return nil, fmt.Errorf("deploying %s (AWS::Organizations::OrganizationalUnit) locally: %w", id, err)
			}
			ouID := aws.ToString(out.OrganizationalUnit.Id)
			tpl.SetAttribute(id, "Id", ouID)
			pathOf[ouID] = pathOf[fmt.Sprint(parent)] + "/" + name
			byPath[pathOf[ouID]] = ouID
		}
		if len(later) == len(pending) {
			return nil, fmt.Errorf("deploying the OUs locally: the parents of %s are never created", strings.Join(later, ", "))
		}
		pending = later
	}
	byPath["/Root"] = rootID
	return byPath, nil
}

// attachSCPs creates the template's SCPs and attaches each to its targets,
// and returns their names.
func (r *run) attachSCPs(ctx context.Context, tpl *localrun.Template, resources map[string]resource) ([]string, error) {
	org := organizations.NewFromConfig(r.admin)
	var names []string
	for _, id := range slices.Sorted(maps.Keys(resources)) {
		res := resources[id]
		if res.Type != "AWS::Organizations::Policy" {
			continue
		}
		var p struct{ Name, Description, Type string }
		raw, _ := json.Marshal(res.Properties)
		if err := json.Unmarshal(raw, &p); err != nil {
			return nil, fmt.Errorf("reading %s: %w", id, err)
		}
		// CloudFormation takes the content as an object and sends it as
		// JSON; HTML characters stay as they are.
		var content bytes.Buffer
		enc := json.NewEncoder(&content)
		enc.SetEscapeHTML(false)
		var doc any
		if err := json.Unmarshal(res.Properties["Content"], &doc); err != nil {
			return nil, fmt.Errorf("reading the content of %s: %w", id, err)
		}
		if err := enc.Encode(doc); err != nil {
			return nil, err
		}
		out, err := org.CreatePolicy(ctx, &organizations.CreatePolicyInput{Name: aws.String(p.Name), Description: aws.String(p.Description),
			Type: orgtypes.PolicyType(p.Type), Content: aws.String(strings.TrimSpace(content.String()))})
		if err != nil {
			return nil, fmt.Errorf("deploying %s (%s) locally: %w", id, p.Name, err)
		}
		targets, err := tpl.Resolve(res.Properties["TargetIds"])
		if err != nil {
			return nil, fmt.Errorf("resolving the targets of %s: %w", id, err)
		}
		list, _ := targets.([]any)
		for _, target := range list {
			if _, err := org.AttachPolicy(ctx, &organizations.AttachPolicyInput{PolicyId: out.Policy.PolicySummary.Id, TargetId: aws.String(fmt.Sprint(target))}); err != nil {
				return nil, fmt.Errorf("attaching %s to %v locally: %w", p.Name, target, err)
			}
		}
		names = append(names, p.Name)
	}
	return names, nil
}
