package config

import (
	"fmt"
	"net/mail"
	"net/netip"
	"regexp"
	"slices"
	"strconv"
	"strings"
)

// The checks below return "" for a valid value, or a message saying what is
// wrong and what is allowed. They know nothing about files or lines; the
// validator adds those.

var accountIDPattern = regexp.MustCompile(`^[0-9]{12}$`)

var organizationIDPattern = regexp.MustCompile(`^o-[a-z0-9]{10,32}$`)

// CheckOrganizationID checks an AWS Organizations id, in the format the
// Organizations API Reference gives for Organization.Id. The organization
// is not in the config file: the CDK app is synthesized for it (context
// landfall:organizationId), and the local endpoint can be given it.
func CheckOrganizationID(id string) error {
	if !organizationIDPattern.MatchString(id) {
		return fmt.Errorf("%q is not an organization id (o- and 10 to 32 lowercase letters or digits)", id)
	}
	return nil
}

// CheckAccountID checks an AWS account id that does not come from YAML:
// exactly 12 digits.
func CheckAccountID(id string) error {
	if !accountIDPattern.MatchString(id) {
		return fmt.Errorf("%q is not an AWS account id (12 digits)", id)
	}
	return nil
}

// checkAccountID checks an AWS account id: exactly 12 digits. quoted says
// whether the YAML value was quoted; an unquoted id is rejected because YAML
// (and every tool that reads the file) may take it as a number and drop leading
// zeros.
func checkAccountID(id string, quoted bool) string {
	if !accountIDPattern.MatchString(id) {
		return fmt.Sprintf("%q is not an AWS account id; use exactly 12 digits in quotes, e.g. \"111111111111\"", id)
	}
	if !quoted {
		return fmt.Sprintf("account id %s must be quoted (\"%s\"); unquoted, YAML reads it as a number, which loses leading zeros", id, id)
	}
	return ""
}

func checkRegion(region string) string {
	if slices.Contains(commercialRegions, region) {
		return ""
	}
	return notOneOf(region, "an AWS region", commercialRegions)
}

// checkEmail accepts a bare address (no display name), which is what SNS email
// subscriptions and the Account API take.
func checkEmail(email string) string {
	addr, err := mail.ParseAddress(email)
	if err != nil || addr.Address != email || !strings.Contains(email[strings.LastIndex(email, "@")+1:], ".") {
		return fmt.Sprintf("%q is not an email address; use a bare address such as secops@example.com", email)
	}
	return ""
}

// checkBucketName applies the S3 general purpose bucket naming rules.
func checkBucketName(name string) string {
	reason := bucketNameProblem(name)
	if reason == "" {
		return ""
	}
	return fmt.Sprintf("%q is not a valid S3 bucket name: %s", name, reason)
}

var bucketNamePattern = regexp.MustCompile(`^[a-z0-9][a-z0-9.-]*[a-z0-9]$`)

func bucketNameProblem(name string) string {
	switch {
	case len(name) < 3 || len(name) > 63:
		return "it must be 3 to 63 characters long"
	case !bucketNamePattern.MatchString(name):
		return "use only lowercase letters, digits, dots and hyphens, starting and ending with a letter or digit"
	case strings.Contains(name, ".."):
		return "it must not contain two adjacent dots"
	}
	if _, err := netip.ParseAddr(name); err == nil {
		return "it must not look like an IP address"
	}
	for _, p := range []string{"xn--", "sthree-", "amzn-s3-demo-"} {
		if strings.HasPrefix(name, p) {
			return fmt.Sprintf("the prefix %q is reserved by S3", p)
		}
	}
	for _, s := range []string{"-s3alias", "--ol-s3", ".mrap", "--x-s3", "--table-s3"} {
		if strings.HasSuffix(name, s) {
			return fmt.Sprintf("the suffix %q is reserved by S3", s)
		}
	}
	return ""
}

var (
	ratePattern     = regexp.MustCompile(`^rate\((\d+) (minute|minutes|hour|hours|day|days)\)$`)
	cronPattern     = regexp.MustCompile(`^cron\(([^()]*)\)$`)
	cronFieldFormat = regexp.MustCompile(`^[0-9A-Za-z*?,/#-]+$`)
)

