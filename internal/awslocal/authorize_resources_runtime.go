package awslocal

import "strings"

// The resources of the services landfall's own functions call at run time:
// the ledger table, the state machines and their executions, the functions
// the state machines invoke, and the chat webhook secrets. Resource types
// are those of the Service Authorization Reference ("Actions, resources,
// and condition keys for Amazon DynamoDB", "... for AWS Step Functions",
// "... for AWS Lambda", "... for AWS Secrets Manager").

// dynamoDBResources is the table a DynamoDB request names, or the index
// when a Query or Scan reads one. ListTables takes no resource.
func dynamoDBResources(c *call) ([]authResource, error) {
	if c.op == "ListTables" {
		return nil, nil
	}
	name := str(c.in, "TableName")
	if !ddbTableName.MatchString(name) {
		return nil, errNoSuchResource
	}
	arn := ddbTableARN(c, name)
	if index := str(c.in, "IndexName"); index != "" {
		arn += "/index/" + index
	}
	return []authResource{{ARN: arn, Owner: c.account.ID}}, nil
}

// stepFunctionsResources is the state machine (StartExecution,
// ListExecutions) or the execution (DescribeExecution) a request names, in
// the account its ARN names. ListStateMachines takes no resource.
func stepFunctionsResources(c *call) ([]authResource, error) {
	if c.op == "ListStateMachines" {
		return nil, nil
	}
	arn := str(c.in, "stateMachineArn")
	if arn == "" {
		arn = str(c.in, "executionArn")
	}
	if !strings.HasPrefix(arn, "arn:aws:states:") {
		return nil, errNoSuchResource // the operation answers InvalidArn
	}
	return []authResource{byARN(arn)}, nil
}

// lambdaResources is the function a Lambda request names (functionRefOf);
// a qualifier (in the name or as Qualifier) is part of the ARN, so a grant on the
// unqualified function does not cover it ("Resource-based policy elements
// for Lambda", Lambda Developer Guide). Functions have no resource-based
// policy here, so another account's function is never allowed.
// ListFunctions takes no resource.
func lambdaResources(c *call) ([]authResource, error) {
	if c.op == "ListFunctions" {
		return nil, nil
	}
	f, ok := functionRefOf(c)
	if !ok {
		return nil, errNoSuchResource
	}
	return []authResource{{ARN: f.arn(), Owner: f.account}}, nil
}

// secretsManagerResources is the secret a request names, with its tags: by
// name or by full or partial ARN. CreateSecret acts on the ARN the secret
// will have. A secret that does not exist is named by what the request
// says, so a grant on name-* (the documented pattern for the random
// suffix) does not reach it and the caller learns nothing of its absence.
func secretsManagerResources(c *call) ([]authResource, error) {
	if c.op == "CreateSecret" {
		return []authResource{{ARN: secretARN(c, str(c.in, "Name")), Owner: c.account.ID, Tags: tagList(c.in, "Tags")}}, nil
	}
	id := str(c.in, "SecretId")
	if id == "" {
		return nil, errNoSuchResource
	}
	if sec := findSecret(secretsOf(c), id); sec != nil {
		return []authResource{{ARN: sec.ARN, Owner: c.account.ID, Tags: sec.Tags}}, nil
	}
	if _, ok := parseARNParts(id); ok {
		return []authResource{byARN(id)}, nil
	}
	return []authResource{{ARN: "arn:aws:secretsmanager:" + c.region + ":" + c.account.ID + ":secret:" + id, Owner: c.account.ID}}, nil
}
