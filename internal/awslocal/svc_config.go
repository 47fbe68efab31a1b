package awslocal

import (
	"regexp"
	"slices"
	"strings"
	"time"
)

// AWS Config (JSON 1.1), following the AWS Config API Reference
// (https://docs.aws.amazon.com/config/latest/APIReference/):
//
//	PutConfigurationRecorder, DeleteConfigurationRecorder  API_PutConfigurationRecorder.html, API_DeleteConfigurationRecorder.html
//	DescribeConfigurationRecorders                         API_DescribeConfigurationRecorders.html
//	DescribeConfigurationRecorderStatus                    API_DescribeConfigurationRecorderStatus.html
//	StartConfigurationRecorder, StopConfigurationRecorder  API_StartConfigurationRecorder.html, API_StopConfigurationRecorder.html
//	PutDeliveryChannel, DescribeDeliveryChannels,          API_PutDeliveryChannel.html, API_DescribeDeliveryChannels.html,
//	DeleteDeliveryChannel                                  API_DeleteDeliveryChannel.html
//
// One customer-managed recorder and one delivery channel per account and
// region. The recorder's role must exist in the endpoint's IAM state and the
// channel's bucket in its S3 state (Server.findBucket, from svc_s3.go).
// With an authorizer, PutDeliveryChannel checks that Config could write to
// the bucket (svc_config_access.go). Known differences from AWS: nothing is
// recorded or delivered (lastStatus goes straight to Success); without an
// authorizer the role's trust and permissions and the bucket's policy are
// not checked; service-linked recorders, Tags on PutConfigurationRecorder
// and the recordingScope are not modelled.

type cfgState struct {
	recorder   *cfgRecorder
	channel    doc    // the stored DeliveryChannel, nil when none
	recorderID string // the id in the recorder's ARN, minted once, kept across re-creation
}

type cfgRecorder struct {
	def                          doc // name, roleARN, recordingGroup, recordingMode as given
	recording                    bool
	lastStart, lastStop, changed time.Time
}

func registerConfig(s *Server) {
	s.register(&service{
		name: "config", protocol: jsonProtocol{version: "1.1"}, unknownOp: "UnknownOperationException",
		throttle: *errorf("ThrottlingException", "Rate exceeded"),
		ops: map[string]handler{
			"PutConfigurationRecorder": cfgPutRecorder, "DescribeConfigurationRecorders": cfgDescribeRecorders,
			"DescribeConfigurationRecorderStatus": cfgDescribeRecorderStatus,
			"StartConfigurationRecorder":          cfgStartRecorder, "StopConfigurationRecorder": cfgStopRecorder,
			"DeleteConfigurationRecorder": cfgDeleteRecorder,
			"PutDeliveryChannel":          cfgPutDeliveryChannel, "DescribeDeliveryChannels": cfgDescribeDeliveryChannels,
			"DeleteDeliveryChannel": cfgDeleteDeliveryChannel,
		},
	})
}

func cfgOf(c *call) *cfgState {
	return state(c.account, "config/"+c.region, func() *cfgState { return &cfgState{} })
}

// cfgRecorderNamed finds the recorder by name, or answers
// NoSuchConfigurationRecorderException.
func cfgRecorderNamed(c *call, name string) (*cfgRecorder, error) {
	r := cfgOf(c).recorder
	if r == nil || str(r.def, "name") != name {
		return nil, errorf("NoSuchConfigurationRecorderException", "Cannot find configuration recorder with the specified name '%s'.", name)
	}
	return r, nil
}

