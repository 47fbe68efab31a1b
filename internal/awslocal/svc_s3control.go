package awslocal

import (
	"net/http"
	"regexp"
)

// S3 Control (restXml, wrapped errors), following the Amazon S3 API
// Reference for the account-level Block Public Access settings:
//
//   - PutPublicAccessBlock: https://docs.aws.amazon.com/AmazonS3/latest/API/API_control_PutPublicAccessBlock.html
//   - GetPublicAccessBlock: https://docs.aws.amazon.com/AmazonS3/latest/API/API_control_GetPublicAccessBlock.html
//   - DeletePublicAccessBlock: https://docs.aws.amazon.com/AmazonS3/latest/API/API_control_DeletePublicAccessBlock.html
//
// Known differences from AWS: the account id is taken from the
// x-amz-account-id header only (the <account>.<host> prefix is not checked
// against it), and a caller acting on another account gets AccessDenied
// without any policy evaluation.

func registerS3Control(s *Server) {
	s.register(&service{
		name: "s3-control", protocol: restXMLProtocol{wrappedErrors: true},
		xmlns:    "http://awss3control.amazonaws.com/doc/2018-08-20/",
		throttle: *statusErrorf(http.StatusServiceUnavailable, "SlowDown", "Please reduce your request rate."),
		routes: []route{
			newRoute("PUT", "/v20180820/configuration/publicAccessBlock", "PutPublicAccessBlock"),
			newRoute("GET", "/v20180820/configuration/publicAccessBlock", "GetPublicAccessBlock"),
			newRoute("DELETE", "/v20180820/configuration/publicAccessBlock", "DeletePublicAccessBlock"),
		},
		ops: map[string]handler{
			"PutPublicAccessBlock":    s3ControlPutPublicAccessBlock,
			"GetPublicAccessBlock":    s3ControlGetPublicAccessBlock,
			"DeletePublicAccessBlock": s3ControlDeletePublicAccessBlock,
		},
	})
}

// s3ControlState is an account's S3 Control configuration.
type s3ControlState struct {
	publicAccessBlock doc // nil when not configured
}

func s3ControlOf(a *account) *s3ControlState {
	return state(a, "s3-control", func() *s3ControlState { return &s3ControlState{} })
}

var accountIDPattern = regexp.MustCompile(`^\d{12}$`)

// s3ControlAccount checks the x-amz-account-id header: required, well formed,
// and the caller's own account.
func (c *call) s3ControlAccount() (*s3ControlState, error) {
	id := c.req.Header.Get("X-Amz-Account-Id")
	if !accountIDPattern.MatchString(id) {
		return nil, errorf("InvalidRequest", "Account ID must be a 12-digit number")
	}
	if id != c.principal.AccountID {
		return nil, statusErrorf(http.StatusForbidden, "AccessDenied", "Access Denied")
	}
	return s3ControlOf(c.account), nil
}

func s3ControlPutPublicAccessBlock(c *call) (doc, error) {
	st, err := c.s3ControlAccount()
	if err != nil {
		return nil, err
	}
	pab, err := readPublicAccessBlock(c.in)
	if err != nil {
		return nil, err
	}
	st.publicAccessBlock = pab
	return nil, nil
}

func s3ControlGetPublicAccessBlock(c *call) (doc, error) {
	st, err := c.s3ControlAccount()
	if err != nil {
		return nil, err
	}
	if st.publicAccessBlock == nil {
		return nil, noSuchPublicAccessBlock()
	}
	out := doc{restRoot: "PublicAccessBlockConfiguration"}
	for k, v := range st.publicAccessBlock {
		out[k] = v
	}
	return out, nil
}

func s3ControlDeletePublicAccessBlock(c *call) (doc, error) {
	st, err := c.s3ControlAccount()
	if err != nil {
		return nil, err
	}
	st.publicAccessBlock = nil
	return doc{restStatus: http.StatusNoContent}, nil
}