// checkSchedule checks an EventBridge schedule expression: rate(<n> <unit>),
// with a singular unit when n is 1 and a plural one otherwise, or cron() with
// six fields where exactly one of day-of-month and day-of-week is "?".
func checkSchedule(expr string) string {
	const help = `; use rate(<n> <minutes|hours|days>) such as "rate(6 hours)", or cron(<minutes> <hours> <day-of-month> <month> <day-of-week> <year>) such as "cron(0 */6 * * ? *)"`
	if m := ratePattern.FindStringSubmatch(expr); m != nil {
		n, err := strconv.Atoi(m[1])
		plural := strings.HasSuffix(m[2], "s")
		switch {
		case err != nil || n < 1:
			return fmt.Sprintf("%q: the rate must be a positive whole number%s", expr, help)
		case n == 1 && plural:
			return fmt.Sprintf("%q: with a rate of 1 the unit is singular, e.g. \"rate(1 %s)\"", expr, strings.TrimSuffix(m[2], "s"))
		case n > 1 && !plural:
			return fmt.Sprintf("%q: with a rate above 1 the unit is plural, e.g. \"rate(%d %ss)\"", expr, n, m[2])
		}
		return ""
	}
	if m := cronPattern.FindStringSubmatch(expr); m != nil {
		fields := strings.Fields(m[1])
		if len(fields) != 6 {
			return fmt.Sprintf("%q: cron() takes 6 fields, got %d%s", expr, len(fields), help)
		}
		for _, f := range fields {
			if !cronFieldFormat.MatchString(f) {
				return fmt.Sprintf("%q: cron field %q has characters cron() does not accept%s", expr, f, help)
			}
		}
		if (fields[2] == "?") == (fields[4] == "?") {
			return fmt.Sprintf("%q: exactly one of day-of-month (field 3) and day-of-week (field 5) must be \"?\"", expr)
		}
		return ""
	}
	return fmt.Sprintf("%q is not an EventBridge schedule expression%s", expr, help)
}

// iamNamePattern is the character set and length of IAM role and user names.
var iamNamePattern = regexp.MustCompile(`^[\w+=,.@-]{1,64}$`)

func checkIAMName(name, what string) string {
	if iamNamePattern.MatchString(name) {
		return ""
	}
	return fmt.Sprintf("%q is not a valid IAM %s name; use 1 to 64 letters, digits and +=,.@_-", name, what)
}

// samlProviderNamePattern is CreateSAMLProvider's name: 1 to 128 letters,
// digits and ._- ("CreateSAMLProvider", IAM API Reference).
var samlProviderNamePattern = regexp.MustCompile(`^[\w.-]{1,128}$`)

func checkSAMLProviderName(name string) string {
	if samlProviderNamePattern.MatchString(name) {
		return ""
	}
	return fmt.Sprintf("%q is not an IAM SAML provider name; use 1 to 128 letters, digits and ._- (the name, not the ARN: every account has its own provider of this name)", name)
}

// checkTagKey checks a tag key landfall writes or reads: 1 to 128 characters,
// not in the "aws:" namespace, which AWS reserves.
func checkTagKey(key string) string {
	switch {
	case key == "" || len(key) > 128:
		return fmt.Sprintf("tag key %q must be 1 to 128 characters", key)
	case strings.HasPrefix(strings.ToLower(key), "aws:"):
		return fmt.Sprintf("tag key %q uses the reserved aws: prefix", key)
	}
	return ""
}

// secretNamePattern is the Secrets Manager secret name character set.
var secretNamePattern = regexp.MustCompile(`^[A-Za-z0-9/_+=.@-]{1,512}$`)

func checkSecretName(name string) string {
	if secretNamePattern.MatchString(name) {
		return ""
	}
	return fmt.Sprintf("%q is not a Secrets Manager secret name; give the name of the secret that holds the webhook URL, not the URL", name)
}
