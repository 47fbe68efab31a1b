package baseline

// alertsReaderRoleItem is on only with central alerting: the formatter
// reads an alarm's account only then.
var alertsReaderRoleItem = Item{
	Name:        "alerts-reader-role",
	Needs:       []Need{needBoundary},
	Enabled:     func(s *Spec) bool { return s.Config.AlertFormatterRoleARN() != "" },
	Plan:        planRole(desiredAlertsReader),
	Permissions: func(s *Spec) []iamStatement { return ownedRolePermissions(desiredAlertsReader(s)) },
}

// desiredAlertsReader is the role the alert formatter reads an alarm's
// account through, to say who triggered the alarm: the metric filters and
// the events of the trail's log group, and nothing else. Only the
// formatter's role, from an account of the organization, may assume it. The
// formatter used to chain through the pipeline role, whose every target is
// an administrator; whoever runs code as the formatter (with central alerts
// in the security account, its administrators) now reaches no more than
// this.
//
// The trust names the formatter's account and narrows it by
// aws:PrincipalArn instead of naming the role: IAM refuses a trust whose
// role principal does not exist ("Invalid principal in policy"), and the
// formatter's stack may be deployed after an account's first baseline.
func desiredAlertsReader(s *Spec) ownedRole {
	formatter := s.Config.AlertFormatterRoleARN()
	group := trailLogGroupARN(s)
	return ownedRole{
		Name:        s.Config.AlertsReaderRoleName(),
		Description: "Lets landfall's alert formatter read the trail behind an alarm, managed by landfall",
		Trust: newIAMPolicy(iamStatement{
			Effect: "Allow", Principal: accountPrincipal(s.Config.AlertFanInAccountID()),
			Action: []string{"sts:AssumeRole"},
			Condition: map[string]map[string][]string{
				"ArnEquals":    {"aws:PrincipalArn": {formatter}},
				"StringEquals": {"aws:PrincipalOrgID": {s.OrganizationID}},
			},
		}),
		MaxSession: 3600,
		Boundary:   boundaryARN(s),
		Inline: map[string]iamPolicy{"read-trail": newIAMPolicy(
			iamStatement{Effect: "Allow", Action: []string{"logs:DescribeMetricFilters", "logs:FilterLogEvents"}, Resource: []string{group, group + ":*"}},
		)},
	}
}
