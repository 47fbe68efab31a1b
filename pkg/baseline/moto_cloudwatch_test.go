//go:build moto

package baseline

import (
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch/schemas"
	"github.com/aws/smithy-go"
	"github.com/aws/smithy-go/middleware"
	smithyhttp "github.com/aws/smithy-go/transport/http"
	"github.com/aws/smithy-go/transport/http/protocol/awsjson"
)

// The CloudWatch client speaks Smithy RPC v2 CBOR, which moto 5.2.1 does
// not answer; CloudWatch also answers AWS JSON 1.0 ("FAQs on CloudWatch
// supported protocols", CloudWatch User Guide), and so does moto. The
// product builds its clients with cloudwatch.NewFromConfig and no options,
// so the switch is made where the test owns the aws.Config: an API option
// that replaces the CloudWatch operations' serializer and deserializer with
// the SDK's own AWS JSON 1.0 protocol over the same operation schemas.

// cloudWatchOverJSON is an aws.Config API option: every CloudWatch call
// made with the config speaks AWS JSON 1.0; other services are untouched.
func cloudWatchOverJSON(stack *middleware.Stack) error {
	ser, ok := stack.Serialize.Get("OperationSerializer")
	if !ok {
		return nil
	}
	de, ok := stack.Deserialize.Get("OperationDeserializer")
	if !ok {
		return fmt.Errorf("stack has an OperationSerializer but no OperationDeserializer")
	}
	if _, err := stack.Serialize.Swap("OperationSerializer", jsonSerializer{cbor: ser}); err != nil {
		return err
	}
	_, err := stack.Deserialize.Swap("OperationDeserializer", jsonDeserializer{cbor: de})
	return err
}

var cloudWatchJSON = awsjson.New10(schemas.GraniteServiceVersion20100801)

// cloudWatchOperation is what the JSON protocol needs of one operation: its
// schema and a fresh output value.
type cloudWatchOperation struct {
	schema *smithy.OperationSchema
	output func() smithy.Deserializable
}

// cloudWatchOperations are the CloudWatch operations the product calls.
var cloudWatchOperations = map[string]cloudWatchOperation{
	"DeleteAlarms": {smithy.NewOperationSchema(schemas.DeleteAlarms, schemas.DeleteAlarmsInput, nil),
		func() smithy.Deserializable { return &cloudwatch.DeleteAlarmsOutput{} }},
	"DescribeAlarms": {smithy.NewOperationSchema(schemas.DescribeAlarms, schemas.DescribeAlarmsInput, schemas.DescribeAlarmsOutput),
		func() smithy.Deserializable { return &cloudwatch.DescribeAlarmsOutput{} }},
	"DisableAlarmActions": {smithy.NewOperationSchema(schemas.DisableAlarmActions, schemas.DisableAlarmActionsInput, nil),
		func() smithy.Deserializable { return &cloudwatch.DisableAlarmActionsOutput{} }},
	"ListTagsForResource": {smithy.NewOperationSchema(schemas.ListTagsForResource, schemas.ListTagsForResourceInput, schemas.ListTagsForResourceOutput),
		func() smithy.Deserializable { return &cloudwatch.ListTagsForResourceOutput{} }},
	"PutMetricAlarm": {smithy.NewOperationSchema(schemas.PutMetricAlarm, schemas.PutMetricAlarmInput, nil),
		func() smithy.Deserializable { return &cloudwatch.PutMetricAlarmOutput{} }},
	"SetAlarmState": {smithy.NewOperationSchema(schemas.SetAlarmState, schemas.SetAlarmStateInput, nil),
		func() smithy.Deserializable { return &cloudwatch.SetAlarmStateOutput{} }},
	"TagResource": {smithy.NewOperationSchema(schemas.TagResource, schemas.TagResourceInput, schemas.TagResourceOutput),
		func() smithy.Deserializable { return &cloudwatch.TagResourceOutput{} }},
}

// cloudWatchCall finds the operation of a CloudWatch call; it is nil for
// other services.
func cloudWatchCall(ctx context.Context) (*cloudWatchOperation, error) {
	if middleware.GetServiceID(ctx) != "CloudWatch" {
		return nil, nil
	}
	name := middleware.GetOperationName(ctx)
	op, ok := cloudWatchOperations[name]
	if !ok {
		return nil, fmt.Errorf("CloudWatch %s cannot be sent to moto: add it to cloudWatchOperations", name)
	}
	return &op, nil
}

type jsonSerializer struct {
	cbor middleware.SerializeMiddleware
}

func (jsonSerializer) ID() string { return "OperationSerializer" }

func (m jsonSerializer) HandleSerialize(ctx context.Context, in middleware.SerializeInput, next middleware.SerializeHandler) (middleware.SerializeOutput, middleware.Metadata, error) {
	op, err := cloudWatchCall(ctx)
	if err != nil {
		return middleware.SerializeOutput{}, middleware.Metadata{}, err
	}
	if op == nil {
		return m.cbor.HandleSerialize(ctx, in, next)
	}
	req, ok := in.Request.(*smithyhttp.Request)
	if !ok {
		return middleware.SerializeOutput{}, middleware.Metadata{}, fmt.Errorf("unexpected transport type %T", in.Request)
	}
	input, ok := in.Parameters.(smithy.Serializable)
	if !ok {
		return middleware.SerializeOutput{}, middleware.Metadata{}, fmt.Errorf("input %T is not Serializable", in.Parameters)
	}
	if err := cloudWatchJSON.SerializeRequest(ctx, op.schema, input, req); err != nil {
		return middleware.SerializeOutput{}, middleware.Metadata{}, err
	}
	return next.HandleSerialize(ctx, in)
}

type jsonDeserializer struct {
	cbor middleware.DeserializeMiddleware
}

func (jsonDeserializer) ID() string { return "OperationDeserializer" }

func (m jsonDeserializer) HandleDeserialize(ctx context.Context, in middleware.DeserializeInput, next middleware.DeserializeHandler) (middleware.DeserializeOutput, middleware.Metadata, error) {
	op, err := cloudWatchCall(ctx)
	if err != nil {
		return middleware.DeserializeOutput{}, middleware.Metadata{}, err
	}
	if op == nil {
		return m.cbor.HandleDeserialize(ctx, in, next)
	}
	out, md, err := next.HandleDeserialize(ctx, in)
	resp, ok := out.RawResponse.(*smithyhttp.Response)
	if !ok {
		if err != nil {
			return out, md, err
		}
		return out, md, fmt.Errorf("unexpected transport type %T", out.RawResponse)
	}
	defer func() { smithyhttp.CloseResponseBody(ctx, resp, false, err) }()
	if err != nil {
		return out, md, err
	}
	result := op.output()
	err = cloudWatchJSON.DeserializeResponse(ctx, op.schema, cloudwatch.TypeRegistry, resp, result)
	out.Result = result
	return out, md, err
}
