package pipeline

// FailedCreationKey is failedCreationKey for the external tests.
var FailedCreationKey = failedCreationKey
