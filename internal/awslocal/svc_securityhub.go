package awslocal

import (
	"net/http"
	"slices"
	"strings"
	"time"
)

// Security Hub (REST-JSON, PascalCase members), following the AWS Security
// Hub API Reference (https://docs.aws.amazon.com/securityhub/1.0/APIReference/):
//
//	EnableSecurityHub, DescribeHub, DisableSecurityHub  API_EnableSecurityHub.html, API_DescribeHub.html, API_DisableSecurityHub.html
//	BatchEnableStandards, BatchDisableStandards         API_BatchEnableStandards.html, API_BatchDisableStandards.html
//	GetEnabledStandards, DescribeStandards              API_GetEnabledStandards.html, API_DescribeStandards.html
//	TagResource, ListTagsForResource                    API_TagResource.html, API_ListTagsForResource.html
//	standards ARNs                                      securityhub/latest/userguide/standards-reference.html
//
// The hub is per account and region. Known differences from AWS: standards
// subscriptions answer PENDING from BatchEnableStandards and are READY on
// the next read (AWS takes a while); disabled subscriptions disappear at
// once instead of passing through DELETING; controls and findings are not
// modelled; only the hub is taggable.

type shState struct {
	enabled    bool
	subscribed time.Time
	generator  string
	tags       map[string]string
	subs       map[string]string // subscription ARN -> standards ARN
}

// shStandard is one standard Security Hub offers, named by the path of its
// ARN (CIS 1.2 is the only one with a global "ruleset" ARN).
type shStandard struct {
	path, name, description string
	byDefault               bool
}

var shStandards = []shStandard{
	{"standards/aws-foundational-security-best-practices/v/1.0.0", "AWS Foundational Security Best Practices v1.0.0", "The AWS Foundational Security Best Practices standard is a set of controls that detect when your deployed accounts and resources deviate from security best practices.", true},
	{"ruleset/cis-aws-foundations-benchmark/v/1.2.0", "CIS AWS Foundations Benchmark v1.2.0", "The Center for Internet Security (CIS) AWS Foundations Benchmark v1.2.0.", true},
	{"standards/cis-aws-foundations-benchmark/v/1.4.0", "CIS AWS Foundations Benchmark v1.4.0", "The Center for Internet Security (CIS) AWS Foundations Benchmark v1.4.0.", false},
	{"standards/cis-aws-foundations-benchmark/v/3.0.0", "CIS AWS Foundations Benchmark v3.0.0", "The Center for Internet Security (CIS) AWS Foundations Benchmark v3.0.0.", false},
	{"standards/nist-800-53/v/5.0.0", "NIST Special Publication 800-53 Revision 5", "NIST SP 800-53 Rev. 5 controls.", false},
	{"standards/pci-dss/v/3.2.1", "PCI DSS v3.2.1", "The Payment Card Industry Data Security Standard (PCI DSS) v3.2.1.", false},
	{"standards/pci-dss/v/4.0.1", "PCI DSS v4.0.1", "The Payment Card Industry Data Security Standard (PCI DSS) v4.0.1.", false},
	{"standards/aws-resource-tagging-standard/v/1.0.0", "AWS Resource Tagging Standard", "Controls that check that AWS resources carry tags.", false},
}

// arn is the standard's ARN in a region; the CIS 1.2 ruleset has no region.
func (st shStandard) arn(region string) string {
	if strings.HasPrefix(st.path, "ruleset/") {
		return "arn:aws:securityhub:::" + st.path
	}
	return "arn:aws:securityhub:" + region + "::" + st.path
}

// subscriptionARN is where the account's subscription to the standard lives.
func (st shStandard) subscriptionARN(account, region string) string {
	_, rest, _ := strings.Cut(st.path, "/")
	return "arn:aws:securityhub:" + region + ":" + account + ":subscription/" + rest
}

