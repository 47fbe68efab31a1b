package awslocal

import (
	"encoding/xml"
	"net/http"
	"regexp"
	"strings"
	"time"
)

// IAM SAML providers, following the IAM API Reference (CreateSAMLProvider,
// GetSAMLProvider, DeleteSAMLProvider, ListSAMLProviders) and "IAM and AWS
// STS quotas" (IAM User Guide): a name of 1 to 128 letters, digits and
// ._-; a metadata document of 1,000 to 10,000,000 characters, which IAM
// parses as SAML metadata; at most 100 providers in an account. A role's
// trust may name as its Federated principal only a provider that exists in
// the role's own account: IAM answers "Federated principals must be valid
// domain names or SAML metadata ARNs" otherwise, so one account's provider
// cannot serve another account's roles (checkFederatedPrincipal).

const (
	minSAMLMetadata  = 1000
	maxSAMLMetadata  = 10_000_000
	maxSAMLProviders = 100
)

type iamSAMLProvider struct {
	Metadata   string
	Created    time.Time
	ValidUntil time.Time
	Tags       map[string]string
}

var samlProviderName = regexp.MustCompile(`^[\w.-]{1,128}$`)

func samlProviderARN(account, name string) string {
	return "arn:aws:iam::" + account + ":saml-provider/" + name
}

// newSAMLProvider is a provider made now. IAM reports when the metadata
// stops being valid; nothing here expires, so that is a century away.
func newSAMLProvider(now time.Time, metadata string, tags map[string]string) *iamSAMLProvider {
	return &iamSAMLProvider{Metadata: metadata, Created: now, ValidUntil: now.AddDate(100, 0, 0), Tags: tags}
}

// ownSAMLProvider is the provider arn names in account a: its name, and
// nil when the ARN is another account's or names no provider.
func ownSAMLProvider(a *account, arn string) (string, *iamSAMLProvider) {
	name, ok := strings.CutPrefix(arn, samlProviderARN(a.ID, ""))
	if !ok {
		return "", nil
	}
	return name, iamOf(a).samlProviders[name]
}

// samlMetadata is the root element of SAML 2.0 metadata.
type samlMetadata struct {
	XMLName  xml.Name
	EntityID string `xml:"entityID,attr"`
}

const samlMetadataNamespace = "urn:oasis:names:tc:SAML:2.0:metadata"

func checkSAMLMetadata(text string) error {
	if n := len(text); n < minSAMLMetadata || n > maxSAMLMetadata {
		return errorf("ValidationError", "1 validation error detected: Value at 'sAMLMetadataDocument' failed to satisfy constraint: Member must have length between %d and %d", minSAMLMetadata, maxSAMLMetadata)
	}
	var m samlMetadata
	if err := xml.Unmarshal([]byte(text), &m); err != nil || m.XMLName.Space != samlMetadataNamespace || m.XMLName.Local != "EntityDescriptor" || m.EntityID == "" {
		return errorf("InvalidInput", "Could not parse metadata")
	}
	return nil
}

// SAMLMetadata is identity-provider metadata for entityID that
// CreateSAMLProvider accepts, as an identity provider exports it: an
// EntityDescriptor with a signing certificate and a sign-in endpoint. The
// certificate is a stand-in; nothing here checks assertions against it.
func SAMLMetadata(entityID string) string {
	return `<?xml version="1.0" encoding="UTF-8"?>
<md:EntityDescriptor xmlns:md="` + samlMetadataNamespace + `" entityID="` + entityID + `">
  <md:IDPSSODescriptor WantAuthnRequestsSigned="false" protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol">
    <md:KeyDescriptor use="signing">
      <ds:KeyInfo xmlns:ds="http://www.w3.org/2000/09/xmldsig#">
        <ds:X509Data><ds:X509Certificate>` + strings.Repeat("TUlJRGFsb2NhbA==", 64) + `</ds:X509Certificate></ds:X509Data>
      </ds:KeyInfo>
    </md:KeyDescriptor>
    <md:NameIDFormat>urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress</md:NameIDFormat>
    <md:SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST" Location="` + entityID + `/sso/saml"/>
  </md:IDPSSODescriptor>
</md:EntityDescriptor>
`
}

func iamCreateSAMLProvider(c *call) (doc, error) {
	name, metadata := str(c.in, "Name"), str(c.in, "SAMLMetadataDocument")
	if !samlProviderName.MatchString(name) {
		return nil, errorf("ValidationError", "1 validation error detected: Value '%s' at 'name' failed to satisfy constraint", name)
	}
	st := iamOf(c.account)
	if _, ok := st.samlProviders[name]; ok {
		return nil, statusErrorf(http.StatusConflict, "EntityAlreadyExists", "SAMLProvider %s already exists.", name)
	}
	if len(st.samlProviders) >= maxSAMLProviders {
		return nil, errorf("LimitExceeded", "Cannot exceed quota for SamlProvidersPerAccount: %d", maxSAMLProviders)
	}
	if err := checkSAMLMetadata(metadata); err != nil {
		return nil, err
	}
	tags := tagList(c.in, "Tags")
	if err := checkTags(tags); err != nil {
		return nil, err
	}
	st.samlProviders[name] = newSAMLProvider(c.srv.now(), metadata, tags)
	out := doc{"SAMLProviderArn": samlProviderARN(c.account.ID, name)}
	if len(tags) > 0 {
		out["Tags"] = tagsOut(tags)
	}
	return out, nil
}

// samlProviderByARN finds the provider SAMLProviderArn names in the
// caller's account; another account's is not found.
func samlProviderByARN(c *call) (string, *iamSAMLProvider, error) {
	arn := str(c.in, "SAMLProviderArn")
	if name, p := ownSAMLProvider(c.account, arn); p != nil {
		return name, p, nil
	}
	return "", nil, noSuchEntity("The SAML provider %s cannot be found.", arn)
}

func iamGetSAMLProvider(c *call) (doc, error) {
	_, p, err := samlProviderByARN(c)
	if err != nil {
		return nil, err
	}
	out := doc{"SAMLMetadataDocument": p.Metadata, "CreateDate": p.Created, "ValidUntil": p.ValidUntil}
	if len(p.Tags) > 0 {
		out["Tags"] = tagsOut(p.Tags)
	}
	return out, nil
}

func iamDeleteSAMLProvider(c *call) (doc, error) {
	name, _, err := samlProviderByARN(c)
	if err != nil {
		return nil, err
	}
	delete(iamOf(c.account).samlProviders, name)
	return nil, nil
}

func iamListSAMLProviders(c *call) (doc, error) {
	st := iamOf(c.account)
	out := []any{}
	for _, name := range sortedKeys(st.samlProviders) {
		p := st.samlProviders[name]
		out = append(out, doc{"Arn": samlProviderARN(c.account.ID, name), "CreateDate": p.Created, "ValidUntil": p.ValidUntil})
	}
	return doc{"SAMLProviderList": out}, nil
}

// checkFederatedPrincipal refuses a Federated principal that is an ARN but
// not a SAML provider of the role's own account. Web identity providers
// are named by domain ("accounts.google.com") and pass; OIDC providers are
// not modelled, so their ARNs are refused like a missing provider.
func checkFederatedPrincipal(a *account, principal string) error {
	if !strings.HasPrefix(principal, "arn:") {
		return nil
	}
	if _, p := ownSAMLProvider(a, principal); p != nil {
		return nil
	}
	return errorf("MalformedPolicyDocument", "Federated principals must be valid domain names or SAML metadata ARNs")
}
