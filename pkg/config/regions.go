package config

import "slices"

// commercialRegions are the regions of the commercial "aws" partition, sorted.
// landfall does not support the China, GovCloud or ISO partitions, whose ARNs,
// endpoints and services differ. Taken from the partitions.json of
// aws-sdk-go-v2 v1.47.7; add a region here when AWS launches one.
var commercialRegions = []string{
	"af-south-1",
	"ap-east-1", "ap-east-2",
	"ap-northeast-1", "ap-northeast-2", "ap-northeast-3",
	"ap-south-1", "ap-south-2",
	"ap-southeast-1", "ap-southeast-2", "ap-southeast-3", "ap-southeast-4",
	"ap-southeast-5", "ap-southeast-6", "ap-southeast-7",
	"ca-central-1", "ca-west-1",
	"eu-central-1", "eu-central-2",
	"eu-north-1",
	"eu-south-1", "eu-south-2",
	"eu-west-1", "eu-west-2", "eu-west-3",
	"il-central-1",
	"me-central-1", "me-south-1",
	"mx-central-1",
	"sa-east-1",
	"us-east-1", "us-east-2",
	"us-west-1", "us-west-2",
}

// CommercialRegions returns the region codes the config accepts, sorted.
func CommercialRegions() []string { return slices.Clone(commercialRegions) }
