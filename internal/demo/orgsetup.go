package demo

import (
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
	ous, err := tpl.DeployOUs(ctx, org, aws.ToString(root.Id))
	if err != nil {
		return nil, err
	}
	scps, err := tpl.DeploySCPs(ctx, org)
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
