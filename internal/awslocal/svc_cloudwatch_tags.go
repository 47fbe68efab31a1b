package awslocal

// CloudWatch alarm tags: TagResource and ListTagsForResource. See the header
// of svc_cloudwatch.go for the documentation followed.

import (
	"net/http"
	"strings"
)

func checkCWTags(tags map[string]string) error {
	for k, v := range tags {
		if k == "" || len(k) > 128 || len(v) > 256 || strings.HasPrefix(k, "aws:") {
			return cwInvalidValue("The tag key %q or its value is invalid.", k)
		}
	}
	if len(tags) > 50 {
		return cwInvalidValue("A resource can have at most 50 tags.")
	}
	return nil
}

// resourceAlarm resolves a tagging ARN to an alarm of the caller.
func resourceAlarm(c *call) (*metricAlarm, error) {
	arn := str(c.in, "ResourceARN")
	name, ok := strings.CutPrefix(arn, "arn:aws:cloudwatch:"+c.region+":"+c.account.ID+":alarm:")
	if !ok && !strings.HasPrefix(arn, "arn:aws:cloudwatch:") {
		return nil, cwInvalidValue("The value %s for parameter ResourceARN is invalid.", arn)
	}
	al, found := cwOf(c).alarms[name]
	if !ok || !found {
		return nil, cwError(http.StatusNotFound, "ResourceNotFoundException", "ResourceNotFoundException", "The specified resource %s does not exist.", arn)
	}
	return al, nil
}

func cwTagResource(c *call) (doc, error) {
	al, err := resourceAlarm(c)
	if err != nil {
		return nil, err
	}
	merged := map[string]string{}
	for _, m := range []map[string]string{al.Tags, tagList(c.in, "Tags")} {
		for k, v := range m {
			merged[k] = v
		}
	}
	if err := checkCWTags(merged); err != nil {
		return nil, err
	}
	al.Tags = merged
	return doc{}, nil
}

func cwListTagsForResource(c *call) (doc, error) {
	al, err := resourceAlarm(c)
	if err != nil {
		return nil, err
	}
	return doc{"Tags": tagsOut(al.Tags)}, nil
}
