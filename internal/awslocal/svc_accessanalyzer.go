package awslocal

import (
	"net/http"
	"regexp"
	"slices"
	"time"
)

// IAM Access Analyzer (REST-JSON, lowerCamel members), following the IAM
// Access Analyzer API Reference
// (https://docs.aws.amazon.com/access-analyzer/latest/APIReference/):
//
//	CreateAnalyzer, GetAnalyzer   API_CreateAnalyzer.html, API_GetAnalyzer.html
//	ListAnalyzers, DeleteAnalyzer API_ListAnalyzers.html, API_DeleteAnalyzer.html
//	TagResource,                  API_TagResource.html,
//	ListTagsForResource           API_ListTagsForResource.html
//
// Analyzers are per account and region. Known differences from AWS:
// analyzers never analyze anything (no findings, archive rules are stored
// only); the per-Region analyzer quota is not enforced; clientToken
// idempotency is not modelled.

type aaAnalyzer struct {
	Name, Type   string
	Created      time.Time
	Tags         map[string]string
	ArchiveRules any
	Config       any
}

type aaState struct{ analyzers map[string]*aaAnalyzer }

var aaTypes = []string{"ACCOUNT", "ORGANIZATION", "ACCOUNT_UNUSED_ACCESS", "ORGANIZATION_UNUSED_ACCESS", "ACCOUNT_INTERNAL_ACCESS", "ORGANIZATION_INTERNAL_ACCESS"}