func registerSecurityHub(s *Server) {
	s.register(&service{
		name: "securityhub", protocol: restJSONProtocol{}, unknownOp: "InvalidInputException",
		throttle: *statusErrorf(http.StatusTooManyRequests, "TooManyRequestsException", "Too Many Requests"),
		ops: map[string]handler{
			"EnableSecurityHub": shEnable, "DescribeHub": shDescribeHub, "DisableSecurityHub": shDisable,
			"BatchEnableStandards": shBatchEnableStandards, "GetEnabledStandards": shGetEnabledStandards,
			"BatchDisableStandards": shBatchDisableStandards, "DescribeStandards": shDescribeStandards,
			"TagResource": shTagResource, "ListTagsForResource": shListTagsForResource,
		},
		routes: []route{
			newRoute("POST", "/accounts", "EnableSecurityHub"),
			newRoute("GET", "/accounts", "DescribeHub"),
			newRoute("DELETE", "/accounts", "DisableSecurityHub"),
			newRoute("POST", "/standards/register", "BatchEnableStandards"),
			newRoute("POST", "/standards/get", "GetEnabledStandards"),
			newRoute("POST", "/standards/deregister", "BatchDisableStandards"),
			newRoute("GET", "/standards", "DescribeStandards"),
			newRoute("POST", "/tags/{ResourceArn}", "TagResource"),
			newRoute("GET", "/tags/{ResourceArn}", "ListTagsForResource"),
		},
	})
}

func shOf(c *call) *shState {
	return state(c.account, "securityhub/"+c.region, func() *shState { return &shState{} })
}

func shInvalidInput(format string, args ...any) error {
	return errorf("InvalidInputException", format, args...)
}

func shInvalidTags(why string) error { return shInvalidInput("Invalid tags: %s", why) }

func hubARN(c *call) string {
	return "arn:aws:securityhub:" + c.region + ":" + c.account.ID + ":hub/default"
}

// shSubscribed returns the hub, or InvalidAccessException (401) as Security
// Hub answers every call from an account that has not enabled it.
func shSubscribed(c *call) (*shState, error) {
	h := shOf(c)
	if !h.enabled {
		return nil, statusErrorf(http.StatusUnauthorized, "InvalidAccessException", "Account %s is not subscribed to AWS Security Hub", c.account.ID)
	}
	return h, nil
}

func shStandardByARN(region, arn string) (shStandard, bool) {
	i := slices.IndexFunc(shStandards, func(st shStandard) bool { return st.arn(region) == arn })
	if i < 0 {
		return shStandard{}, false
	}
	return shStandards[i], true
}

func shEnable(c *call) (doc, error) {
	h := shOf(c)
	if h.enabled {
		return nil, statusErrorf(http.StatusConflict, "ResourceConflictException", "Account %s is already subscribed to Security Hub", c.account.ID)
	}
	gen := strOr(c.in, "ControlFindingGenerator", "SECURITY_CONTROL")
	if gen != "SECURITY_CONTROL" && gen != "STANDARD_CONTROL" {
		return nil, shInvalidInput("ControlFindingGenerator must be SECURITY_CONTROL or STANDARD_CONTROL")
	}
	tags := map[string]string{}
	if err := mergeTagMap(tags, obj(c.in, "Tags"), shInvalidTags); err != nil {
		return nil, err
	}
	*h = shState{enabled: true, subscribed: c.srv.now(), generator: gen, tags: tags, subs: map[string]string{}}
	if boolOr(c.in, "EnableDefaultStandards", true) {
		for _, st := range shStandards {
			if st.byDefault {
				h.subs[st.subscriptionARN(c.account.ID, c.region)] = st.arn(c.region)
			}
		}
	}
	return doc{}, nil
}

func shDescribeHub(c *call) (doc, error) {
	h, err := shSubscribed(c)
	if err != nil {
		return nil, err
	}
	if arn := str(c.in, "HubArn"); arn != "" && arn != hubARN(c) {
		return nil, statusErrorf(http.StatusNotFound, "ResourceNotFoundException", "Hub %s not found", arn)
	}
	return doc{"HubArn": hubARN(c), "SubscribedAt": h.subscribed.Format("2006-01-02T15:04:05.000Z"),
		"AutoEnableControls": true, "ControlFindingGenerator": h.generator}, nil
}

func shDisable(c *call) (doc, error) {
	h, err := shSubscribed(c)
	if err != nil {
		return nil, err
	}
	*h = shState{}
	return doc{}, nil
}

func shSubscriptionOut(subARN, stdARN, status string) doc {
	return doc{"StandardsSubscriptionArn": subARN, "StandardsArn": stdARN, "StandardsInput": doc{},
		"StandardsStatus": status, "StandardsControlsUpdatable": "READY_FOR_UPDATES"}
}

