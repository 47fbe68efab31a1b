package awslocal

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"regexp"
)

// Lambda (restJson1, signing name "lambda"), following the Lambda API
// Reference for Invoke, GetFunction and ListFunctions. Functions are not created through the
// API: the embedding program registers each one with the code that runs it
// (RegisterFunction), and the endpoint only routes invocations to it. State is
// regional, one registry per account and region, as in Lambda.

// InvokeFunc runs one invocation of a function. A function error (the handler
// returned or panicked) is reported in errType and errMsg with a nil err, as
// Lambda reports it to the caller; err is for failures of the runtime itself.
type InvokeFunc func(ctx context.Context, payload []byte) (result []byte, errType, errMsg string, err error)

// maxSyncPayload is Lambda's 6 MB quota on a synchronous invocation's request
// (https://docs.aws.amazon.com/lambda/latest/dg/gettingstarted-limits.html).
const maxSyncPayload = 6 << 20

// latestVersion is the only version the endpoint knows: registered code is
// always the unpublished $LATEST.
const latestVersion = "$LATEST"

type lambdaFunction struct {
	Name, ARN string
	invoke    InvokeFunc
}

type lambdaState struct {
	functions map[string]*lambdaFunction // by name
}

func lambdaOf(a *account, region string) *lambdaState {
	return state(a, "lambda/"+region, func() *lambdaState {
		return &lambdaState{functions: map[string]*lambdaFunction{}}
	})
}

// functionARN matches a full or partial function ARN, or a plain name, each
// with an optional version or alias qualifier: the forms FunctionName accepts.
var functionARN = regexp.MustCompile(`^(?:(?:arn:aws[a-zA-Z-]*:lambda:([a-z0-9-]+):)?(\d{12}):function:)?([a-zA-Z0-9_-]{1,64})(?::([a-zA-Z0-9$_-]+))?$`)

// RegisterFunction makes the function with the given ARN
// (arn:aws:lambda:<region>:<account>:function:<name>) invocable; invoke runs
// each invocation. Registering an ARN again replaces its code, like
// UpdateFunctionCode.
func (s *Server) RegisterFunction(arn string, invoke InvokeFunc) error {
	m := functionARN.FindStringSubmatch(arn)
	if m == nil || m[1] == "" || m[4] != "" {
		return fmt.Errorf("registering Lambda function (%s): want an unqualified arn:aws:lambda:<region>:<account>:function:<name>", arn)
	}
	region, accountID, name := m[1], m[2], m[3]
	s.mu.Lock()
	defer s.mu.Unlock()
	a, ok := s.accounts[accountID]
	if !ok {
		a = s.addAccount(accountID, "account-"+accountID, accountID+"@example.com")
	}
	lambdaOf(a, region).functions[name] = &lambdaFunction{Name: name, ARN: arn, invoke: invoke}
	return nil
}

func registerLambda(s *Server) {
	s.register(&service{
		name: "lambda", protocol: lambdaProtocol{}, unknownOp: "UnknownOperationException",
		throttle: *statusErrorf(http.StatusTooManyRequests, "TooManyRequestsException", "Rate exceeded"),
		ops: map[string]handler{
			"Invoke":        lambdaInvoke,
			"GetFunction":   lambdaGetFunction,
			"ListFunctions": lambdaListFunctions,
		},
		routes: []route{
			// The Go SDK writes the trailing slash, the AWS CLI does not.
			newRoute("GET", "/2015-03-31/functions/", "ListFunctions"),
			newRoute("GET", "/2015-03-31/functions", "ListFunctions"),
			newRoute("POST", "/2015-03-31/functions/{FunctionName}/invocations", "Invoke"),
			newRoute("GET", "/2015-03-31/functions/{FunctionName}", "GetFunction"),
		},
	})
}

// functionRef is the function a request's FunctionName and Qualifier name.
type functionRef struct{ region, account, name, qualifier string }

