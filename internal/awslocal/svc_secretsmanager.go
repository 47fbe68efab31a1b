package awslocal

import (
	"net/http"
	"strings"
	"time"
)

// Secrets Manager (JSON 1.1), only what landfall's formatter uses to read
// chat webhook URLs, following the AWS Secrets Manager API Reference:
//
//	CreateSecret    API_CreateSecret.html
//	GetSecretValue  API_GetSecretValue.html
//
// Known differences from AWS: one version per secret (no staging labels,
// no rotation), SecretBinary is not supported, and secrets have no
// resource policies.

type secretsState struct {
	secrets map[string]*secret // by name
	// suffix is the random part of the next new secret's ARN, minted before
	// the secret exists so that CreateSecret can be authorized on it.
	suffix string
}

type secret struct {
	Name, ARN, Value, Version string
	Created                   time.Time
	Tags                      map[string]string
}

func registerSecretsManager(s *Server) {
	s.register(&service{
		name: "secretsmanager", protocol: jsonProtocol{version: "1.1"}, unknownOp: "UnknownOperationException",
		throttle: *errorf("ThrottlingException", "Rate exceeded"),
		ops:      map[string]handler{"CreateSecret": smCreateSecret, "GetSecretValue": smGetSecretValue},
	})
}

func secretsOf(c *call) *secretsState {
	return state(c.account, "secretsmanager/"+c.region, func() *secretsState { return &secretsState{secrets: map[string]*secret{}} })
}

func smCreateSecret(c *call) (doc, error) {
	name := str(c.in, "Name")
	if name == "" || len(name) > 512 {
		return nil, errorf("InvalidParameterException", "Name must be 1 to 512 characters.")
	}
	if !has(c.in, "SecretString") {
		return nil, errorf("InvalidRequestException", "You must provide either SecretString or SecretBinary.")
	}
	st := secretsOf(c)
	if _, ok := st.secrets[name]; ok {
		return nil, errorf("ResourceExistsException", "The operation failed because the secret %s already exists.", name)
	}
	sec := &secret{Name: name, Value: str(c.in, "SecretString"), Version: c.srv.uuid(), Created: c.srv.now(), Tags: tagList(c.in, "Tags"),
		ARN: secretARN(c, name)}
	st.secrets[name], st.suffix = sec, ""
	return doc{"ARN": sec.ARN, "Name": sec.Name, "VersionId": sec.Version}, nil
}

// secretARN is the ARN of the secret named name: its own, or the one it
// will have when created, the name followed by "-" and six random
// characters ("Secret ARN", Secrets Manager User Guide).
func secretARN(c *call, name string) string {
	st := secretsOf(c)
	if sec, ok := st.secrets[name]; ok {
		return sec.ARN
	}
	if st.suffix == "" {
		st.suffix = c.srv.newID(6)
	}
	return "arn:aws:secretsmanager:" + c.region + ":" + c.account.ID + ":secret:" + name + "-" + st.suffix
}

// findSecret resolves a SecretId, a name or a full or partial ARN, or
// returns nil.
func findSecret(st *secretsState, id string) *secret {
	if sec, ok := st.secrets[id]; ok {
		return sec
	}
	for _, s := range st.secrets {
		if s.ARN == id || strings.HasPrefix(s.ARN, id+"-") {
			return s
		}
	}
	return nil
}

func smGetSecretValue(c *call) (doc, error) {
	sec := findSecret(secretsOf(c), str(c.in, "SecretId"))
	if sec == nil {
		return nil, statusErrorf(http.StatusBadRequest, "ResourceNotFoundException", "Secrets Manager can't find the specified secret.")
	}
	return doc{"ARN": sec.ARN, "Name": sec.Name, "SecretString": sec.Value, "VersionId": sec.Version,
		"VersionStages": []any{"AWSCURRENT"}, "CreatedDate": sec.Created}, nil
}
