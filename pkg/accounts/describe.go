// Package accounts is what landfall knows of, and how it enters, an
// organization's member accounts: Describe reads what profile selection
// needs (name, email, status, OU path, tags) from Organizations, and Enter
// returns credentials in an account through landfall's execution role or
// the entry role.
package accounts

import (
	"context"
	"fmt"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	orgtypes "github.com/aws/aws-sdk-go-v2/service/organizations/types"

	"github.com/landfall/landfall/pkg/awsx"
	"github.com/landfall/landfall/pkg/config"
)

// Describe reads what profile selection needs: name, email, status,
// the OU path from the root and the account's tags.
func Describe(ctx context.Context, org *organizations.Client, id string) (config.Account, error) {
	acct, err := findAccount(ctx, org, id)
	if err != nil {
		return config.Account{}, err
	}
	a := config.Account{ID: id, Name: aws.ToString(acct.Name), Email: aws.ToString(acct.Email),
		Status: string(acct.Status), Tags: map[string]string{}}
	if a.OUPath, err = ouPath(ctx, org, id); err != nil {
		return config.Account{}, err
	}
	tags := organizations.NewListTagsForResourcePaginator(org, &organizations.ListTagsForResourceInput{ResourceId: aws.String(id)})
	for tags.HasMorePages() {
		page, err := tags.NextPage(ctx)
		if err != nil {
			return config.Account{}, fmt.Errorf("listing tags of account (%s): %w", id, err)
		}
		for _, t := range page.Tags {
			a.Tags[aws.ToString(t.Key)] = aws.ToString(t.Value)
		}
	}
	return a, nil
}

// Status returns the account's status in the organization (ACTIVE,
// SUSPENDED, PENDING_CLOSURE), or "" when the organization has no such
// account.
func Status(ctx context.Context, org *organizations.Client, id string) (string, error) {
	acct, err := findAccount(ctx, org, id)
	if awsx.NotFound(err) {
		return "", nil
	}
	if err != nil {
		return "", err
	}
	return string(acct.Status), nil
}

// findAccount returns the organization's account of that id, or a
// NotFoundError when the organization has none.
func findAccount(ctx context.Context, org *organizations.Client, id string) (*orgtypes.Account, error) {
	out, err := org.DescribeAccount(ctx, &organizations.DescribeAccountInput{AccountId: aws.String(id)})
	if err != nil {
		return nil, fmt.Errorf("describing account (%s): %w", id, awsx.AsNotFound(err, "account ("+id+")", "AccountNotFoundException"))
	}
	return out.Account, nil
}

// IdentityStatus is Status of the config's identity account
// (organization.identity.accountId), or "" when people come through a SAML
// provider instead.
func IdentityStatus(ctx context.Context, org *organizations.Client, c *config.Config) (string, error) {
	id := c.Organization.Identity.AccountID
	if id == "" {
		return "", nil
	}
	return Status(ctx, org, id)
}

// ouPath walks up from the account to the root: "/Root/Workloads/Prod".
// OUs nest at most five deep, so this is at most ten calls.
func ouPath(ctx context.Context, org *organizations.Client, child string) (string, error) {
	var names []string
	for range 6 {
		out, err := org.ListParents(ctx, &organizations.ListParentsInput{ChildId: aws.String(child)})
		if err != nil {
			return "", fmt.Errorf("listing parents of (%s): %w", child, err)
		}
		if len(out.Parents) == 0 {
			return "", fmt.Errorf("listing parents of (%s): none returned", child)
		}
		p := out.Parents[0]
		if p.Type == "ROOT" {
			return "/" + strings.Join(append([]string{"Root"}, reverse(names)...), "/"), nil
		}
		ou, err := org.DescribeOrganizationalUnit(ctx, &organizations.DescribeOrganizationalUnitInput{OrganizationalUnitId: p.Id})
		if err != nil {
			return "", fmt.Errorf("describing OU (%s): %w", aws.ToString(p.Id), err)
		}
		names = append(names, aws.ToString(ou.OrganizationalUnit.Name))
		child = aws.ToString(p.Id)
	}
	return "", fmt.Errorf("walking OUs above (%s): deeper than Organizations allows", child)
}

func reverse(s []string) []string {
	out := make([]string, len(s))
	for i, v := range s {
		out[len(s)-1-i] = v
	}
	return out
}
