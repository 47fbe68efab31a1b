package pipeline

// FailedCreationKey is failedCreationKey for the external tests.
var FailedCreationKey = failedCreationKey

// Summarize is summarize for the external tests.
var Summarize = summarize