func cfgPutRecorder(c *call) (doc, error) {
	in := obj(c.in, "ConfigurationRecorder")
	if in == nil {
		return nil, errorf("ValidationException", "1 validation error detected: Value null at 'configurationRecorder' failed to satisfy constraint: Member must not be null")
	}
	name := strOr(in, "name", "default")
	if len(name) > 256 || strings.TrimSpace(name) == "" {
		return nil, errorf("InvalidConfigurationRecorderNameException", "The configuration recorder name '%s' is not valid.", name)
	}
	if c.srv.roleByARNLocked(str(in, "roleARN")) == nil {
		return nil, errorf("InvalidRoleException", "The role ARN '%s' is not valid or does not exist.", str(in, "roleARN"))
	}
	if g := obj(in, "recordingGroup"); g != nil {
		all, global := boolOr(g, "allSupported", false), boolOr(g, "includeGlobalResourceTypes", false)
		switch {
		case all && len(strs(g, "resourceTypes")) > 0:
			return nil, errorf("InvalidRecordingGroupException", "The recording group provided is not valid: resourceTypes must be empty when allSupported is true.")
		case global && !all:
			return nil, errorf("InvalidRecordingGroupException", "The recording group provided is not valid: includeGlobalResourceTypes requires allSupported to be true.")
		case !all && len(strs(g, "resourceTypes")) == 0 && obj(g, "exclusionByResourceTypes") == nil:
			return nil, errorf("InvalidRecordingGroupException", "The recording group provided is not valid: choose allSupported, resourceTypes or exclusionByResourceTypes.")
		}
	}
	st := cfgOf(c)
	if st.recorder != nil && str(st.recorder.def, "name") != name {
		return nil, errorf("MaxNumberOfConfigurationRecordersExceededException", "Failed to put configuration recorder '%s' because the maximum number of configuration recorders: 1 is reached.", name)
	}
	def := copyDoc(in)
	def["name"] = name
	if _, ok := def["recordingGroup"]; !ok {
		def["recordingGroup"] = doc{"allSupported": true, "includeGlobalResourceTypes": false, "resourceTypes": []any{}}
	}
	if st.recorder == nil {
		st.recorder = &cfgRecorder{}
	}
	st.recorder.def = def
	return doc{}, nil
}

func (r *cfgRecorder) out(c *call) doc {
	d := copyDoc(r.def)
	d["arn"] = cfgRecorderARN(c, str(r.def, "name"))
	return d
}

// cfgRecorderARN is the ARN of the region's recorder named name. Its id is
// known before the recorder exists, so a request to create it can be
// authorized on the ARN it will have.
func cfgRecorderARN(c *call, name string) string {
	st := cfgOf(c)
	if st.recorderID == "" {
		st.recorderID = c.srv.newID(8)
	}
	return "arn:aws:config:" + c.region + ":" + c.account.ID + ":configuration-recorder/" + name + "/" + st.recorderID
}

// cfgSelected applies a Describe* name filter; AWS fails on names it does
// not know.
func cfgSelected(c *call, names []string) (*cfgRecorder, error) {
	r := cfgOf(c).recorder
	for _, n := range names {
		if _, err := cfgRecorderNamed(c, n); err != nil {
			return nil, err
		}
	}
	return r, nil
}

func cfgDescribeRecorders(c *call) (doc, error) {
	r, err := cfgSelected(c, strs(c.in, "ConfigurationRecorderNames"))
	if err != nil {
		return nil, err
	}
	out := []any{}
	if r != nil {
		out = append(out, r.out(c))
	}
	return doc{"ConfigurationRecorders": out}, nil
}

func cfgDescribeRecorderStatus(c *call) (doc, error) {
	r, err := cfgSelected(c, strs(c.in, "ConfigurationRecorderNames"))
	if err != nil {
		return nil, err
	}
	out := []any{}
	if r != nil {
		st := doc{"name": str(r.def, "name"), "arn": r.out(c)["arn"], "recording": r.recording, "lastStatus": "Pending"}
		if !r.lastStart.IsZero() {
			st["lastStartTime"], st["lastStatus"], st["lastStatusChangeTime"] = r.lastStart, "Success", r.changed
		}
		if !r.lastStop.IsZero() {
			st["lastStopTime"] = r.lastStop
		}
		out = append(out, st)
	}
	return doc{"ConfigurationRecordersStatus": out}, nil
}

func cfgStartRecorder(c *call) (doc, error) {
	r, err := cfgRecorderNamed(c, str(c.in, "ConfigurationRecorderName"))
	if err != nil {
		return nil, err
	}
	if cfgOf(c).channel == nil {
		return nil, errorf("NoAvailableDeliveryChannelException", "Delivery channel is not available to start configuration recorder.")
	}
	if !r.recording {
		r.recording, r.lastStart, r.changed = true, c.srv.now(), c.srv.now()
	}
	return doc{}, nil
}

func cfgStopRecorder(c *call) (doc, error) {
	r, err := cfgRecorderNamed(c, str(c.in, "ConfigurationRecorderName"))
	if err != nil {
		return nil, err
	}
	if r.recording {
		r.recording, r.lastStop, r.changed = false, c.srv.now(), c.srv.now()
	}
	return doc{}, nil
}

