package awslocal

import (
	"maps"
	"strings"
)

// What CloudTrail must be allowed to do for a trail, decided by the
// authorizer (with Options.Authorizer; without one nothing is checked).
// CreateTrail and UpdateTrail check it as AWS does, and delivery to
// CloudWatch Logs checks it again each time, as the role's policies may
// have changed:
//
//   - the bucket policy lets cloudtrail.amazonaws.com call s3:GetBucketAcl
//     on the bucket and s3:PutObject on the trail's log file keys,
//     <prefix>/AWSLogs/<account>/... and for an organization trail also
//     <prefix>/AWSLogs/<organization>/<account>/..., with s3:x-amz-acl
//     bucket-owner-full-control ("Amazon S3 bucket policy for CloudTrail",
//     CloudTrail User Guide), else InsufficientS3BucketPolicyException;
//   - the trail's KMS key lets it call kms:GenerateDataKey with the
//     encryption context aws:cloudtrail:arn ("Configure AWS KMS key
//     policies for CloudTrail"), else InsufficientEncryptionPolicyException;
//   - the CloudWatch Logs role trusts cloudtrail.amazonaws.com, else
//     InvalidCloudWatchLogsRoleArnException "Access denied. Check the trust
//     relationships for your role.", and its session may call
//     logs:CreateLogStream and logs:PutLogEvents on the trail's stream
//     ("Sending events to CloudWatch Logs"), under the account's SCPs,
//     else InvalidCloudWatchLogsLogGroupArnException "Access denied. Check
//     the permissions for your role.". The API reference describes both
//     exceptions only as an invalid ARN; which one answers which failure,
//     and the wording, are AWS's answers as users report them
//     (aws/aws-cli#5098, aws/aws-cdk#1963,
//     cloudposse/terraform-aws-cloudtrail-cloudwatch-alarms#2).
//
// CloudTrail sends aws:SourceArn (the trail) and aws:SourceAccount to the
// bucket and the key (the same guides' confused-deputy sections), and
// aws:SourceOrgID to the bucket ("Amazon S3 bucket policy in the audit
// account", Control Tower User Guide, whose bucket admits CloudTrail by
// it). Nothing is documented for the role's trust, so nothing is sent.
//
// Known difference: CloudTrail's encryption context reaches the key as
// kms:EncryptionContext:aws:cloudtrail:arn, but iam-simulate (0.1.173)
// matches a variable condition key only after a "/", so a key policy
// conditioned on it refuses here; landfall's trail key is conditioned on
// aws:SourceArn, which AWS documents for the same purpose.

const cloudTrailPrincipal = "cloudtrail.amazonaws.com"

// trailAccessLocked checks, for CreateTrail and UpdateTrail in account and
// region, that CloudTrail could deliver what t asks for.
func (s *Server) trailAccessLocked(account, region string, t *trail) error {
	if s.opts.Authorizer == nil {
		return nil
	}
	arn := t.arn(account)
	source := map[string][]string{"aws:SourceArn": {arn}, "aws:SourceAccount": {account}}
	if b := s.findBucket(t.Bucket); b != nil {
		if err := s.trailBucketAccessLocked(account, region, t, b, source); err != nil {
			return err
		}
	}
	if t.KmsKeyID != "" {
		k := s.kmsKeyLocked(account, region, t.KmsKeyID)
		if k == nil {
			return errorf("KmsKeyNotFoundException", "KMS key %s not found.", t.KmsKeyID)
		}
		ctx := maps.Clone(source)
		ctx["kms:EncryptionContext:aws:cloudtrail:arn"] = []string{arn}
		if !s.serviceAllowedLocked(cloudTrailPrincipal, "kms:GenerateDataKey", authResource{ARN: k.ARN, Owner: k.Account, Policy: k.Policy}, ctx) {
			return errorf("InsufficientEncryptionPolicyException", "Insufficient permissions to access S3 bucket %s or KMS key %s.", t.Bucket, k.ARN)
		}
	}
	if t.RoleARN == "" {
		return nil
	}
	return s.trailLogsAccessLocked(account, region, t)
}

// trailBucketAccessLocked checks the bucket policy of b for the trail's
// log files, and asks with the key of a log file CloudTrail would write now.
func (s *Server) trailBucketAccessLocked(account, region string, t *trail, b *s3Bucket, source map[string][]string) error {
	ctx := maps.Clone(source)
	if org := s.orgIDOf(account); org != "" {
		ctx["aws:SourceOrgID"] = []string{org}
	}
	insufficient := errorf("InsufficientS3BucketPolicyException", "Incorrect S3 bucket policy is detected for bucket: %s", b.Name)
	bucket := authResource{ARN: "arn:aws:s3:::" + b.Name, Owner: b.Owner, Policy: b.Policy}
	if !s.serviceAllowedLocked(cloudTrailPrincipal, "s3:GetBucketAcl", bucket, ctx) {
		return insufficient
	}
	ctx["s3:x-amz-acl"] = []string{"bucket-owner-full-control"}
	prefix := "AWSLogs/"
	if t.KeyPrefix != "" {
		prefix = strings.TrimSuffix(t.KeyPrefix, "/") + "/AWSLogs/"
	}
	now := s.now().UTC()
	file := account + "/CloudTrail/" + region + "/" + now.Format("2006/01/02") + "/" +
		account + "_CloudTrail_" + region + "_" + now.Format("20060102T1504Z") + "_" + s.newID(16) + ".json.gz"
	keys := []string{prefix + file}
	if t.Org {
		keys = append(keys, prefix+s.orgIDOf(account)+"/"+file)
	}
	for _, key := range keys {
		object := authResource{ARN: bucket.ARN + "/" + key, Owner: b.Owner, Policy: b.Policy}
		if !s.serviceAllowedLocked(cloudTrailPrincipal, "s3:PutObject", object, ctx) {
			return insufficient
		}
	}
	return nil
}

// trailLogsAccessLocked checks that CloudTrail can assume the trail's role
// and, as that role's session, write the log stream of region's events.
func (s *Server) trailLogsAccessLocked(account, region string, t *trail) error {
	role, err := s.trailRoleLocked(t.RoleARN)
	if err != nil {
		return err
	}
	if !s.serviceMayAssumeLocked(cloudTrailPrincipal, t.RoleARN, role, nil) {
		return errorf("InvalidCloudWatchLogsRoleArnException", "Access denied. Check the trust relationships for your role.")
	}
	m := logGroupARNs.FindStringSubmatch(t.LogGroupARN)
	if m == nil {
		return errorf("InvalidCloudWatchLogsLogGroupArnException", "CloudTrail cannot validate the specified log group ARN: %s", t.LogGroupARN)
	}
	stream := authResource{ARN: logGroupARN(m[2], m[1], m[3]) + ":log-stream:" + trailStreamName(account, region), Owner: m[2]}
	ok, err := s.roleSessionMayLocked(t.RoleARN, role, "CloudTrail", map[string][]string{"aws:RequestedRegion": {m[1]}},
		sessionStep{action: "logs:CreateLogStream", on: stream}, sessionStep{action: "logs:PutLogEvents", on: stream})
	if err != nil {
		return err
	}
	if !ok {
		return errorf("InvalidCloudWatchLogsLogGroupArnException", "Access denied. Check the permissions for your role.")
	}
	return nil
}

// trailStreamName is the stream CloudTrail writes a region's events to
// ("Sending events to CloudWatch Logs").
func trailStreamName(account, region string) string { return account + "_CloudTrail_" + region }
