package awslocal

import "maps"

// Whether AWS Config could deliver to a delivery channel's bucket, decided
// by the authorizer at PutDeliveryChannel (with Options.Authorizer; without
// one nothing is checked), following "Permissions for the Amazon S3 Bucket
// for the AWS Config Delivery Channel" and "Permissions for the IAM Role
// Assigned to AWS Config" (AWS Config Developer Guide):
//
//   - Config assumes the recorder's role, whose trust must admit
//     config.amazonaws.com with aws:SourceAccount, the key the guide's
//     trust policy reads; as that role's session it calls s3:GetBucketAcl
//     on the bucket and s3:PutObject on
//     [prefix/]AWSLogs/<account>/Config/ConfigWritabilityCheckFile with
//     s3:x-amz-acl bucket-owner-full-control, under the role's policies,
//     the account's SCPs and the bucket policy.
//   - Only for a bucket of another account, when the role may not, Config
//     tries again as config.amazonaws.com, which the bucket policy must
//     admit, with aws:SourceAccount (the Config guide's bucket policy) and
//     aws:SourceOrgID ("Amazon S3 bucket policy in the audit account",
//     Control Tower User Guide, whose bucket admits Config by it).
//
// Otherwise PutDeliveryChannel fails with InsufficientDeliveryPolicyException.
// The guide's bucket policy also grants s3:ListBucket (Config's HeadBucket),
// but the role policy it gives for a bucket of the account does not, so
// the endpoint asks for what both require. A KMS key for the objects
// (s3KmsKeyArn) is not checked. Nothing is delivered later, so the check
// is made once.

const configPrincipal = "config.amazonaws.com"

// configDeliveryAccessLocked checks that Config, for account, could write
// to bucket under prefix with the recorder's role roleARN.
func (s *Server) configDeliveryAccessLocked(account, roleARN string, b *s3Bucket, prefix string) error {
	if s.opts.Authorizer == nil {
		return nil
	}
	key := "AWSLogs/" + account + "/Config/ConfigWritabilityCheckFile"
	if prefix != "" {
		key = prefix + "/" + key
	}
	bucket := authResource{ARN: "arn:aws:s3:::" + b.Name, Owner: b.Owner, Policy: b.Policy}
	object := authResource{ARN: bucket.ARN + "/" + key, Owner: b.Owner, Policy: b.Policy}
	source := map[string][]string{"aws:SourceAccount": {account}}

	allowed, err := s.configRoleMayWriteLocked(roleARN, b, bucket, object, source)
	if err != nil {
		return err
	}
	if !allowed && b.Owner != account {
		ctx := maps.Clone(source)
		ctx["aws:SecureTransport"] = []string{"true"}
		if org := s.orgIDOf(account); org != "" {
			ctx["aws:SourceOrgID"] = []string{org}
		}
		allowed = s.serviceAllowedLocked(configPrincipal, "s3:GetBucketAcl", bucket, ctx)
		ctx["s3:x-amz-acl"] = []string{"bucket-owner-full-control"}
		allowed = allowed && s.serviceAllowedLocked(configPrincipal, "s3:PutObject", object, ctx)
	}
	if !allowed {
		p := "null"
		if prefix != "" {
			p = "'" + prefix + "'"
		}
		return errorf("InsufficientDeliveryPolicyException",
			"Insufficient delivery policy to s3 bucket: %s, unable to write to bucket, provided s3 key prefix is %s, provided kms key is 'null'.", b.Name, p)
	}
	return nil
}

// configRoleMayWriteLocked reports whether Config can assume the recorder's
// role and, as its session, write the check file. An error is the
// endpoint's failure to decide.
func (s *Server) configRoleMayWriteLocked(roleARN string, b *s3Bucket, bucket, object authResource, source map[string][]string) (bool, error) {
	role := s.roleByARNLocked(roleARN)
	if role == nil || !s.serviceMayAssumeLocked(configPrincipal, roleARN, role, source) {
		return false, nil
	}
	keys := map[string][]string{"aws:RequestedRegion": {b.Region}, "aws:SecureTransport": {"true"}}
	return s.roleSessionMayLocked(roleARN, role, "AWSConfig-BucketConfigCheck", keys,
		sessionStep{action: "s3:GetBucketAcl", on: bucket},
		sessionStep{action: "s3:PutObject", on: object, keys: map[string][]string{"s3:x-amz-acl": {"bucket-owner-full-control"}}})
}