// functionRefOf resolves FunctionName (and Qualifier) the way Lambda does:
// a name or partial ARN is in the caller's account and the request's
// region; a full ARN names its own region and account. It is false for a
// FunctionName of no accepted form.
func functionRefOf(c *call) (functionRef, bool) {
	m := functionARN.FindStringSubmatch(str(c.in, "FunctionName"))
	if m == nil {
		return functionRef{}, false
	}
	f := functionRef{region: m[1], account: m[2], name: m[3], qualifier: m[4]}
	if f.region == "" {
		f.region = c.region
	}
	if f.account == "" {
		f.account = c.account.ID
	}
	if q := str(c.in, "Qualifier"); q != "" {
		f.qualifier = q
	}
	return f, true
}

// arn is the function's ARN, with the qualifier when there is one.
func (f functionRef) arn() string {
	arn := "arn:aws:lambda:" + f.region + ":" + f.account + ":function:" + f.name
	if f.qualifier != "" {
		arn += ":" + f.qualifier
	}
	return arn
}

// findFunctionLocked finds the function a request names. Another
// account's function is denied, since the endpoint models no
// resource-based policies.
func findFunctionLocked(c *call) (*lambdaFunction, error) {
	f, ok := functionRefOf(c)
	if !ok {
		return nil, errorf("ValidationException", "1 validation error detected: Value '%s' at 'functionName' failed to satisfy constraint: Member must satisfy regular expression pattern", str(c.in, "FunctionName"))
	}
	if f.account != c.account.ID {
		return nil, statusErrorf(http.StatusForbidden, "AccessDeniedException",
			"User: %s is not authorized to perform: lambda:InvokeFunction on resource: %s because no resource-based policy allows the lambda:InvokeFunction action", c.principal.ARN, str(c.in, "FunctionName"))
	}
	fn, ok := lambdaOf(c.account, f.region).functions[f.name]
	if !ok || (f.qualifier != "" && f.qualifier != latestVersion) {
		return nil, statusErrorf(http.StatusNotFound, "ResourceNotFoundException", "Function not found: %s", f.arn())
	}
	return fn, nil
}

func lambdaGetFunction(c *call) (doc, error) {
	fn, err := findFunctionLocked(c)
	if err != nil {
		return nil, err
	}
	return doc{
		"Configuration": doc{
			"FunctionName": fn.Name, "FunctionArn": fn.ARN, "Version": latestVersion,
			"State": "Active", "LastUpdateStatus": "Successful", "PackageType": "Zip",
		},
	}, nil
}

// lambdaListFunctions lists the account's functions in the region by name,
// at most MaxItems (and 50) a page, with what the endpoint knows of each.
func lambdaListFunctions(c *call) (doc, error) {
	limit := intOr(c.in, "MaxItems", 50)
	if limit < 1 || limit > 10000 {
		return nil, errorf("ValidationException", "1 validation error detected: Value '%d' at 'maxItems' failed to satisfy constraint: Member must have value between 1 and 10000", limit)
	}
	fns := lambdaOf(c.account, c.region).functions
	items := make([]any, 0, len(fns))
	for _, name := range sortedKeys(fns) {
		items = append(items, doc{"FunctionName": name, "FunctionArn": fns[name].ARN, "Version": latestVersion, "PackageType": "Zip"})
	}
	pg, next, err := page(c.srv, items, str(c.in, "Marker"), min(limit, 50), func() error {
		return errorf("InvalidParameterValueException", "Invalid marker")
	})
	if err != nil {
		return nil, err
	}
	return withToken(doc{"Functions": append([]any{}, pg...)}, "NextMarker", next), nil
}

