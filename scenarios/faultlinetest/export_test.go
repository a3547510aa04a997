package faultlinetest

// Internals the tests pin down.
var (
	ReproLineFor = reproLine
	PackageArg   = packageArg
	ArtifactName = artifactName
)