func shBatchEnableStandards(c *call) (doc, error) {
	h, err := shSubscribed(c)
	if err != nil {
		return nil, err
	}
	reqs := list(c.in, "StandardsSubscriptionRequests")
	if len(reqs) < 1 || len(reqs) > 25 {
		return nil, shInvalidInput("StandardsSubscriptionRequests must contain 1 to 25 requests")
	}
	var out []any
	for _, r := range reqs {
		st, ok := shStandardByARN(c.region, str(r, "StandardsArn"))
		if !ok {
			return nil, shInvalidInput("Invalid StandardsArn %s in region %s", str(r, "StandardsArn"), c.region)
		}
		sub := st.subscriptionARN(c.account.ID, c.region)
		h.subs[sub] = st.arn(c.region)
		out = append(out, shSubscriptionOut(sub, st.arn(c.region), "PENDING"))
	}
	return doc{"StandardsSubscriptions": out}, nil
}

func shGetEnabledStandards(c *call) (doc, error) {
	h, err := shSubscribed(c)
	if err != nil {
		return nil, err
	}
	want := strs(c.in, "StandardsSubscriptionArns")
	var subs []any
	for _, arn := range sortedKeys(h.subs) {
		if len(want) == 0 || slices.Contains(want, arn) {
			subs = append(subs, shSubscriptionOut(arn, h.subs[arn], "READY"))
		}
	}
	return shPage(c, "StandardsSubscriptions", subs)
}

func shPage(c *call, key string, items []any) (doc, error) {
	pg, next, err := page(c.srv, items, str(c.in, "NextToken"), intOr(c.in, "MaxResults", 100), func() error {
		return shInvalidInput("Invalid NextToken")
	})
	if err != nil {
		return nil, err
	}
	out := doc{key: append([]any{}, pg...)}
	return withToken(out, "NextToken", next), nil
}

func shBatchDisableStandards(c *call) (doc, error) {
	h, err := shSubscribed(c)
	if err != nil {
		return nil, err
	}
	arns := strs(c.in, "StandardsSubscriptionArns")
	if len(arns) < 1 || len(arns) > 25 {
		return nil, shInvalidInput("StandardsSubscriptionArns must contain 1 to 25 ARNs")
	}
	for _, arn := range arns {
		if _, ok := h.subs[arn]; !ok {
			return nil, shInvalidInput("Standards subscription %s is not enabled", arn)
		}
	}
	var out []any
	for _, arn := range arns {
		out = append(out, shSubscriptionOut(arn, h.subs[arn], "DELETING"))
		delete(h.subs, arn)
	}
	return doc{"StandardsSubscriptions": out}, nil
}

func shDescribeStandards(c *call) (doc, error) {
	if _, err := shSubscribed(c); err != nil {
		return nil, err
	}
	items := anyList(shStandards, func(st shStandard) any {
		return doc{"StandardsArn": st.arn(c.region), "Name": st.name, "Description": st.description,
			"EnabledByDefault": st.byDefault, "StandardsManagedBy": doc{"Company": "AWS", "Product": "Security Hub"}}
	})
	return shPage(c, "Standards", items)
}

// shTagged resolves a resource ARN; only the caller's hub is taggable here.
func shTagged(c *call) (*shState, error) {
	h, err := shSubscribed(c)
	if err != nil {
		return nil, err
	}
	if arn := str(c.in, "ResourceArn"); arn != hubARN(c) {
		return nil, statusErrorf(http.StatusNotFound, "ResourceNotFoundException", "Resource %s not found", arn)
	}
	return h, nil
}

func shTagResource(c *call) (doc, error) {
	h, err := shTagged(c)
	if err != nil {
		return nil, err
	}
	in := obj(c.in, "Tags")
	if len(in) == 0 {
		return nil, shInvalidInput("Tags must contain at least one tag")
	}
	tags := copyTags(h.tags)
	if err := mergeTagMap(tags, in, shInvalidTags); err != nil {
		return nil, err
	}
	h.tags = tags
	return doc{}, nil
}

func shListTagsForResource(c *call) (doc, error) {
	h, err := shTagged(c)
	if err != nil {
		return nil, err
	}
	return doc{"Tags": h.tags}, nil
}
