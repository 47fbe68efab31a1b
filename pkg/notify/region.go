package notify

import (
	"net/url"
	"strings"
)

// regionCode returns the region code for a region as CloudWatch alarm
// notifications spell it ("US East (N. Virginia)"). Codes pass through
// unchanged. Older notifications used "EU (Ireland)" and "US - N. Virginia";
// those spellings are accepted too. It returns "" when the name is unknown.
func regionCode(name string) string {
	n := strings.ToLower(strings.TrimSpace(name))
	n = strings.ReplaceAll(n, "ã", "a")
	if looksLikeRegionCode(n) {
		return n
	}
	if rest, ok := strings.CutPrefix(n, "eu - "); ok {
		n = "europe (" + rest + ")"
	}
	if rest, ok := strings.CutPrefix(n, "eu ("); ok {
		n = "europe (" + rest
	}
	switch n {
	case "us east (n. virginia)", "us - n. virginia":
		return "us-east-1"
	case "us east (ohio)":
		return "us-east-2"
	case "us west (n. california)", "us - n. california":
		return "us-west-1"
	case "us west (oregon)", "us - oregon":
		return "us-west-2"
	case "africa (cape town)":
		return "af-south-1"
	case "asia pacific (hong kong)":
		return "ap-east-1"
	case "asia pacific (taipei)":
		return "ap-east-2"
	case "asia pacific (tokyo)":
		return "ap-northeast-1"
	case "asia pacific (seoul)":
		return "ap-northeast-2"
	case "asia pacific (osaka)", "asia pacific (osaka-local)":
		return "ap-northeast-3"
	case "asia pacific (mumbai)":
		return "ap-south-1"
	case "asia pacific (hyderabad)":
		return "ap-south-2"
	case "asia pacific (singapore)":
		return "ap-southeast-1"
	case "asia pacific (sydney)":
		return "ap-southeast-2"
	case "asia pacific (jakarta)":
		return "ap-southeast-3"
	case "asia pacific (melbourne)":
		return "ap-southeast-4"
	case "asia pacific (malaysia)":
		return "ap-southeast-5"
	case "asia pacific (new zealand)":
		return "ap-southeast-6"
	case "asia pacific (thailand)":
		return "ap-southeast-7"
	case "canada (central)":
		return "ca-central-1"
	case "canada west (calgary)":
		return "ca-west-1"
	case "europe (frankfurt)":
		return "eu-central-1"
	case "europe (zurich)":
		return "eu-central-2"
	case "europe (stockholm)":
		return "eu-north-1"
	case "europe (milan)":
		return "eu-south-1"
	case "europe (spain)":
		return "eu-south-2"
	case "europe (ireland)":
		return "eu-west-1"
	case "europe (london)":
		return "eu-west-2"
	case "europe (paris)":
		return "eu-west-3"
	case "israel (tel aviv)":
		return "il-central-1"
	case "middle east (uae)":
		return "me-central-1"
	case "middle east (bahrain)":
		return "me-south-1"
	case "mexico (central)":
		return "mx-central-1"
	case "south america (sao paulo)":
		return "sa-east-1"
	case "china (beijing)":
		return "cn-north-1"
	case "china (ningxia)":
		return "cn-northwest-1"
	case "aws govcloud (us-east)", "aws govcloud (us east)":
		return "us-gov-east-1"
	case "aws govcloud (us-west)", "aws govcloud (us)", "aws govcloud (us west)":
		return "us-gov-west-1"
	}
	return ""
}

// looksLikeRegionCode reports whether s has the shape of a region code,
// e.g. "eu-west-1" or "us-gov-west-1".
func looksLikeRegionCode(s string) bool {
	parts := strings.Split(s, "-")
	if len(parts) < 3 {
		return false
	}
	last := parts[len(parts)-1]
	if last == "" {
		return false
	}
	for _, r := range last {
		if r < '0' || r > '9' {
			return false
		}
	}
	for _, p := range parts[:len(parts)-1] {
		if p == "" {
			return false
		}
		for _, r := range p {
			if r < 'a' || r > 'z' {
				return false
			}
		}
	}
	return true
}

// arnRegion returns the region field of an ARN ("arn:aws:cloudwatch:
// us-east-1:..."), or "" when s is not an ARN with a plausible region.
func arnRegion(arn string) string {
	parts := strings.SplitN(arn, ":", 6)
	if len(parts) < 6 || parts[0] != "arn" {
		return ""
	}
	if looksLikeRegionCode(parts[3]) {
		return parts[3]
	}
	return ""
}

// console builds AWS console deep links for one region.
type console struct {
	// base overrides the console origin; see Context.ConsoleBaseURL.
	base   string
	region string
}

// origin is the console origin for the region, following the partition:
// China and GovCloud have their own console domains.
func (c console) origin() string {
	if c.base != "" {
		return strings.TrimRight(c.base, "/")
	}
	domain := "console.aws.amazon.com"
	switch {
	case strings.HasPrefix(c.region, "cn-"):
		domain = "console.amazonaws.cn"
	case strings.HasPrefix(c.region, "us-gov-"):
		domain = "console.amazonaws-us-gov.com"
	}
	if c.region == "" {
		return "https://" + domain
	}
	return "https://" + c.region + "." + domain
}

// service returns the console URL for a service home page with a fragment.
func (c console) service(path, fragment string) string {
	u := c.origin() + "/" + path + "/home"
	if c.region != "" {
		u += "?region=" + url.QueryEscape(c.region)
	}
	return u + "#" + fragment
}

func (c console) alarm(name string) string {
	return c.service("cloudwatch", "alarmsV2:alarm/"+url.PathEscape(name))
}

func (c console) guardDutyFinding(id string) string {
	return c.service("guardduty", "/findings?macros=current&fId="+url.QueryEscape(id))
}

func (c console) cloudTrailEvents(eventName string) string {
	return c.service("cloudtrailv2", "/events?EventName="+url.QueryEscape(eventName))
}

func (c console) stepFunctionsExecution(arn string) string {
	return c.service("states", "/v2/executions/details/"+url.PathEscape(arn))
}

// budgets links the Budgets page; Budgets is global, so there is no region.
func (c console) budgets() string {
	return console{base: c.base}.origin() + "/costmanagement/home#/budgets"
}