func cfgDeleteRecorder(c *call) (doc, error) {
	if _, err := cfgRecorderNamed(c, str(c.in, "ConfigurationRecorderName")); err != nil {
		return nil, err
	}
	cfgOf(c).recorder = nil
	return doc{}, nil
}

var cfgFrequencies = []string{"One_Hour", "Three_Hours", "Six_Hours", "Twelve_Hours", "TwentyFour_Hours"}

var cfgTopicARN = regexp.MustCompile(`^arn:aws:sns:[a-z0-9-]+:\d{12}:[\w-]{1,256}$`)

func cfgPutDeliveryChannel(c *call) (doc, error) {
	in := obj(c.in, "DeliveryChannel")
	if in == nil {
		return nil, errorf("ValidationException", "1 validation error detected: Value null at 'deliveryChannel' failed to satisfy constraint: Member must not be null")
	}
	st := cfgOf(c)
	name := strOr(in, "name", "default")
	if len(name) > 256 || strings.TrimSpace(name) == "" {
		return nil, errorf("InvalidDeliveryChannelNameException", "The delivery channel name '%s' is not valid.", name)
	}
	if st.recorder == nil {
		return nil, errorf("NoAvailableConfigurationRecorderException", "Configuration recorder is not available to put delivery channel.")
	}
	if st.channel != nil && str(st.channel, "name") != name {
		return nil, errorf("MaxNumberOfDeliveryChannelsExceededException", "Failed to put delivery channel '%s' because the maximum number of delivery channels: 1 is reached.", name)
	}
	bucket := str(in, "s3BucketName")
	if bucket == "" {
		return nil, errorf("NoSuchBucketException", "Cannot find a S3 bucket with an empty bucket name.")
	}
	b := c.srv.findBucket(bucket)
	if b == nil {
		return nil, errorf("NoSuchBucketException", "Cannot find a S3 bucket with the name '%s'.", bucket)
	}
	prefix := str(in, "s3KeyPrefix")
	if strings.Contains(prefix, "AWSLogs") || strings.HasPrefix(prefix, "/") || strings.HasSuffix(prefix, "/") {
		return nil, errorf("InvalidS3KeyPrefixException", "The s3 key prefix '%s' is not valid, empty s3 key prefix or s3 key prefix with 'AWSLogs' is not allowed.", prefix)
	}
	if t := str(in, "snsTopicARN"); t != "" && !cfgTopicARN.MatchString(t) {
		return nil, errorf("InvalidSNSTopicARNException", "The sns topic arn '%s' is not valid.", t)
	}
	if f := str(obj(in, "configSnapshotDeliveryProperties"), "deliveryFrequency"); f != "" && !slices.Contains(cfgFrequencies, f) {
		return nil, errorf("ValidationException", "1 validation error detected: Value '%s' at 'deliveryChannel.configSnapshotDeliveryProperties.deliveryFrequency' failed to satisfy constraint: Member must satisfy enum value set: %v", f, cfgFrequencies)
	}
	if err := c.srv.configDeliveryAccessLocked(c.account.ID, str(st.recorder.def, "roleARN"), b, prefix); err != nil {
		return nil, err
	}
	ch := copyDoc(in)
	ch["name"] = name
	st.channel = ch
	return doc{}, nil
}

func cfgDescribeDeliveryChannels(c *call) (doc, error) {
	ch := cfgOf(c).channel
	for _, n := range strs(c.in, "DeliveryChannelNames") {
		if ch == nil || str(ch, "name") != n {
			return nil, errorf("NoSuchDeliveryChannelException", "Cannot find delivery channel with specified name '%s'.", n)
		}
	}
	out := []any{}
	if ch != nil {
		out = append(out, ch)
	}
	return doc{"DeliveryChannels": out}, nil
}

func cfgDeleteDeliveryChannel(c *call) (doc, error) {
	st := cfgOf(c)
	name := str(c.in, "DeliveryChannelName")
	if st.channel == nil || str(st.channel, "name") != name {
		return nil, errorf("NoSuchDeliveryChannelException", "Cannot find delivery channel with specified name '%s'.", name)
	}
	if st.recorder != nil && st.recorder.recording {
		return nil, errorf("LastDeliveryChannelDeleteFailedException", "Failed to delete last specified delivery channel with name '%s', because there is a running configuration recorder.", name)
	}
	st.channel = nil
	return doc{}, nil
}
