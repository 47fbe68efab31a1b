package pipeline

import (
	"encoding/json"
	"io"
	"time"
)

// The record step's custom metrics, which the operations dashboard graphs
// (infra/dashboard.go names the same namespace and metrics).
const (
	metricsNamespace        = "Landfall"
	metricAccountsBaselined = "AccountsBaselined"
	metricOpenFindings      = "OpenFindings"
)

// emitMetrics writes one CloudWatch embedded-metric-format line. Lambda
// sends stdout to CloudWatch Logs, which turns the line into metrics with
// no API call and no permission needed.
func emitMetrics(w io.Writer, now time.Time, baselined, findings int) error {
	line := map[string]any{
		"_aws": map[string]any{
			"Timestamp": now.UnixMilli(),
			"CloudWatchMetrics": []any{map[string]any{
				"Namespace":  metricsNamespace,
				"Dimensions": [][]string{{}},
				"Metrics": []any{
					map[string]string{"Name": metricAccountsBaselined, "Unit": "Count"},
					map[string]string{"Name": metricOpenFindings, "Unit": "Count"},
				},
			}},
		},
		metricAccountsBaselined: baselined,
		metricOpenFindings:      findings,
	}
	return json.NewEncoder(w).Encode(line)
}
