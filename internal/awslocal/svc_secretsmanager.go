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
// no rotation), SecretBinary is not supported, resource policies are not
// evaluated.

type secretsState struct{ secrets map[string]*secret } // by name

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
		ARN: "arn:aws:secretsmanager:" + c.region + ":" + c.account.ID + ":secret:" + name + "-" + c.srv.newID(6)}
	st.secrets[name] = sec
	return doc{"ARN": sec.ARN, "Name": sec.Name, "VersionId": sec.Version}, nil
}

func smGetSecretValue(c *call) (doc, error) {
	id := str(c.in, "SecretId")
	st := secretsOf(c)
	sec := st.secrets[id]
	for _, s := range st.secrets {
		if sec == nil && (s.ARN == id || strings.HasPrefix(s.ARN, id+"-")) {
			sec = s
		}
	}
	if sec == nil {
		return nil, statusErrorf(http.StatusBadRequest, "ResourceNotFoundException", "Secrets Manager can't find the specified secret.")
	}
	return doc{"ARN": sec.ARN, "Name": sec.Name, "SecretString": sec.Value, "VersionId": sec.Version,
		"VersionStages": []any{"AWSCURRENT"}, "CreatedDate": sec.Created}, nil
}
