package awslocal

// CloudTrail (JSON 1.1, signing name "cloudtrail"). Trails live in their
// home region; a multi-region trail is also visible (as a shadow trail) from
// every other region but can be changed only from its home region.
// Operations and the CloudTrail API Reference pages followed
// (https://docs.aws.amazon.com/awscloudtrail/latest/APIReference/):
//
//	CreateTrail        API_CreateTrail.html
//	UpdateTrail        API_UpdateTrail.html
//	DeleteTrail        API_DeleteTrail.html
//	GetTrail           API_GetTrail.html
//	DescribeTrails     API_DescribeTrails.html
//	GetTrailStatus     API_GetTrailStatus.html
//	StartLogging       API_StartLogging.html
//	StopLogging        API_StopLogging.html
//	AddTags            API_AddTags.html
//	ListTags           API_ListTags.html
//	PutEventSelectors  API_PutEventSelectors.html
//	GetEventSelectors  API_GetEventSelectors.html
//
// Delivery to CloudWatch Logs follows "Sending events to CloudWatch Logs" in
// the CloudTrail User Guide (stream "<account>_CloudTrail_<region>").
//
// What CloudTrail must be allowed to do (the bucket policy, the key policy,
// the CloudWatch Logs role) is decided by the authorizer, see
// svc_cloudtrail_access.go.
//
// Known differences from AWS: without an Authorizer the bucket and key
// policies are not checked; SnsTopicName is stored, not checked; advanced event
// selectors and insight selectors are not supported; a shadow trail may be
// named by name as well as by ARN from another region; AddTags works from
// any region the trail is visible in; nothing is written to S3; records
// reach CloudWatch Logs only through RecordCloudTrailEvent.

import (
	"net/http"
	"regexp"
	"slices"
	"strings"
	"time"
)

type trailState struct {
	trails map[string]*trail // by home region + "/" + name
}

type trail struct {
	Name, HomeRegion, Bucket, KeyPrefix, SnsTopic string
	LogGroupARN, RoleARN, KmsKeyID                string
	IncludeGlobal, MultiRegion, Validation, Org   bool
	Tags                                          map[string]string
	Logging                                       bool
	Started, Stopped, LastDelivery                time.Time
	LastDeliveryError                             string // LatestCloudWatchLogsDeliveryError
	Selectors                                     []any  // nil until PutEventSelectors
}

func (t *trail) arn(account string) string { return trailARN(t.HomeRegion, account, t.Name) }

// trailARN is the ARN of the trail name of account, whose home is region.
func trailARN(region, account, name string) string {
	return "arn:aws:cloudtrail:" + region + ":" + account + ":trail/" + name
}

// visibleFrom reports whether the trail shows in a region's API.
func (t *trail) visibleFrom(region string) bool { return t.HomeRegion == region || t.MultiRegion }

func trailsOf(a *account) *trailState {
	return state(a, "cloudtrail", func() *trailState { return &trailState{trails: map[string]*trail{}} })
}

func registerCloudTrail(s *Server) {
	s.register(&service{
		name: "cloudtrail", protocol: jsonProtocol{version: "1.1"},
		throttle:  *statusErrorf(http.StatusBadRequest, "ThrottlingException", "Rate exceeded"),
		unknownOp: "UnknownOperationException",
		ops: map[string]handler{
			"CreateTrail": ctCreateTrail, "UpdateTrail": ctUpdateTrail, "DeleteTrail": ctDeleteTrail,
			"GetTrail": ctGetTrail, "DescribeTrails": ctDescribeTrails, "GetTrailStatus": ctGetTrailStatus,
			"StartLogging": ctStartLogging, "StopLogging": ctStopLogging,
			"AddTags": ctAddTags, "ListTags": ctListTags,
			"PutEventSelectors": ctPutEventSelectors, "GetEventSelectors": ctGetEventSelectors,
		},
	})
}