// lambdaInvoke validates the request and finds the function under the state
// lock, and hands the invocation itself to dispatch as unlocked work: the
// function calls the endpoint, so running it under the lock would deadlock.
func lambdaInvoke(c *call) (doc, error) {
	fn, err := findFunctionLocked(c)
	if err != nil {
		return nil, err
	}
	payload, _ := c.in[lambdaPayload].([]byte)
	if len(payload) > maxSyncPayload {
		return nil, statusErrorf(http.StatusRequestEntityTooLarge, "RequestTooLargeException",
			"Request must be smaller than %d bytes for the InvokeFunction operation", maxSyncPayload)
	}
	if len(payload) > 0 && !json.Valid(payload) {
		return nil, errorf("InvalidRequestContentException", "Could not parse request body into json: the payload is not valid JSON")
	}
	switch typ := str(c.in, "X-Amz-Invocation-Type"); typ {
	case "", "RequestResponse":
		return doc{unlockedWork: func(ctx context.Context) (doc, error) { return runInvocation(ctx, fn, payload) }}, nil
	case "Event":
		// Lambda queues an asynchronous invocation and answers 202 at once;
		// the result is not returned to anyone, so only a failure is logged.
		// The invocation outlives the request, as it does in Lambda.
		// The goroutine runs after the lock is released, outliving the request.
		log := c.srv.log.With("function", fn.ARN)
		go func() {
			out, err := runInvocation(context.WithoutCancel(c.ctx), fn, payload)
			switch {
			case err != nil:
				log.Warn("asynchronous Lambda invocation failed", "err", err)
			case out[lambdaFunctionError] != nil:
				log.Warn("asynchronous Lambda invocation returned a function error", "error", string(out[lambdaPayload].([]byte)))
			}
		}()
		return doc{restStatus: http.StatusAccepted, lambdaPayload: []byte{}}, nil
	case "DryRun":
		return doc{restStatus: http.StatusNoContent, lambdaPayload: []byte{}}, nil
	default:
		return nil, errorf("InvalidParameterValueException", "Unsupported invocation type %s; use RequestResponse, Event or DryRun", typ)
	}
}

// runInvocation runs fn and shapes its outcome as Invoke's response: the
// result as the payload, or a function error as Lambda reports it (status
// 200, X-Amz-Function-Error: Unhandled, and the error as the payload).
func runInvocation(ctx context.Context, fn *lambdaFunction, payload []byte) (doc, error) {
	result, errType, errMsg, err := fn.invoke(ctx, payload)
	switch {
	case errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded):
		return nil, err
	case err != nil:
		return nil, statusErrorf(http.StatusInternalServerError, "ServiceException", "invoking Lambda function (%s): %v", fn.ARN, err)
	case errType != "" || errMsg != "":
		body := mustJSON(struct {
			ErrorMessage string `json:"errorMessage"`
			ErrorType    string `json:"errorType"`
		}{errMsg, errType})
		return doc{lambdaPayload: body, lambdaFunctionError: "Unhandled"}, nil
	}
	return doc{lambdaPayload: result}, nil
}

// Members of an Invoke request or response that travel outside the JSON body.
const (
	lambdaPayload       = "__payload"       // []byte: the raw request or response body
	lambdaFunctionError = "__functionError" // string: the X-Amz-Function-Error header
)

// lambdaProtocol is restJson1 except for Invoke, whose request and response
// bodies are the function's own payload bytes, not a JSON object of members.
type lambdaProtocol struct{ restJSONProtocol }

func (p lambdaProtocol) decode(svc *service, r *http.Request, body []byte) (string, doc, error) {
	op, in, err := matchRoute(svc, r)
	if err != nil || op != "Invoke" {
		return p.restJSONProtocol.decode(svc, r, body)
	}
	in[lambdaPayload] = body
	for _, h := range []string{"X-Amz-Invocation-Type", "X-Amz-Log-Type", "X-Amz-Client-Context"} {
		if v := r.Header.Get(h); v != "" {
			in[h] = v
		}
	}
	return op, in, nil
}

func (p lambdaProtocol) encode(w http.ResponseWriter, c *call, out doc) {
	payload, ok := out[lambdaPayload].([]byte)
	if !ok {
		p.restJSONProtocol.encode(w, c, out)
		return
	}
	status := http.StatusOK
	if s, ok := out[restStatus].(int); ok {
		status = s
	}
	w.Header().Set("X-Amzn-Requestid", c.srv.requestID())
	if status == http.StatusOK {
		w.Header().Set("X-Amz-Executed-Version", latestVersion)
		w.Header().Set("Content-Type", "application/json")
	}
	if fe, ok := out[lambdaFunctionError].(string); ok {
		w.Header().Set("X-Amz-Function-Error", fe)
	}
	w.WriteHeader(status)
	_, _ = w.Write(payload)
}
