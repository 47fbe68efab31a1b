// This folder holds the pinned Node tools (package.json, package-lock.json,
// node_modules). npm packages ship stray .go files (the CDK CLI's init
// templates), so this file makes the folder its own module and keeps it out
// of the landfall module's ./... patterns.
module landfall.invalid/toolchain

go 1.26