var (
	trailNameRE  = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]{1,126}[A-Za-z0-9]$`)
	trailIPLike  = regexp.MustCompile(`^\d+\.\d+\.\d+\.\d+$`)
	trailARNRE   = regexp.MustCompile(`^arn:aws:cloudtrail:([a-z0-9-]+):(\d{12}):trail/(.+)$`)
	logGroupARNs = regexp.MustCompile(`^arn:aws:logs:([a-z0-9-]+):(\d{12}):log-group:([^:]+)(:\*)?$`)
)

func validTrailName(n string) bool {
	return trailNameRE.MatchString(n) && !trailIPLike.MatchString(n) &&
		!strings.Contains(n, "..") && !strings.Contains(n, "._") && !strings.Contains(n, "_.") &&
		!strings.Contains(n, ".-") && !strings.Contains(n, "-.") && !strings.Contains(n, "--") &&
		!strings.Contains(n, "__") && !strings.Contains(n, "_-") && !strings.Contains(n, "-_")
}

// findTrail resolves a trail name or ARN as seen from the caller's region.
// For a write, the caller must be in the trail's home region.
func findTrail(c *call, id string, write bool) (*trail, error) {
	st := trailsOf(c.account)
	var t *trail
	if m := trailARNRE.FindStringSubmatch(id); m != nil {
		if m[2] == c.account.ID {
			t = st.trails[m[1]+"/"+m[3]]
		}
	} else if strings.HasPrefix(id, "arn:") {
		return nil, errorf("InvalidTrailNameException", "Trail name or ARN can only contain uppercase letters, lowercase letters, numbers, periods (.), hyphens (-), and underscores (_).")
	} else if t = st.trails[c.region+"/"+id]; t == nil {
		for _, k := range sortedKeys(st.trails) {
			if cand := st.trails[k]; cand.Name == id && cand.MultiRegion {
				t = cand
			}
		}
	}
	if t == nil || !t.visibleFrom(c.region) {
		return nil, errorf("TrailNotFoundException", "Unknown trail: %s for the user: %s", id, c.account.ID)
	}
	if write && t.HomeRegion != c.region {
		return nil, errorf("InvalidHomeRegionException", "This operation must be called from the trail's home region, %s.", t.HomeRegion)
	}
	return t, nil
}

func ctCreateTrail(c *call) (doc, error) {
	name := str(c.in, "Name")
	if !validTrailName(name) {
		return nil, errorf("InvalidTrailNameException", "Trail name must start with a letter or number, end with a letter or number, be 3-128 characters long and contain only letters, numbers, periods, underscores and dashes, without adjacent periods, underscores or dashes.")
	}
	st := trailsOf(c.account)
	multi := boolOr(c.in, "IsMultiRegionTrail", false)
	for _, t := range st.trails {
		if t.Name == name && (t.visibleFrom(c.region) || multi) {
			return nil, errorf("TrailAlreadyExistsException", "Trail %s already exists for customer: %s", name, c.account.ID)
		}
	}
	t := &trail{Name: name, HomeRegion: c.region, IncludeGlobal: true, MultiRegion: multi}
	if err := applyTrailSettings(c, t); err != nil {
		return nil, err
	}
	tags := tagList(c.in, "TagsList")
	if err := checkTrailTags(tags); err != nil {
		return nil, err
	}
	t.Tags = tags
	st.trails[c.region+"/"+name] = t
	return trailOut(c, t), nil
}

// applyTrailSettings copies the members the caller sent onto the trail and
// validates the result; members left out keep their value (UpdateTrail).
func applyTrailSettings(c *call, t *trail) error {
	next := *t
	for key, dst := range map[string]*string{
		"S3BucketName": &next.Bucket, "S3KeyPrefix": &next.KeyPrefix, "SnsTopicName": &next.SnsTopic,
		"CloudWatchLogsLogGroupArn": &next.LogGroupARN, "CloudWatchLogsRoleArn": &next.RoleARN, "KmsKeyId": &next.KmsKeyID,
	} {
		if has(c.in, key) {
			*dst = str(c.in, key)
		}
	}
	for key, dst := range map[string]*bool{
		"IncludeGlobalServiceEvents": &next.IncludeGlobal, "IsMultiRegionTrail": &next.MultiRegion,
		"EnableLogFileValidation": &next.Validation, "IsOrganizationTrail": &next.Org,
	} {
		if has(c.in, key) {
			*dst = boolOr(c.in, key, *dst)
		}
	}
	if err := checkTrailSettings(c, &next); err != nil {
		return err
	}
	if err := c.srv.trailAccessLocked(c.account.ID, c.region, &next); err != nil {
		return err
	}
	*t = next
	return nil
}

func checkTrailSettings(c *call, t *trail) error {
	switch {
	case t.Bucket == "":
		return errorf("InvalidS3BucketNameException", "S3 bucket name must be specified.")
	case !c.srv.trailBucketExists(t.Bucket):
		return errorf("S3BucketDoesNotExistException", "S3 bucket %s does not exist.", t.Bucket)
	case t.MultiRegion && !t.IncludeGlobal:
		return errorf("InvalidParameterCombinationException", "Multi-Region trail must include global service events.")
	case t.LogGroupARN != "" && t.RoleARN == "":
		return errorf("InvalidCloudWatchLogsRoleArnException", "You must specify a role ARN when you specify a CloudWatch Logs log group ARN.")
	case t.RoleARN != "" && t.LogGroupARN == "":
		return errorf("InvalidCloudWatchLogsLogGroupArnException", "You must specify a log group ARN when you specify a CloudWatch Logs role ARN.")
	case t.Org && c.account.ID != c.srv.opts.ManagementAccountID:
		return errorf("NotOrganizationMasterAccountException", "The request must be made from the organization's management account to create an organization trail.")
	}
	if t.LogGroupARN == "" {
		return nil
	}
	m := logGroupARNs.FindStringSubmatch(t.LogGroupARN)
	// The log group must be in the trail's account and home region.
	if m == nil || m[2] != c.account.ID || m[1] != t.HomeRegion || logsIn(c.account, m[1]).groups[m[3]] == nil {
		return errorf("InvalidCloudWatchLogsLogGroupArnException", "CloudTrail cannot validate the specified log group ARN: %s", t.LogGroupARN)
	}
	if _, err := c.srv.trailRoleLocked(t.RoleARN); err != nil || arnAccount(t.RoleARN) != c.account.ID {
		return invalidTrailRole(t.RoleARN)
	}
	return nil // whether CloudTrail may use the role, trailAccessLocked decides
}

// trailRoleLocked finds the CloudWatch Logs role a trail names.
func (s *Server) trailRoleLocked(roleARN string) (*iamRole, error) {
	if role := s.roleByARNLocked(roleARN); role != nil {
		return role, nil
	}
	return nil, invalidTrailRole(roleARN)
}

// invalidTrailRole is CloudTrail's answer for a role it cannot use.
func invalidTrailRole(roleARN string) error {
	return errorf("InvalidCloudWatchLogsRoleArnException", "Access denied. Verify in IAM that the role %s exists and can be assumed by cloudtrail.amazonaws.com.", roleARN)
}

// trailBucketExists checks CloudTrail's S3 bucket against the endpoint's S3
// state. Bucket names are global, so any account's bucket counts.
func (s *Server) trailBucketExists(bucket string) bool {
	for _, a := range s.accounts {
		if _, ok := s3Of(a).buckets[bucket]; ok {
			return true
		}
	}
	return false
}

func checkTrailTags(tags map[string]string) error {
	for k, v := range tags {
		if k == "" || len(k) > 128 || len(v) > 256 || strings.HasPrefix(k, "aws:") {
			return errorf("InvalidTagParameterException", "The tag key %q or its value is invalid.", k)
		}
	}
	if len(tags) > 50 {
		return errorf("TagsLimitExceededException", "The number of tags on the resource would exceed 50.")
	}
	return nil
}

func trailOut(c *call, t *trail) doc {
	out := doc{
		"Name": t.Name, "S3BucketName": t.Bucket, "IncludeGlobalServiceEvents": t.IncludeGlobal,
		"IsMultiRegionTrail": t.MultiRegion, "HomeRegion": t.HomeRegion, "TrailARN": t.arn(c.account.ID),
		"LogFileValidationEnabled": t.Validation, "HasCustomEventSelectors": t.Selectors != nil,
		"HasInsightSelectors": false, "IsOrganizationTrail": t.Org,
	}
	for key, v := range map[string]string{
		"S3KeyPrefix": t.KeyPrefix, "SnsTopicName": t.SnsTopic, "CloudWatchLogsLogGroupArn": t.LogGroupARN,
		"CloudWatchLogsRoleArn": t.RoleARN, "KmsKeyId": t.KmsKeyID,
	} {
		if v != "" {
			out[key] = v
		}
	}
	if t.SnsTopic != "" {
		out["SnsTopicARN"] = "arn:aws:sns:" + t.HomeRegion + ":" + c.account.ID + ":" + t.SnsTopic
	}
	return out
}

func ctUpdateTrail(c *call) (doc, error) {
	t, err := findTrail(c, str(c.in, "Name"), true)
	if err != nil {
		return nil, err
	}
	if err := applyTrailSettings(c, t); err != nil {
		return nil, err
	}
	return trailOut(c, t), nil
}

func ctDeleteTrail(c *call) (doc, error) {
	t, err := findTrail(c, str(c.in, "Name"), true)
	if err != nil {
		return nil, err
	}
	delete(trailsOf(c.account).trails, t.HomeRegion+"/"+t.Name)
	return doc{}, nil
}

func ctGetTrail(c *call) (doc, error) {
	t, err := findTrail(c, str(c.in, "Name"), false)
	if err != nil {
		return nil, err
	}
	return doc{"Trail": trailOut(c, t)}, nil
}

func ctDescribeTrails(c *call) (doc, error) {
	shadows := boolOr(c.in, "includeShadowTrails", true)
	var found []*trail
	if names := strs(c.in, "trailNameList"); len(names) > 0 {
		// Names that match no trail are left out rather than failing the call.
		for _, n := range names {
			if t, err := findTrail(c, n, false); err == nil && !slices.Contains(found, t) {
				found = append(found, t)
			}
		}
	} else {
		st := trailsOf(c.account)
		for _, k := range sortedKeys(st.trails) {
			if t := st.trails[k]; t.visibleFrom(c.region) {
				found = append(found, t)
			}
		}
	}
	var out []any
	for _, t := range found {
		if shadows || t.HomeRegion == c.region {
			out = append(out, trailOut(c, t))
		}
	}
	return doc{"trailList": append([]any{}, out...)}, nil
}

func ctGetTrailStatus(c *call) (doc, error) {
	t, err := findTrail(c, str(c.in, "Name"), false)
	if err != nil {
		return nil, err
	}
	out := doc{"IsLogging": t.Logging}
	if t.LastDeliveryError != "" {
		out["LatestCloudWatchLogsDeliveryError"] = t.LastDeliveryError
	}
	for key, v := range map[string]time.Time{"StartLoggingTime": t.Started, "StopLoggingTime": t.Stopped, "LatestCloudWatchLogsDeliveryTime": t.LastDelivery} {
		if !v.IsZero() {
			out[key] = v
		}
	}
	return out, nil
}

func setLogging(c *call, on bool) (doc, error) {
	t, err := findTrail(c, str(c.in, "Name"), true)
	if err != nil {
		return nil, err
	}
	if t.Logging != on {
		t.Logging = on
		if on {
			t.Started = c.srv.now()
		} else {
			t.Stopped = c.srv.now()
		}
	}
	return doc{}, nil
}

func ctStartLogging(c *call) (doc, error) { return setLogging(c, true) }
func ctStopLogging(c *call) (doc, error)  { return setLogging(c, false) }
