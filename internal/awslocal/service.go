package awslocal

import (
	"fmt"
	"net/http"
	"regexp"
	"strings"
)

// handler runs one operation against the state; the caller holds s.mu.
type handler func(c *call) (doc, error)

// service is one AWS service as the endpoint speaks it.
type service struct {
	name     string // SigV4 signing name, e.g. "iam", "monitoring"
	protocol protocol
	// alternates are the protocols the service answers in besides
	// protocol, each request in its own: CloudWatch speaks AWS JSON 1.0 and
	// query besides Smithy RPC v2 CBOR.
	alternates []protocol
	// xmlns is the namespace of query-protocol responses.
	xmlns string
	ops   map[string]handler
	// routes map REST requests to operations.
	routes []route
	// throttle is the error the service answers when it throttles a caller;
	// each service has its own code (Throttling, ThrottlingException,
	// TooManyRequestsException, RequestLimitExceeded, SlowDown ...).
	throttle APIError
	// notFoundOp is the code for an unknown operation; defaults per protocol.
	unknownOp string
}

func (svc *service) unknownOpCode() string {
	if svc.unknownOp != "" {
		return svc.unknownOp
	}
	return "InvalidAction"
}

// protocolFor picks the protocol a request speaks, for a service with
// alternates, the way the request shows it: the X-Amz-Target header (AWS
// JSON), neither it nor Smithy-Protocol (query), or else the service's own.
func (svc *service) protocolFor(r *http.Request) protocol {
	for _, p := range svc.alternates {
		switch p.(type) {
		case jsonProtocol:
			if r.Header.Get("X-Amz-Target") != "" {
				return p
			}
		case queryProtocol:
			if r.Header.Get("Smithy-Protocol") == "" && r.Header.Get("X-Amz-Target") == "" {
				return p
			}
		}
	}
	return svc.protocol
}

// protocol decodes requests and encodes responses for one wire protocol.
type protocol interface {
	decode(svc *service, r *http.Request, body []byte) (op string, in doc, err error)
	encode(w http.ResponseWriter, c *call, out doc)
	encodeError(w http.ResponseWriter, c *call, e *APIError)
}

// route is one REST operation: method, a path template with {Param} and
// {Param+} (greedy) segments, and the operation it names.
type route struct {
	method string
	op     string
	query  string // a query key the request must carry, e.g. "policy"
	re     *regexp.Regexp
	params []string
}

var routeParam = regexp.MustCompile(`\\\{([A-Za-z0-9]+)(\\\+)?\\\}`)

func newRoute(method, template, op string) route {
	var params []string
	template, query, _ := strings.Cut(template, "?")
	// QuoteMeta escapes the braces and plus signs, so the parameter pattern
	// matches their escaped form.
	pattern := routeParam.ReplaceAllStringFunc(regexp.QuoteMeta(template), func(m string) string {
		name := strings.Trim(m, `\{}+`)
		params = append(params, name)
		if strings.Contains(m, `\+`) {
			return `(.+)`
		}
		return `([^/]+)`
	})
	return route{method: method, op: op, query: query, re: regexp.MustCompile("^" + pattern + "$"), params: params}
}

// register adds a service to the server. Two services with one signing name
// would leave one of them unreachable, so that is a programming error.
func (s *Server) register(svc *service) {
	if _, dup := s.services[svc.name]; dup {
		panic(fmt.Sprintf("awslocal: service %q registered twice", svc.name))
	}
	if resourceOf[svc.name] == nil {
		panic(fmt.Sprintf("awslocal: service %q has no resources for the authorizer (resourceOf)", svc.name))
	}
	s.services[svc.name] = svc
}

// route picks the service for a request the way AWS's front ends do: by the
// signing name in the SigV4 scope. S3 Control shares the "s3" signing name
// and is told apart by its account-id host prefix and /v20180820/ path.
func (s *Server) route(r *http.Request, scope sigScope) *service {
	name := scope.service
	if name == "s3" && strings.HasPrefix(r.URL.Path, "/v20180820/") {
		name = "s3-control"
	}
	return s.services[name]
}