var aaName = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9_.-]{0,254}$`)

func registerAccessAnalyzer(s *Server) {
	s.register(&service{
		name: "access-analyzer", protocol: restJSONProtocol{}, unknownOp: "ValidationException",
		throttle: *statusErrorf(http.StatusTooManyRequests, "ThrottlingException", "Rate exceeded"),
		ops: map[string]handler{
			"CreateAnalyzer": aaCreateAnalyzer, "GetAnalyzer": aaGetAnalyzer, "ListAnalyzers": aaListAnalyzers,
			"DeleteAnalyzer": aaDeleteAnalyzer, "TagResource": aaTagResource, "ListTagsForResource": aaListTagsForResource,
		},
		routes: []route{
			newRoute("PUT", "/analyzer", "CreateAnalyzer"),
			newRoute("GET", "/analyzer", "ListAnalyzers"),
			newRoute("GET", "/analyzer/{analyzerName}", "GetAnalyzer"),
			newRoute("DELETE", "/analyzer/{analyzerName}", "DeleteAnalyzer"),
			newRoute("POST", "/tags/{resourceArn}", "TagResource"),
			newRoute("GET", "/tags/{resourceArn}", "ListTagsForResource"),
		},
	})
}

func aaOf(c *call) *aaState {
	return state(c.account, "access-analyzer/"+c.region, func() *aaState { return &aaState{analyzers: map[string]*aaAnalyzer{}} })
}

func aaValidation(format string, args ...any) error {
	return errorf("ValidationException", format, args...)
}

func aaNotFound(what string) error {
	return statusErrorf(http.StatusNotFound, "ResourceNotFoundException", "%s not found", what)
}

func analyzerARN(c *call, name string) string {
	return "arn:aws:access-analyzer:" + c.region + ":" + c.account.ID + ":analyzer/" + name
}

func (a *aaAnalyzer) out(c *call) doc {
	d := doc{"arn": analyzerARN(c, a.Name), "name": a.Name, "type": a.Type, "status": "ACTIVE",
		"createdAt": a.Created.Format(time.RFC3339Nano), "tags": a.Tags}
	if a.Config != nil {
		d["configuration"] = a.Config
	}
	return d
}

func aaCreateAnalyzer(c *call) (doc, error) {
	name, typ := str(c.in, "analyzerName"), str(c.in, "type")
	if !aaName.MatchString(name) {
		return nil, aaValidation("analyzerName must match [A-Za-z][A-Za-z0-9_.-]* and be 1 to 255 characters")
	}
	if !slices.Contains(aaTypes, typ) {
		return nil, aaValidation("type must be one of %v", aaTypes)
	}
	if typ[:3] == "ORG" && (c.srv.orgIDOf(c.account.ID) == "" || c.account.ID != c.srv.opts.ManagementAccountID) {
		return nil, aaValidation("An organization analyzer can only be created in the organization's management account or delegated administrator")
	}
	st := aaOf(c)
	if _, ok := st.analyzers[name]; ok {
		return nil, statusErrorf(http.StatusConflict, "ConflictException", "Analyzer %s already exists", name)
	}
	a := &aaAnalyzer{Name: name, Type: typ, Created: c.srv.now(), Tags: map[string]string{},
		ArchiveRules: c.in["archiveRules"], Config: c.in["configuration"]}
	if err := mergeTagMap(a.Tags, obj(c.in, "tags"), aaInvalidTags); err != nil {
		return nil, err
	}
	st.analyzers[name] = a
	return doc{"arn": analyzerARN(c, a.Name)}, nil
}

func aaInvalidTags(why string) error { return aaValidation("Invalid tags: %s", why) }

func aaGetAnalyzer(c *call) (doc, error) {
	a, ok := aaOf(c).analyzers[str(c.in, "analyzerName")]
	if !ok {
		return nil, aaNotFound("Analyzer " + str(c.in, "analyzerName"))
	}
	return doc{"analyzer": a.out(c)}, nil
}

func aaListAnalyzers(c *call) (doc, error) {
	typ := str(c.in, "type")
	if typ != "" && !slices.Contains(aaTypes, typ) {
		return nil, aaValidation("type must be one of %v", aaTypes)
	}
	st := aaOf(c)
	var items []any
	for _, name := range sortedKeys(st.analyzers) {
		if a := st.analyzers[name]; typ == "" || a.Type == typ {
			items = append(items, a.out(c))
		}
	}
	pg, next, err := page(c.srv, items, str(c.in, "nextToken"), intOr(c.in, "maxResults", 100), func() error {
		return aaValidation("Invalid nextToken")
	})
	if err != nil {
		return nil, err
	}
	out := doc{"analyzers": append([]any{}, pg...)}
	return withToken(out, "nextToken", next), nil
}

func aaDeleteAnalyzer(c *call) (doc, error) {
	st := aaOf(c)
	name := str(c.in, "analyzerName")
	if _, ok := st.analyzers[name]; !ok {
		return nil, aaNotFound("Analyzer " + name)
	}
	delete(st.analyzers, name)
	return doc{}, nil
}

var aaARN = regexp.MustCompile(`^arn:aws:access-analyzer:([a-z0-9-]+):(\d{12}):analyzer/(.+)$`)

// aaTagged resolves an analyzer ARN in the caller's account and region.
func aaTagged(c *call) (*aaAnalyzer, error) {
	arn := str(c.in, "resourceArn")
	m := aaARN.FindStringSubmatch(arn)
	if m == nil {
		return nil, aaValidation("Invalid resourceArn %s", arn)
	}
	a, ok := aaOf(c).analyzers[m[3]]
	if m[1] != c.region || m[2] != c.account.ID || !ok {
		return nil, aaNotFound("Resource " + arn)
	}
	return a, nil
}

func aaTagResource(c *call) (doc, error) {
	a, err := aaTagged(c)
	if err != nil {
		return nil, err
	}
	tags := copyTags(a.Tags)
	if err := mergeTagMap(tags, obj(c.in, "tags"), aaInvalidTags); err != nil {
		return nil, err
	}
	a.Tags = tags
	return doc{}, nil
}

func aaListTagsForResource(c *call) (doc, error) {
	a, err := aaTagged(c)
	if err != nil {
		return nil, err
	}
	return doc{"tags": a.Tags}, nil
}
