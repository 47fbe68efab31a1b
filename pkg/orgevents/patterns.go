package orgevents

// EventBridge event patterns for landfall's rules, one per trigger. Each is as narrow as the real events
// allow, so the pipeline only starts for events Decode acts on; Decode still checks everything, because a
// pattern is deployed configuration and can drift. The Organizations rules must live in us-east-1, the
// only Region where Organizations delivers events; the Control Tower rule lives in the landing zone's home
// Region.
const (
	// CreateAccountResultPattern matches the end of an Organizations CreateAccount, successful or failed;
	// IN_PROGRESS is left out.
	CreateAccountResultPattern = `{
  "source": ["aws.organizations"],
  "detail-type": ["AWS Service Event via CloudTrail"],
  "detail": {
    "eventSource": ["organizations.amazonaws.com"],
    "eventName": ["CreateAccountResult"],
    "serviceEventDetails": {
      "createAccountStatus": {
        "state": ["SUCCEEDED", "FAILED"]
      }
    }
  }
}`

	// InviteAccountPattern matches a new invitation to join. CloudTrail writes the handshake action in
	// lower case ("invite"), so action and state are matched without regard to case.
	InviteAccountPattern = `{
  "source": ["aws.organizations"],
  "detail-type": ["AWS API Call via CloudTrail"],
  "detail": {
    "eventSource": ["organizations.amazonaws.com"],
    "eventName": ["InviteAccountToOrganization"],
    "errorCode": [{"exists": false}],
    "responseElements": {
      "handshake": {
        "action": [{"equals-ignore-case": "INVITE"}],
        "state": [{"equals-ignore-case": "OPEN"}]
      }
    }
  }
}`

	// MoveAccountPattern matches a successful MoveAccount between roots and OUs.
	MoveAccountPattern = `{
  "source": ["aws.organizations"],
  "detail-type": ["AWS API Call via CloudTrail"],
  "detail": {
    "eventSource": ["organizations.amazonaws.com"],
    "eventName": ["MoveAccount"],
    "errorCode": [{"exists": false}]
  }
}`

	// AccountLeftPattern matches a successful CloseAccount or RemoveAccountFromOrganization.
	AccountLeftPattern = `{
  "source": ["aws.organizations"],
  "detail-type": ["AWS API Call via CloudTrail"],
  "detail": {
    "eventSource": ["organizations.amazonaws.com"],
    "eventName": ["CloseAccount", "RemoveAccountFromOrganization"],
    "errorCode": [{"exists": false}]
  }
}`

	// ManagedAccountPattern matches Control Tower's CreateManagedAccount and UpdateManagedAccount
	// lifecycle events. Their state sits under a key named after the event, which one pattern cannot
	// filter for both; lifecycle events are only recorded on completion (SUCCEEDED or FAILED) anyway.
	ManagedAccountPattern = `{
  "source": ["aws.controltower"],
  "detail-type": ["AWS Service Event via CloudTrail"],
  "detail": {
    "eventSource": ["controltower.amazonaws.com"],
    "eventName": ["CreateManagedAccount", "UpdateManagedAccount"]
  }
}`
)

// Rule is one EventBridge rule landfall deploys to start its pipeline.
type Rule struct {
	// Name is stable and fit for a CDK construct ID.
	Name        string
	Description string
	// Pattern is the event pattern as JSON.
	Pattern string
}

// Rules lists the event-pattern rules in a fixed order. The sweep is not among them: it is a rule with a
// schedule expression, whose events Decode reads as ActionSweep.
func Rules() []Rule {
	return []Rule{
		{Name: "CreateAccountResult", Description: "Organizations finished creating an account", Pattern: CreateAccountResultPattern},
		{Name: "InviteAccount", Description: "An account was invited to join; the pipeline waits for its answer", Pattern: InviteAccountPattern},
		{Name: "MoveAccount", Description: "An account moved to another OU or root", Pattern: MoveAccountPattern},
		{Name: "AccountLeft", Description: "An account was closed or removed from the organization", Pattern: AccountLeftPattern},
		{Name: "ManagedAccount", Description: "Control Tower finished creating, enrolling or updating an account", Pattern: ManagedAccountPattern},
	}
}
