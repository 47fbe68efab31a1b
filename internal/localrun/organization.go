package localrun

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	orgtypes "github.com/aws/aws-sdk-go-v2/service/organizations/types"
)

// DeployOUs creates the template's OUs under the organization's root, each
// once its parent exists (as CloudFormation orders them by their
// references), and returns their ids by path ("/Root/Security"; "/Root" is
// rootID). Their ids become the OUs' Fn::GetAtt Id, for DeploySCPs.
func (t *Template) DeployOUs(ctx context.Context, org *organizations.Client, rootID string) (map[string]string, error) {
	pathOf := map[string]string{rootID: "/Root"} // OU or root id -> path
	byPath := map[string]string{"/Root": rootID}
	pending := t.LogicalIDs("AWS::Organizations::OrganizationalUnit")
	// Each pass creates at least one OU whose parent exists, or stops.
	for len(pending) > 0 {
		var later []string
		for _, id := range pending {
			props := t.resolver.resources[id].Properties
			parent, err := t.Resolve(props["ParentId"])
			if errors.Is(err, ErrUnknownAttribute) {
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
			t.SetAttribute(id, "Id", ouID)
			pathOf[ouID] = pathOf[fmt.Sprint(parent)] + "/" + name
			byPath[pathOf[ouID]] = ouID
		}
		if len(later) == len(pending) {
			return nil, fmt.Errorf("deploying the OUs locally: the parents of %s are never created", strings.Join(later, ", "))
		}
		pending = later
	}
	return byPath, nil
}

// DeploySCPs creates the template's service control policies and attaches
// each to its targets, which must resolve: the root's id set as a custom
// resource's attribute, the OUs' by DeployOUs. It returns their names.
func (t *Template) DeploySCPs(ctx context.Context, org *organizations.Client) ([]string, error) {
	var names []string
	for _, id := range t.LogicalIDs("AWS::Organizations::Policy") {
		res := t.resolver.resources[id]
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
		targets, err := t.Resolve(res.Properties["TargetIds"])
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
