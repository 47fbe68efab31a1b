package localrun

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"

	"github.com/landfall/landfall/pkg/config"
)

// SynthesizedOrganizationID is the organization `make synth` built the
// templates for (cdk.json's context landfall:organizationId): the pipeline
// role may enter only accounts of it (aws:ResourceOrgID), so a local
// organization the templates are deployed into must have that id.
func SynthesizedOrganizationID(moduleDir string) (string, error) {
	path := filepath.Join(moduleDir, "cdk.json")
	raw, err := os.ReadFile(path)
	if err != nil {
		return "", fmt.Errorf("reading the organization id the templates are for: %w", err)
	}
	var app struct {
		Context map[string]any `json:"context"`
	}
	if err := json.Unmarshal(raw, &app); err != nil {
		return "", fmt.Errorf("reading %s: %w", path, err)
	}
	id, _ := app.Context["landfall:organizationId"].(string)
	if err := config.CheckOrganizationID(id); err != nil {
		return "", fmt.Errorf("reading %s: context landfall:organizationId: %w", path, err)
	}
	return id, nil
}
